"""Hardened sandbox and executor pool for untrusted generated code.

Public API::

    from azr_actors.sandbox import SandboxPool, Limits, CheckJob, CheckResult, ProbeJob, ProbeResult

    async with SandboxPool(limits=Limits()) as pool:
        result = await pool.check(CheckJob(prompt, completion, test, entry_point))

A pass is positive evidence computed by the trusted runner on type-exact
values returned by the sample (see :mod:`._runner`); see README_SECTION.md
for what is and is not isolated.
"""

from typing import TYPE_CHECKING, Any

from . import values
from .jobs import STATUSES, CheckJob, CheckResult, PoolStats, ProbeJob, ProbeResult
from .limits import (
    DEFAULT_FACTOR,
    DEFAULT_FLOOR_S,
    LOAD_FLOOR_S,
    Limits,
    calibrated_time_limit,
    wall_cap,
)

if TYPE_CHECKING:
    from .pool import ISOLATION_MODES, SandboxError, SandboxPool

__all__ = [
    "DEFAULT_FACTOR",
    "DEFAULT_FLOOR_S",
    "ISOLATION_MODES",
    "LOAD_FLOOR_S",
    "STATUSES",
    "CheckJob",
    "CheckResult",
    "Limits",
    "PoolStats",
    "ProbeJob",
    "ProbeResult",
    "SandboxError",
    "SandboxPool",
    "calibrated_time_limit",
    "values",
    "wall_cap",
]


def __getattr__(name: str) -> Any:
    # The pool (and asyncio with it) loads on first use, so the zygote, which
    # imports this package, stays small and cheap to fork.
    if name in ("ISOLATION_MODES", "SandboxError", "SandboxPool"):
        from . import pool

        return getattr(pool, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
