"""The early-stop rule: is the evidence strong enough that more samples are unlikely to change the pick?"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["StopRule", "decide_stop"]


@dataclass(frozen=True)
class StopRule:
    """Thresholds for stopping a task's progressive sampling.

    With docstring examples, the picked cluster must pass every example and hold
    at least ``min_cluster`` samples and a ``min_share`` of all samples. Without
    examples there is only agreement to go on, so the bar is higher
    (``min_cluster_unchecked``, ``min_share_unchecked``).
    """

    min_cluster: int = 3
    min_share: float = 0.5
    min_cluster_unchecked: int = 4
    min_share_unchecked: float = 0.75


def decide_stop(
    rule: StopRule,
    *,
    candidates: int,
    cluster_size: int,
    examples_total: int,
    examples_passed: int,
) -> tuple[bool, str]:
    """``(confident, why)`` for a pick whose cluster has ``cluster_size`` of ``candidates`` samples."""
    share = cluster_size / candidates if candidates else 0.0
    agree = f"{cluster_size} of {candidates} samples agree on every probe"
    if examples_total and examples_passed < examples_total:
        return False, f"the pick passes only {examples_passed}/{examples_total} docstring examples"
    if examples_total:
        need, need_share = rule.min_cluster, rule.min_share
        evidence = f"and pass all {examples_total} docstring examples"
    else:
        need, need_share = rule.min_cluster_unchecked, rule.min_share_unchecked
        evidence = "(no docstring examples to check)"
    if cluster_size >= need and share >= need_share:
        return True, f"{agree} {evidence}"
    return False, f"{agree} {evidence}; stopping needs {need} and a {need_share:.0%} share"
