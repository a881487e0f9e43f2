"""The judge actor: structurally blind to hidden verdicts, and progressive budget by budget."""

from __future__ import annotations

import ast
import asyncio
from pathlib import Path
from typing import ClassVar

from azr_actors.eventlog import (
    Event,
    EventWriter,
    HiddenVerdictPosted,
    MemoryStore,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    VisibleVerdictPosted,
)

import azr_actors.judge as judge_module
from azr_actors.actor import ActorContext, Supervisor
from azr_actors.judge import JudgeActor
from azr_actors.sandbox.values import encode

TASK = "HumanEval/0"


def test_the_judge_subscribes_to_no_hidden_verdict() -> None:
    assert "hidden_verdict_posted" not in JudgeActor.subscribes
    source = Path(judge_module.__file__).read_text()
    names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
    attributes = {n.attr for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Attribute)}
    assert "HiddenVerdictPosted" not in names
    assert not {"canonical_solution", "test"} & attributes
    assert "problems" not in names  # it only gets visible_problem(): prompt and entry point


class Spy(JudgeActor):
    seen: ClassVar[list[str]] = []

    async def handle(self, event: Event) -> None:
        Spy.seen.append(type(event).__name__)
        await super().handle(event)


async def _wait_for(store: MemoryStore, kind: str, n: int) -> list[Event]:
    for _ in range(400):
        events = await store.read(kinds=[kind])
        if len(events) >= n:
            return events
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {n} {kind} events")


async def test_progressive_selection_without_hidden_verdicts() -> None:
    store = MemoryStore()
    await store.open()
    writer = EventWriter(store)
    await writer.start()
    actor = Spy(ActorContext(writer=writer, run_id="r", seed=1), budgets=[1, 4])
    supervisor = Supervisor(store, [actor], poll_s=0.01)
    await supervisor.start()
    await writer.append(TaskScheduled(key="t", task_id=TASK, model="m"))
    plan = (await _wait_for(store, "evidence_planned", 1))[0]
    n_calls = len(plan.calls)  # type: ignore[attr-defined]
    assert n_calls > 0

    def visible(i: int, value: object) -> VisibleVerdictPosted:
        return VisibleVerdictPosted(key=f"v{i}", task_id=TASK, model="m", sample_idx=i, outputs=[encode(value)] * n_calls)

    await writer.append(SampleGenerated(key="g0", task_id=TASK, model="m", sample_idx=0, raw="", code=""))
    await writer.append(HiddenVerdictPosted(key="h0", task_id=TASK, model="m", sample_idx=0, passed=True, status="passed"))
    await writer.append(visible(0, "nonsense"))
    first = (await _wait_for(store, "selection_made", 1))[0]
    assert isinstance(first, SelectionMade)
    assert (first.budget, first.sample_idx) == (1, 0)
    assert not first.stop  # one sample that fails every docstring example is no reason to stop

    for i in (1, 2, 3):
        await writer.append(visible(i, "nonsense" if i == 1 else i == 2))
    picks = await _wait_for(store, "selection_made", 2)
    second = picks[-1]
    assert isinstance(second, SelectionMade)
    assert second.budget == 4 and second.stop
    assert second.samples == 3
    await supervisor.stop()
    await writer.close()
    assert "HiddenVerdictPosted" not in Spy.seen


async def test_a_model_that_writes_tests_is_judged_on_its_own_plan() -> None:
    from azr_actors.eventlog import EvidencePlanned, TestsWritten

    store = MemoryStore()
    await store.open()
    writer = EventWriter(store)
    await writer.start()
    actor = JudgeActor(ActorContext(writer=writer, run_id="r", seed=1), budgets=[1], test_writers=frozenset({"w"}))
    supervisor = Supervisor(store, [actor], poll_s=0.01)
    await supervisor.start()
    await writer.append(TaskScheduled(key="t:w", task_id=TASK, model="w"))
    await writer.append(TaskScheduled(key="t:m", task_id=TASK, model="m"))
    tests = "```python\nassert has_close_elements([1.0, 5.0], 3.5) == True\n```"
    await writer.append(TestsWritten(key="tests:w", task_id=TASK, model="w", raw=tests))
    plans = await _wait_for(store, "evidence_planned", 2)
    await supervisor.stop()
    await writer.close()
    by_owner = {p.model: p for p in plans if isinstance(p, EvidencePlanned)}
    assert set(by_owner) == {"", "w"}
    own, shared = by_owner["w"], by_owner[""]
    assert own.key == f"plan:{TASK}:w" and shared.key == f"plan:{TASK}"
    assert "has_close_elements([1.0, 5.0], 3.5)" in own.calls
    assert own.origins[own.calls.index("has_close_elements([1.0, 5.0], 3.5)")] == "model-test"
    assert "model-test" not in shared.origins
