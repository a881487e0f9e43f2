"""Hardened sandbox and executor pool for untrusted generated code.

Public API::

    from azr_actors.sandbox import SandboxPool, Limits, CheckJob, CheckResult, ProbeJob, ProbeResult

    async with SandboxPool(limits=Limits()) as pool:
        result = await pool.check(CheckJob(prompt, completion, test, entry_point))

A pass is positive evidence computed by the trusted runner on type-exact
values returned by the sample (see :mod:`._runner`); the README's section
"Sandbox: what is and is not isolated" says what each layer does and does not stop.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from .pool import ISOLATION_MODES, SandboxError, SandboxPool

#: Where each public name lives. Everything loads on first use, so the zygote,
#: which imports this package, holds only the modules a sample needs (each
#: megabyte it holds costs every sample's fork and exit).
_HOMES = {
    "values": "",
    "STATUSES": "jobs", "CheckJob": "jobs", "CheckResult": "jobs", "PoolStats": "jobs",
    "ProbeJob": "jobs", "ProbeResult": "jobs",
    "DEFAULT_FACTOR": "limits", "DEFAULT_FLOOR_S": "limits", "LOAD_FLOOR_S": "limits",
    "Limits": "limits", "calibrated_time_limit": "limits", "wall_cap": "limits",
    "ISOLATION_MODES": "pool", "SandboxError": "pool", "SandboxPool": "pool",
}  # fmt: skip

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
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if not home:
        return import_module(f"{__name__}.{name}")
    return getattr(import_module(f"{__name__}.{home}"), name)
