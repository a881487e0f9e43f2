"""Hardened sandbox and executor pool for untrusted generated code.

Public API::

    from azr_actors.sandbox import SandboxPool, Limits, CheckJob, CheckResult, ProbeJob, ProbeResult

    async with SandboxPool(limits=Limits()) as pool:
        result = await pool.check(CheckJob(prompt, completion, test, entry_point))

A pass is positive evidence computed by the trusted runner on type-exact
values returned by the sample (see :mod:`._runner`); see README_SECTION.md
for what is and is not isolated.
"""

from .jobs import STATUSES, CheckJob, CheckResult, PoolStats, ProbeJob, ProbeResult
from .limits import DEFAULT_FACTOR, DEFAULT_FLOOR_S, Limits, calibrated_time_limit
from . import values
from .pool import ISOLATION_MODES, SandboxError, SandboxPool

__all__ = [
    "DEFAULT_FACTOR",
    "DEFAULT_FLOOR_S",
    "ISOLATION_MODES",
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
]
