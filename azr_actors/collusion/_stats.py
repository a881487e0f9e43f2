"""Statistics for the pair comparison: bootstrap interval, Welch t-test, baselines.

All functions are pure and deterministic given their seed. A figure that cannot be
computed (too few values, zero variance on both sides) is ``None``, never NaN or
infinity, so it serialises to JSON ``null``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np

from ..replay.stats import scipy_stats, seeded_rng

__all__ = ["BOOTSTRAP_RESAMPLES", "bootstrap_ci", "derangement", "finite", "welch_greater"]

BOOTSTRAP_RESAMPLES = 2000


def finite(value: float | None) -> float | None:
    """``value`` as a float, or ``None`` if it is missing, NaN or infinite."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def bootstrap_ci(
    values: Sequence[float], seed: Sequence[int], *, resamples: int = BOOTSTRAP_RESAMPLES
) -> tuple[float | None, float | None]:
    """Percentile bootstrap 95% interval of the mean, resampling ``values`` with replacement.

    ``seed`` seeds ``numpy.random.default_rng``. Empty input gives ``(None, None)``.
    """
    data = np.asarray(values, dtype=float)
    if data.size == 0:
        return None, None
    rng = seeded_rng(*seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return finite(low), finite(high)


def welch_greater(
    sample: Sequence[float], baseline: Sequence[float]
) -> tuple[float | None, float | None]:
    """Welch's t-test that ``sample`` has a greater mean than ``baseline`` (one-sided).

    Returns ``(t, p)``; either is ``None`` when undefined (fewer than two values on a
    side, or no variance at all).
    """
    if len(sample) < 2 or len(baseline) < 2:
        return None, None
    if np.var(sample) == 0 and np.var(baseline) == 0:
        return None, None
    with warnings.catch_warnings():
        # Near-constant data makes scipy warn about precision; the result is still defined.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = scipy_stats().ttest_ind(sample, baseline, equal_var=False, alternative="greater")
    return finite(result.statistic), finite(result.pvalue)


def derangement(size: int, seed: Sequence[int]) -> list[int]:
    """A seeded permutation of ``range(size)`` with no fixed point (``size`` >= 2).

    Used to pair each task with a different task for the cross-task baseline.
    """
    if size < 2:
        raise ValueError(f"a derangement needs at least 2 items, got {size}")
    order = seeded_rng(*seed).permutation(size)
    # Following a random cyclic order moves every item: task order[i] meets order[i + 1].
    result = [0] * size
    for position, item in enumerate(order):
        result[int(item)] = int(order[(position + 1) % size])
    return result
