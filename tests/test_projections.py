"""The metric folds, fed plain lists of events: no I/O."""

from __future__ import annotations

import pytest
from azr_actors.eventlog import (
    HiddenVerdictPosted,
    ModelInfo,
    RunStarted,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
)
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import RunState, apply, fold

M = "m"


def _run(budgets: list[int], tasks: list[str], simulated: bool = False) -> RunStarted:
    return RunStarted(
        key="run", run_id="r", seed=7, models=[ModelInfo(name=M, spec="sim:m", provider="sim", simulated=simulated)],
        tasks=tasks, budgets=budgets, suites=["code"], k_values=budgets,
    )


def _task(task: str, passes: list[bool], picks: dict[int, tuple[int, bool]]) -> list:
    events: list = [TaskScheduled(key=f"t:{task}", task_id=task, model=M)]
    for i, passed in enumerate(passes):
        events.append(SampleGenerated(key=f"g:{task}:{i}", task_id=task, model=M, sample_idx=i, raw="r", code="c",
                                      total_ms=100.0 + i, ttft_ms=10.0, prompt_tokens=5, completion_tokens=5))
        events.append(HiddenVerdictPosted(key=f"h:{task}:{i}", task_id=task, model=M, sample_idx=i, passed=passed,
                                          status="passed" if passed else "failed"))
    for budget, (idx, stop) in picks.items():
        events.append(SelectionMade(key=f"s:{task}:{budget}", task_id=task, model=M, budget=budget, sample_idx=idx,
                                    reason="test", stop=stop))
    return events


def _events() -> list:
    return [
        _run([1, 4], ["T0", "T1", "T2"]),
        *_task("T0", [False, True, True, False], {1: (0, False), 4: (1, True)}),
        *_task("T1", [True], {1: (0, True)}),
        *_task("T2", [False] * 4, {1: (0, False), 4: (2, True)}),
    ]


def test_hand_computed_figures() -> None:
    metrics = run_metrics(fold(_events()), log="x.db")
    pm = metrics["per_model"][M]
    assert pm["pass_at_k"] == {"1": 0.5, "4": 0.5}
    assert pm["pass_at_k_tasks"] == {"1": 3, "4": 2}
    assert pm["selected_pass_at_1"] == {"1": pytest.approx(1 / 3, abs=1e-6), "4": pytest.approx(2 / 3, abs=1e-6)}
    assert pm["oracle_pass_at_n"] == pytest.approx(2 / 3, abs=1e-6)
    assert pm["uplift_pp"] == pytest.approx(100 / 3, abs=1e-4)
    assert pm["uplift_p_value"] == 1.0  # one discordant pair: binomial two-sided p = 1
    # over T0 and T2, the tasks that drew 4 samples: pass@4 (1 + 0) / 2 - pass@1 (0.5 + 0) / 2
    assert pm["pass_at_k_uplift_pp"] == 25.0
    assert pm["early_stopping"] == {
        "stopped_at_budget": {"1": 1, "4": 2},
        "samples_generated": 9,
        "samples_at_full_budget": 12,
        "samples_saved": 3,
    }
    assert pm["success_level"] == "PRIMARY"
    assert metrics["tasks"] == 3
    assert metrics["simulated"] is False


def test_early_stopped_task_keeps_its_pick() -> None:
    state = fold(_events())
    record = state.tasks[M]["T1"]
    assert record.pick_at(4) is record.selections[1]
    assert record.settled


def test_task_without_final_pick_is_not_counted() -> None:
    events = [_run([1, 4], ["T0"]), *_task("T0", [True, True], {1: (0, False)})]
    state = fold(events)
    assert not state.tasks[M]["T0"].settled
    assert not state.is_complete()
    assert run_metrics(state)["per_model"][M]["pass_at_k_tasks"] == {"1": 0, "4": 0}


def test_unscored_sample_keeps_a_task_unsettled() -> None:
    events = [_run([1], ["T0"]), TaskScheduled(key="t", task_id="T0", model=M),
              SampleGenerated(key="g", task_id="T0", model=M, sample_idx=0, raw="", code=""),
              SelectionMade(key="s", task_id="T0", model=M, budget=1, sample_idx=0, reason="", stop=True)]
    state = fold(events)
    assert not state.is_complete()
    apply(state, HiddenVerdictPosted(key="h", task_id="T0", model=M, sample_idx=0, passed=True, status="passed"))
    assert state.is_complete()


def test_fold_is_deterministic_and_incremental() -> None:
    events = _events()
    whole = run_metrics(fold(events))
    state = RunState()
    for event in events:
        apply(state, event)
    assert run_metrics(state) == whole
    assert run_metrics(fold(events)) == whole


def test_simulated_models_are_stamped() -> None:
    events = [_run([1], ["T0"], simulated=True), *_task("T0", [True], {1: (0, True)})]
    assert run_metrics(fold(events))["simulated"] is True


def test_no_nan_reaches_the_json() -> None:
    import json

    metrics = run_metrics(fold([_run([1, 4], ["T0"])]))
    json.dumps(metrics, allow_nan=False)
