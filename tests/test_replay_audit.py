"""Audit of the metric rebuild: defects found in the folds, statistics and replay timing, pinned.

Each test failed on the code before its fix and passes after it.
"""

from __future__ import annotations

import math
from pathlib import Path

import msgspec
import pytest
from azr_actors.eventlog import (
    HiddenVerdictPosted,
    ModelInfo,
    RunStarted,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
)
from azr_actors.replay import stats
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import make_log, sample_events

from azr_actors.cli import main
from azr_actors.errors import BadInput
from azr_actors.player import speed_for

M = "m"


def _stored(events: list) -> list:  # type: ignore[type-arg]
    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events, 1)]


def _code_run(seed: int, outcomes: dict[str, list[bool]]) -> list:  # type: ignore[type-arg]
    """A finished one-model code run with budgets 1 and 4: each task's four samples' hidden outcomes."""
    events: list = [  # type: ignore[type-arg]
        RunStarted(
            key="run", run_id="r", seed=seed, tasks=sorted(outcomes), budgets=[1, 4], suites=["code"], k_values=[1, 4],
            models=[ModelInfo(name=M, spec="sim:m", provider="sim", simulated=True)],
        )
    ]
    for task, passes in sorted(outcomes.items()):
        events.append(TaskScheduled(key=f"t:{task}", task_id=task, model=M))
        for i, passed in enumerate(passes):
            events.append(SampleGenerated(key=f"g:{task}:{i}", task_id=task, model=M, sample_idx=i, raw="r", code="c",
                                          total_ms=100.0 + i))
            events.append(HiddenVerdictPosted(key=f"h:{task}:{i}", task_id=task, model=M, sample_idx=i, passed=passed,
                                              status="passed" if passed else "failed"))
        best = next((i for i, p in enumerate(passes) if p), 0)
        events.append(SelectionMade(key=f"s:{task}:1", task_id=task, model=M, budget=1, sample_idx=0, reason="first"))
        events.append(SelectionMade(key=f"s:{task}:4", task_id=task, model=M, budget=4, sample_idx=best, reason="best",
                                    stop=True))
    return events


# --- replay: --duration must be a finite number ------------------------------------------------
# Before: --duration nan gave a NaN speed, every tick was scheduled at NaN and `play` looped forever
# on empty batches (`azr replay --duration nan --headless` hung); --duration inf gave a speed of 0
# and `schedule` divided by it (ZeroDivisionError, exit 1 instead of the bad-usage exit 2).


@pytest.mark.parametrize("duration", [float("nan"), float("inf")])
def test_speed_for_rejects_a_duration_that_is_not_finite(duration: float) -> None:
    events = _stored(sample_events())
    with pytest.raises(BadInput, match="--duration must be a finite number >= 0"):
        speed_for(events, duration_s=duration)


def test_speed_for_still_accepts_zero_and_finite_durations() -> None:
    events = _stored(sample_events())
    span = events[-1].ts - events[0].ts
    assert speed_for(events, duration_s=0.0) == math.inf
    assert speed_for(events, duration_s=-0.0) == math.inf
    assert speed_for(events, duration_s=1e6) == pytest.approx(span / 1e6)
    with pytest.raises(BadInput):
        speed_for(events, duration_s=-1.0)


def test_cli_replay_with_an_infinite_duration_is_bad_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = make_log(tmp_path / "run.db")
    assert main(["replay", "--log", str(log), "--headless", "--json", "--duration", "inf"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--duration must be a finite number >= 0" in captured.err


# --- metrics: a negative run seed ------------------------------------------------------------
# `azr run --seed -3` is accepted and runs to the end, but numpy refuses a negative seed, so every
# fold with a non-degenerate bootstrap (pass@k and uplift intervals) raised ValueError: `azr run
# --json` exited 1 after the whole run, and `azr metrics`/`azr replay`/`azr report` could never
# rebuild that log's metrics.

_MIXED = {
    "T0": [False, True, True, False],
    "T1": [True, True, True, True],
    "T2": [False, False, False, False],
    "T3": [False, False, True, False],
}


def test_metrics_of_a_run_with_a_negative_seed_are_rebuilt() -> None:
    events = _code_run(-3, _MIXED)
    metrics = run_metrics(fold(events), log="x.db")
    pm = metrics["per_model"][M]
    assert metrics["seed"] == -3
    assert pm["pass_at_k"]["1"] == pytest.approx(7 / 16)  # 2 + 4 + 0 + 1 of 16
    lo, hi = pm["ci95"]["pass_at_k"]["1"]
    assert lo is not None and hi is not None and lo <= pm["pass_at_k"]["1"] <= hi and lo < hi
    ulo, uhi = pm["ci95"]["uplift_pp"]
    assert ulo is not None and uhi is not None and ulo <= pm["uplift_pp"] <= uhi
    # and deterministic: the same log gives the same figures
    assert run_metrics(fold(_code_run(-3, _MIXED)), log="x.db") == metrics


def test_bootstrap_accepts_negative_seeds_and_keeps_non_negative_ones() -> None:
    values = [0.0, 1.0, 0.5, 0.25, 1.0]
    assert stats.bootstrap_mean_ci(values, seed=-1) == stats.bootstrap_mean_ci(values, seed=-1)
    assert stats.paired_bootstrap_diff_ci([0.0, 1.0, 0.0], [1.0, 1.0, 0.0], seed=-5) is not None
    # a non-negative seed seeds exactly as before
    import numpy as np

    expected = stats.scipy_stats().bootstrap(
        (np.asarray(values),), np.mean, n_resamples=2000, confidence_level=0.95, method="percentile",
        vectorized=True, batch=max(1, 1_000_000 // len(values)), rng=np.random.default_rng(7),
    ).confidence_interval
    assert stats.bootstrap_mean_ci(values, seed=7) == (float(expected.low), float(expected.high))
