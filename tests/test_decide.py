"""Run-level early stopping: decided only when no completion of the open tasks can change the level."""

from __future__ import annotations

import pytest
from azr_actors.eventlog import (
    Event,
    HiddenVerdictPosted,
    ModelInfo,
    RunStarted,
    SampleGenerated,
    SelectionMade,
)
from azr_actors.replay.projections import RunState, fold

from azr_actors.decide import decide, decide_run, decision_event

BUDGETS = [1, 4, 16]


def _run(models: tuple[str, ...] = ("m",), n: int = 10) -> RunStarted:
    return RunStarted(key="run", run_id="run-d", seed=0,
                      models=[ModelInfo(name=m, spec=f"sim:{m}", provider="sim") for m in models],
                      tasks=[f"HumanEval/{i}" for i in range(n)], budgets=BUDGETS, suites=["code"])


def _task(model: str, i: int, picks: dict[int, bool], *, stop_at: int | None = None, cost: float = 0.01) -> list[Event]:
    """Samples up to the largest budget picked; the pick at each budget passes or not as ``picks`` says."""
    task = f"HumanEval/{i}"
    out: list[Event] = []
    for b, passes in sorted(picks.items()):
        idx = b - 1  # the pick at budget b is its newest sample
        for s in range(max((x for x in picks if x < b), default=0), b):
            out.append(SampleGenerated(key=f"g:{model}:{i}:{s}", ts=1.0, task_id=task, model=model, sample_idx=s,
                                       raw="x", code="x", cost_usd=cost))
            out.append(HiddenVerdictPosted(key=f"h:{model}:{i}:{s}", task_id=task, model=model, sample_idx=s,
                                           passed=passes if s == idx else False, status="passed"))
        out.append(SelectionMade(key=f"s:{model}:{i}:{b}", task_id=task, model=model, budget=b, sample_idx=idx,
                                 reason="", stop=b == stop_at or b == BUDGETS[-1]))
    return out


def _state(rows: list[dict[int, bool]], stops: list[int | None] | None = None, model: str = "m") -> RunState:
    stops = stops or [None] * len(rows)
    events: list[Event] = [_run(n=len(rows))]
    for i, (picks, stop) in enumerate(zip(rows, stops, strict=True)):
        events += _task(model, i, picks, stop_at=stop)
    return fold(events)


def test_an_incomplete_budget_is_never_decided() -> None:
    state = _state([{1: True, 4: True}] * 9 + [{1: True}])
    d = decide(state, "m", 4)
    assert not d.stop and d.reason == "budget 4 is not complete: 9/10 tasks have a pick" and d.tasks_open == 1


def test_primary_secured_by_its_wilson_bound_stops_and_counts_the_savings() -> None:
    state = _state([{1: False, 4: True}] * 10)
    d = decide(state, "m", 4)
    assert d.stop and d.level == d.level_worst == d.level_best == "PRIMARY"
    assert d.lower95 is not None and d.lower95 > 0.6
    assert d.samples_saved == 10 * (16 - 4)
    assert d.usd_saved == pytest.approx(10 * 12 * 0.01)
    assert d.reason.startswith("PRIMARY is secured: selected pass@1 10/10")


def test_primary_on_too_few_tasks_keeps_sampling() -> None:
    state = _state([{1: True, 4: True}] * 4 + [{1: False, 4: False}])
    d = decide(state, "m", 4)
    assert d.level == "PRIMARY" and not d.stop
    assert "95% lower bound 0.376 is not above 0.6" in d.reason


def test_a_level_that_open_tasks_could_still_change_keeps_sampling() -> None:
    state = _state([{1: False, 4: False}] * 8 + [{1: True, 4: True}] * 2)
    d = decide(state, "m", 4)
    assert not d.stop and (d.level_worst, d.level_best) == ("FAILED", "PRIMARY")
    assert d.reason == "the level can still change: between FAILED and PRIMARY"


def test_failed_whatever_the_open_tasks_do_stops() -> None:
    # 19 tasks stopped at budget 4 (5 passing), one still open: at best 6/20 and +5 pp, still FAILED.
    rows = [{1: True, 4: True}] * 5 + [{1: False, 4: False}] * 15
    stops: list[int | None] = [4] * 19 + [None]
    d = decide(_state(rows, stops), "m", 4)
    assert d.stop and d.level_best == "FAILED" and d.tasks_open == 1
    assert d.reason == "FAILED whatever the 1 open tasks do"


def test_nothing_left_to_sample_is_decided() -> None:
    d = decide(_state([{1: True, 4: True}] * 3, [4, 4, 4]), "m", 4)
    assert d.stop and d.reason == "every task has stopped: nothing is left to sample" and d.samples_saved == 0


def test_run_stops_only_when_every_model_is_decided_and_records_it() -> None:
    events: list[Event] = [_run(("a", "b"), n=10)]
    for i in range(10):
        events += _task("a", i, {1: True, 4: True})
        events += _task("b", i, {1: False, 4: i < 2})
    state = fold(events)
    stop, decisions = decide_run(state, 4)
    assert not stop and [d.stop for d in decisions] == [True, False]
    stop_a, only_a = decide_run(state, 4, models=["a"])
    assert stop_a
    decided = decision_event(only_a, run_id="run-d", ts=5.0)
    assert decided.key == "decision:4" and decided.budget == 4
    assert decided.usd_saved == pytest.approx(only_a[0].usd_saved) and decided.samples_saved == 120
    assert "saving 120 samples" in decided.reason


def test_bad_budget_and_empty_decisions_are_refused() -> None:
    state = _state([{1: True}])
    with pytest.raises(ValueError, match=r"budget 2 is not one of the run's budgets \[1, 4, 16\]"):
        decide(state, "m", 2)
    with pytest.raises(ValueError, match="no decision to record"):
        decision_event([], run_id="r", ts=0.0)
