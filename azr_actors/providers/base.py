"""What every model backend offers the generator.

A provider turns a :class:`CompletionRequest` into a :class:`Completion`. It
reports each retry through the ``on_retry`` callback (the generator turns those
into ``ProviderRetried`` events) and raises :class:`ProviderError` when it gives
up. Providers never log, and never put a secret into anything they return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "Completion",
    "CompletionRequest",
    "Provider",
    "ProviderError",
    "RetryCallback",
    "RetryInfo",
]


class ProviderError(Exception):
    """A provider could not produce a completion (after its retries)."""

    def __init__(self, message: str, *, retries: int = 0, fatal: bool = False) -> None:
        super().__init__(message)
        self.retries = retries
        #: True for errors that retrying will never fix (bad key, unknown model).
        self.fatal = fatal


@dataclass(frozen=True)
class CompletionRequest:
    """One sample to draw.

    ``kind`` is ``"code"`` for a HumanEval prompt (``prompt`` is the function
    signature and docstring to complete), ``"chat"`` for a free-text prompt such
    as a harm-suite scenario, ``"tests"`` when asking the model to write tests.
    """

    prompt: str
    task_id: str
    sample_idx: int = 0
    kind: str = "code"
    salt: str = ""
    entry_point: str = ""
    temperature: float = 0.8
    max_tokens: int = 768
    seed: int = 0


@dataclass(frozen=True)
class Completion:
    text: str
    ttft_ms: float | None = None
    total_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    cached: bool = False


@dataclass(frozen=True)
class RetryInfo:
    attempt: int
    reason: str
    delay_s: float
    extra: dict[str, str] = field(default_factory=dict)


RetryCallback = Callable[[RetryInfo], None]


class Provider(Protocol):
    #: short model name used in reports (e.g. ``gpt-4o-mini``, ``sim-strong``)
    name: str
    #: the ``--model`` spec it was built from, with any secret removed
    spec: str
    #: ``sim``, ``samples``, ``openai``, ``anthropic``, ``replay``
    provider: str
    simulated: bool
    #: recorded providers can only serve the ``code`` suite
    live: bool

    async def complete(
        self, request: CompletionRequest, on_retry: RetryCallback | None = None
    ) -> Completion: ...

    async def close(self) -> None: ...
