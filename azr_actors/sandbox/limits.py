"""Resource limits of one sandboxed sample, and time limits calibrated from a reference.

:class:`Limits` is the policy the pool applies to every sample. ``wall_s`` is the
default per-task time limit (3 s, as openai/human-eval); callers that know
the reference solution's runtime pass a tighter per-task limit computed by
:func:`calibrated_time_limit` (EvalPlus style: ``max(floor, factor x reference)``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "DEFAULT_FACTOR",
    "DEFAULT_FLOOR_S",
    "LOAD_FLOOR_S",
    "Limits",
    "calibrated_time_limit",
    "wall_cap",
]

#: Calibrated limits never go below this many CPU seconds of the sample.
DEFAULT_FLOOR_S = 0.1
#: Loading a sample (its module-level code and imports) always gets at least this budget.
LOAD_FLOOR_S = 1.0
DEFAULT_FACTOR = 10.0


@dataclass(frozen=True)
class Limits:
    """Per-sample limits (all enforced by the kernel or by the trusted side).

    cpu_s: RLIMIT_CPU of the sample process (whole seconds, rounded up).
    wall_s: default time limit of a job: CPU seconds of the sample, within a wall-clock
        cap of ``wall_cap(wall_s)`` at which the whole process tree is killed.
    memory_mb: RLIMIT_AS (address space) of the sample.
    max_processes: RLIMIT_NPROC (processes and threads of the sample's user).
    file_size_mb: RLIMIT_FSIZE: largest file the sample may write.
    open_files: RLIMIT_NOFILE.
    output_bytes: stdout+stderr bytes before the sample is killed (``output_limit``).
    result_bytes: largest encoded return value accepted from one call.
    scratch_mb: size of the private scratch tmpfs shared by the pool's slots.
    """

    cpu_s: float = 10.0
    wall_s: float = 3.0
    memory_mb: int = 2048
    max_processes: int = 64
    file_size_mb: int = 16
    open_files: int = 64
    output_bytes: int = 1 << 20
    result_bytes: int = 4 << 20
    scratch_mb: int = 256

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not value > 0:
                raise ValueError(f"Limits.{name} must be positive, got {value!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form (sent to the zygote, recorded in logs)."""
        return asdict(self)


def calibrated_time_limit(
    reference_s: float, *, floor_s: float = DEFAULT_FLOOR_S, factor: float = DEFAULT_FACTOR
) -> float:
    """Per-task wall limit from the reference solution's runtime: ``max(floor_s, factor * reference_s)``.

    ``reference_s`` is the wall time of the reference (canonical) solution on the
    same tests in the same sandbox, so it includes the sandbox's own overhead.
    """
    if reference_s < 0 or floor_s <= 0 or factor <= 0:
        raise ValueError("reference_s must be >= 0, floor_s and factor > 0")
    return max(floor_s, factor * reference_s)


def wall_cap(limit_s: float) -> float:
    """The hard wall-clock cap of a job whose time limit is ``limit_s``: ``2 * limit_s + 0.5``.

    A job's time limit counts the CPU time of the sample process, so a sample
    starved by a loaded machine is not cut off early; the whole process tree is
    killed at this wall-clock cap whatever the CPU count says (a sample that
    sleeps, or waits for its children, meets it).
    """
    return 2.0 * limit_s + 0.5
