"""Parse ``--model SPEC`` into a provider (see ARCHITECTURE.md, "Model specs")."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import BadInput
from .base import Provider

__all__ = ["DEFAULT_MODELS", "PlannedModel", "open_provider", "plan_provider"]

#: what ``azr run`` uses without ``--model``: three simulated models of different skill
DEFAULT_MODELS = ("sim:strong", "sim:medium", "sim:weak")

_KINDS = ("openai", "anthropic", "samples", "replay", "sim")


async def open_provider(
    spec: str, *, seed: int = 0, cache_path: Path | None = None, concurrency: int | None = None
) -> Provider:
    """Build the provider a spec names; raise BadInput with a one-line reason if it is wrong.

    Live providers share a response cache (``cache_path``, default the user's cache
    folder) so a rerun costs nothing; ``concurrency`` bounds their requests in flight.
    """
    kind, sep, rest = spec.partition(":")
    if not sep or kind not in _KINDS or not rest:
        raise BadInput(
            f"bad model spec {spec!r}: expected one of openai:MODEL[@BASE_URL], anthropic:MODEL, "
            "samples:PATH, replay:LOG, sim:NAME"
        )
    if kind == "sim":
        from .sim import SimProvider

        return SimProvider(rest, seed=seed)
    if kind == "samples":
        from .samples import SamplesProvider

        return SamplesProvider(rest)
    if kind == "replay":
        from .replay import ReplayProvider

        provider = ReplayProvider(rest)
        await provider.load()
        return provider
    model, base_url = _openai_parts(spec, rest) if kind == "openai" else (rest, None)
    from .base import ProviderError
    from .cache import ResponseCache, default_cache_path
    from .http import HTTPSettings

    cache = ResponseCache(cache_path or default_cache_path())
    options: HTTPSettings = {"cache": cache, "owns_cache": True}  # closed with the provider
    if concurrency is not None:
        options["concurrency"] = concurrency
    try:
        if kind == "openai":
            from .openai import OpenAIProvider

            return OpenAIProvider(model, base_url, **options)
        from .anthropic import AnthropicProvider

        return AnthropicProvider(rest, **options)
    except ProviderError as exc:
        cache.close()
        raise BadInput(str(exc).splitlines()[0]) from None


def _openai_parts(spec: str, rest: str) -> tuple[str, str | None]:
    """``MODEL[@BASE_URL]`` as (model, base URL or None); BadInput for an empty part around the '@'
    (``openai:llama@$URL`` with the variable unset must not quietly go to api.openai.com)."""
    model, at, base_url = rest.partition("@")
    if not model or (at and not base_url):
        raise BadInput(f"bad model spec {spec!r}: expected openai:MODEL or openai:MODEL@BASE_URL")
    return model, base_url or None


@dataclass(frozen=True)
class PlannedModel:
    """A live model as named by its spec, for planning without a key or a connection."""

    name: str
    spec: str
    provider: str
    simulated: bool = False
    live: bool = True

    async def close(self) -> None:
        return None


async def plan_provider(spec: str, *, seed: int = 0) -> Provider | PlannedModel:
    """Like :func:`open_provider`, but a live HTTP model is only named, never connected to."""
    kind, _, rest = spec.partition(":")
    if kind == "openai" and rest:
        model, base_url = _openai_parts(spec, rest)
        return PlannedModel(name=model, spec=f"openai:{model}" + (f"@{base_url}" if base_url else ""), provider="openai")
    if kind == "anthropic" and rest:
        return PlannedModel(name=rest, spec=spec, provider="anthropic")
    return await open_provider(spec, seed=seed)
