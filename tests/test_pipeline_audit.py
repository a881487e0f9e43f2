"""Regressions found by an audit of the actor pipeline (actors, judge, generator, run driver).

Each test pins one defect that was reproduced on the code before the fix.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

import pytest
from azr_actors.eventlog import (
    Alert,
    Event,
    EventWriter,
    GenerationFailed,
    HiddenVerdictPosted,
    LogError,
    MemoryStore,
    ModelInfo,
    RunStarted,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    TestsWritten,
)

from azr_actors.actor import ActorContext, Supervisor
from azr_actors.judge import JudgeActor

TASK = "HumanEval/0"


class FlakyStore(MemoryStore):
    """A store that refuses (as a whole batch, with ``LogError``) the batches ``refuse`` picks, ``times`` times."""

    def __init__(self, refuse: Callable[[Event], bool], *, times: int = 1) -> None:
        super().__init__()
        self.refuse = refuse
        self.times = times

    async def append(self, events: Sequence[Event]) -> list[int]:
        if self.times > 0 and any(self.refuse(e) for e in events):
            self.times -= 1
            raise LogError("database is locked")
        return await super().append(events)


async def _started(store: MemoryStore) -> EventWriter:
    await store.open()
    writer = EventWriter(store, max_delay_s=0)
    await writer.start()
    return writer


async def _until(predicate: Callable[[], object]) -> None:
    """Let the actors run until ``predicate`` holds (a bounded number of loop turns, no wall-clock assertion)."""
    for _ in range(300):
        if predicate():
            return
        await asyncio.sleep(0.01)


async def test_a_failed_append_is_not_marked_done() -> None:
    """Actor.emit put the key in ``done`` before the append: after a refused append the fact was skipped for good.

    Here the judge's shared plan for a task fails to append on the first model's
    TaskScheduled; the second model's TaskScheduled must still produce it.
    """
    store = FlakyStore(lambda e: e.key == f"plan:{TASK}")
    writer = await _started(store)
    judge = JudgeActor(ActorContext(writer=writer, run_id="r", seed=1), budgets=[1])
    supervisor = Supervisor(store, [judge], poll_s=0.01)
    await supervisor.start()
    await writer.append(TaskScheduled(key="t:a", task_id=TASK, model="a"))
    await _until(lambda: store.times == 0 and "failed:judge:t:a:LogError" in judge.done)
    assert f"plan:{TASK}" not in judge.done
    await writer.append(TaskScheduled(key="t:b", task_id=TASK, model="b"))
    await _until(lambda: f"plan:{TASK}" in judge.done)
    await supervisor.stop()
    await writer.close()
    assert [e.key for e in await store.read(kinds=["evidence_planned"])] == [f"plan:{TASK}"]


async def test_an_actor_whose_failure_cannot_be_recorded_goes_on() -> None:
    """When the log refused the ActorFailed record too, the exception escaped ``_loop`` and the actor was dead for good."""
    store = FlakyStore(lambda e: not isinstance(e, TaskScheduled), times=2)  # the plan, then its ActorFailed
    writer = await _started(store)
    judge = JudgeActor(ActorContext(writer=writer, run_id="r", seed=1), budgets=[1])
    supervisor = Supervisor(store, [judge], poll_s=0.01)
    await supervisor.start()
    await writer.append(TaskScheduled(key="t:0", task_id="HumanEval/0", model="a"))
    await _until(lambda: store.times == 0 and judge._mailbox.qsize() == 0)
    await writer.append(TaskScheduled(key="t:1", task_id="HumanEval/1", model="a"))
    await _until(lambda: "plan:HumanEval/1" in judge.done)
    loop_alive = not supervisor._loops[0].done()
    await supervisor.stop(drain=False)
    await writer.close()
    assert loop_alive
    assert judge.unrecorded_failures == 1
    assert [e.key for e in await store.read(kinds=["evidence_planned"])] == ["plan:HumanEval/1"]


async def test_a_failed_generation_before_the_models_tests_still_gets_a_pick() -> None:
    """A test-writing (live) model whose sample failed before its tests arrived: the judge looked up a plan
    that did not exist yet (KeyError), recorded ActorFailed and never picked, so the run stalled."""
    store = MemoryStore()
    writer = await _started(store)
    judge = JudgeActor(ActorContext(writer=writer, run_id="r", seed=1), budgets=[1, 2], test_writers=frozenset({"w"}))
    supervisor = Supervisor(store, [judge], poll_s=0.01)
    await supervisor.start()
    await writer.append(TaskScheduled(key="t", task_id=TASK, model="w"))
    await writer.append(GenerationFailed(key="gf0", task_id=TASK, model="w", sample_idx=0, error="connection refused"))
    await writer.append(TestsWritten(key="tw", task_id=TASK, model="w", raw="", error="connection refused"))
    await _until(lambda: f"sel:w:{TASK}:1" in judge.done and f"plan:{TASK}:w" in judge.done)
    await supervisor.stop()
    await writer.close()
    picks = await store.read(kinds=["selection_made"])
    assert [(p.budget, p.sample_idx, p.stop) for p in picks if isinstance(p, SelectionMade)] == [(1, -1, False)]
    assert await store.count("actor_failed") == 0


async def test_scheduling_that_the_log_refuses_is_an_error_not_a_silent_loss() -> None:
    """``_schedule`` submitted TaskScheduled without looking at the outcome: a refused batch was lost silently
    (and the run then waited for tasks that never started until its stall timeout)."""
    from azr_actors.providers.spec import plan_provider
    from azr_actors.run import _schedule

    store = FlakyStore(lambda e: isinstance(e, TaskScheduled))
    writer = await _started(store)
    provider = await plan_provider("sim:weak", seed=0)
    try:
        with pytest.raises(LogError):
            await _schedule(writer, "r", [provider], [TASK, "HumanEval/1"], ["code"])
        await _schedule(writer, "r", [provider], [TASK, "HumanEval/1"], ["code"])  # a retry (or resume) completes it
    finally:
        await provider.close()
        await writer.close()
    assert await store.count("task_scheduled") == 2


def _state_at_boundary() -> object:
    from azr_actors.replay.projections import RunState, apply

    state = RunState()
    events: list[Event] = [
        RunStarted(key="run", run_id="r", seed=0, models=[ModelInfo(name="m", spec="sim:m", provider="sim")],
                   tasks=[TASK], budgets=[1, 2], suites=["code"]),
        TaskScheduled(key="t", task_id=TASK, model="m"),
        SampleGenerated(key="g0", task_id=TASK, model="m", sample_idx=0, raw="", code=""),
        HiddenVerdictPosted(key="h0", task_id=TASK, model="m", sample_idx=0, passed=False, status="failed"),
        SelectionMade(key="s1", task_id=TASK, model="m", budget=1, sample_idx=0, reason="", stop=False),
    ]
    for seq, event in enumerate(events, 1):
        apply(state, event.__class__(**{**{f: getattr(event, f) for f in event.__struct_fields__}, "seq": seq}))
    return state


async def test_a_run_decision_the_log_refused_is_made_again() -> None:
    """The ticker submitted RunDecided without looking at the outcome and marked the budget checked: a refused
    decision was never made again, so gated generators stayed parked until the stall timeout."""
    from azr_actors.run import RunConfig, _Ticker

    store = FlakyStore(lambda e: e.key == "decision:1")
    writer = await _started(store)
    ticker = _Ticker(RunConfig(stop_when_decided=True), writer, "r", [1, 2])
    state = _state_at_boundary()
    ticker._decide(state, 1.0)  # type: ignore[arg-type]
    await writer.flush()
    await asyncio.sleep(0)  # the futures' callbacks
    assert store.times == 0 and await store.count("run_decided") == 0
    ticker._decide(state, 2.0)  # type: ignore[arg-type]
    await writer.flush()
    await writer.close()
    assert [e.key for e in await store.read(kinds=["run_decided"])] == ["decision:1"]


async def test_an_alert_the_log_refused_is_raised_again() -> None:
    """Alerts were submitted and forgotten: a refused one was lost (the watcher never raises a key twice)."""
    from azr_actors.run import RunConfig, _Ticker

    store = FlakyStore(lambda e: isinstance(e, Alert))
    writer = await _started(store)
    ticker = _Ticker(RunConfig(), writer, "r", [1])
    alert = Alert(key="alert:test", run_id="r", level="warning", what="test", message="m", value=1.0, threshold=0.5)
    raised = iter([[alert]])  # like the real watcher: each alert key is raised once
    ticker.alerts.check = lambda state, now: next(raised, [])  # type: ignore[method-assign]
    state = _state_at_boundary()
    ticker.tick(state)  # type: ignore[arg-type]
    await writer.flush()
    await asyncio.sleep(0)
    assert store.times == 0 and await store.count("alert") == 0
    ticker.last = 0.0  # the next tick is due
    ticker.tick(state)  # type: ignore[arg-type]
    await writer.flush()
    await writer.close()
    assert [e.key for e in await store.read(kinds=["alert"])] == ["alert:test"]


async def test_a_latency_record_the_log_refused_is_an_error_not_a_silent_loss() -> None:
    """``_analyses`` submitted LatencyRecorded facts and only flushed: a refused one was lost silently, and the
    metrics then reported the scenario on fewer requests than it ran."""
    from azr_actors.replay.projections import RunState

    from azr_actors.providers.spec import open_provider
    from azr_actors.run import _analyses

    store = FlakyStore(lambda e: e.key.startswith("latency:"))
    writer = await _started(store)
    provider = await open_provider("sim:weak?latency_ms=1&ttft_ms=1&slow_rate=0", seed=0)
    ctx = ActorContext(writer=writer, run_id="r", seed=0)
    try:
        with pytest.raises(LogError):
            await _analyses(RunState(), writer, ctx, [provider], ["latency"], 0)
    finally:
        await provider.close()
        await writer.close()
