"""RayProvider: a model's generator as a Ray async actor, behind the Provider protocol.

The actor (:class:`._hosts.GeneratorHost`) opens the provider from its spec on
the node it runs on and serves many requests at once (``concurrency``). Every
generator of one provider kind (``openai``, ``anthropic``, ...) shares one rate
limiter, a named Ray actor, so the whole cluster keeps to one request budget.
A generator actor whose node dies is restarted elsewhere by Ray and its
in-flight requests are retried (``max_restarts``/``max_task_retries``): a
provider's answer depends only on the request, so a retried request records
the same sample (simulated and recorded ones exactly; live ones through the
response cache where it is shared).
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..providers.base import Completion, CompletionRequest, ProviderError, RetryCallback

__all__ = ["LIMITER_PREFIX", "RayProvider", "shared_limiter"]

LIMITER_PREFIX = "azr-rate-limit-"
_RESTARTS = 3


def shared_limiter(provider: str, rate_per_s: float, burst: int | None = None) -> Any:
    """The cluster-wide token bucket of one provider kind (created by the first caller)."""
    import ray

    from ._hosts import RateLimiter

    actor = ray.remote(num_cpus=0, max_restarts=_RESTARTS)(RateLimiter)
    return actor.options(name=LIMITER_PREFIX + provider, get_if_exists=True, lifetime=None).remote(
        rate_per_s, burst or max(1, int(rate_per_s))
    )


class RayProvider:
    """A Provider whose requests run in a Ray async actor (use :meth:`open`)."""

    name: str
    spec: str
    provider: str
    simulated: bool
    live: bool

    def __init__(self, actor: Any, description: dict[str, Any]) -> None:
        self._actor = actor
        self.name = str(description["name"])
        self.spec = str(description["spec"])
        self.provider = str(description["provider"])
        self.simulated = bool(description["simulated"])
        self.live = bool(description["live"])

    @classmethod
    async def open(
        cls,
        spec: str,
        *,
        seed: int = 0,
        concurrency: int = 64,
        rate_per_s: dict[str, float] | None = None,
    ) -> RayProvider:
        """Start the generator actor for ``spec`` and describe it.

        ``rate_per_s`` maps a provider kind to its shared request rate (no entry: no limit).
        Raises whatever opening the spec raises (BadInput for a bad spec).
        """
        import ray

        from ._hosts import GeneratorHost

        kind = spec.partition(":")[0]
        rate = (rate_per_s or {}).get(kind)
        limiter = shared_limiter(kind, rate) if rate else None
        actor_class = ray.remote(GeneratorHost).options(
            num_cpus=0,
            max_concurrency=concurrency,
            max_restarts=_RESTARTS,
            max_task_retries=_RESTARTS,
        )
        actor: Any = actor_class.remote(spec, seed, limiter)
        try:
            description = await actor.describe.remote()
        except ray.exceptions.RayTaskError as exc:
            ray.kill(actor)
            raise exc.cause from None
        return cls(actor, description)

    async def complete(
        self, request: CompletionRequest, on_retry: RetryCallback | None = None
    ) -> Completion:
        import ray

        try:
            completion, retries = await self._actor.complete.remote(request)
        except ray.exceptions.RayTaskError as exc:
            cause = exc.cause
            if isinstance(cause, ProviderError):
                raise cause from None
            raise ProviderError(f"{self.name}: generator failed: {cause!r}") from None
        except ray.exceptions.RayError as exc:
            raise ProviderError(
                f"{self.name}: generator actor lost: {type(exc).__name__}"
            ) from None
        if on_retry is not None:
            for info in retries:
                on_retry(info)
        result: Completion = completion
        return result

    async def close(self) -> None:
        import ray

        with contextlib.suppress(ray.exceptions.RayError):
            await self._actor.close.remote()
        ray.kill(self._actor)
