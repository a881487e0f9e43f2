"""The judge actor: plans visible evidence, then picks the best sample per budget.

It subscribes to exactly five kinds: ``task_scheduled``, ``tests_written``,
``sample_generated``, ``visible_verdict_posted`` and ``generation_failed``. It never receives
``hidden_verdict_posted`` and holds no handle on the log, so it cannot see the
benchmark's tests or their verdicts: only the prompt (from ``humaneval``,
which gives it the prompt text alone), the samples, and the outputs of the
probes it planned, including tests the model itself wrote (CodeT-style dual
agreement: a model that writes tests gets its own plan, ``plan:TASK:MODEL``).

When every sample below a budget has a visible verdict (or failed to generate),
it appends ``SelectionMade`` for that budget, with ``stop=True`` when the
evidence is strong enough or the budget is the last; otherwise the generator
draws up to the next budget.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from .actor import Actor, ActorContext
from .eventlog import (
    Event,
    EvidencePlanned,
    GenerationFailed,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    TestsWritten,
    VisibleVerdictPosted,
)
from .humaneval import visible_problem
from .selection import Candidate, EvidencePlan, plan_evidence, select

__all__ = ["VISIBLE_KINDS", "JudgeActor"]

#: Everything the judge may see. Hidden verdicts are not in it, by construction.
VISIBLE_KINDS = ("task_scheduled", "tests_written", "sample_generated", "visible_verdict_posted", "generation_failed")


@dataclass
class _Task:
    code: dict[int, str] = field(default_factory=dict)
    tokens: dict[int, int] = field(default_factory=dict)
    cost: dict[int, float] = field(default_factory=dict)
    outputs: dict[int, list[str | None]] = field(default_factory=dict)
    failed: set[int] = field(default_factory=set)
    next_budget: int = 0


class JudgeActor(Actor):
    name = "judge"
    subscribes: ClassVar[tuple[str, ...]] = VISIBLE_KINDS
    outputs: ClassVar[tuple[str, ...]] = ("evidence_planned", "selection_made")

    def __init__(self, ctx: ActorContext, budgets: list[int], *, test_writers: frozenset[str] = frozenset()) -> None:
        super().__init__(ctx)
        self.budgets = budgets
        #: models asked for tests of each task: their samples are judged on a plan that includes them
        self.test_writers = test_writers
        self.plans: dict[tuple[str, str], EvidencePlan] = {}
        self.tasks: dict[tuple[str, str], _Task] = {}

    def plan_owner(self, model: str) -> str:
        """Whose plan a model's samples are judged on: its own (with its tests) or the shared one ("")."""
        return model if model in self.test_writers else ""

    def _plan(self, task_id: str, owner: str = "", model_tests: tuple[str, ...] = ()) -> EvidencePlan:
        plan = self.plans.get((task_id, owner))
        if plan is None:
            problem = visible_problem(task_id)
            plan = plan_evidence(problem.prompt, problem.entry_point, self.ctx.seed, model_tests=model_tests)
            self.plans[(task_id, owner)] = plan
        return plan

    async def _emit_plan(self, task_id: str, owner: str, model_tests: tuple[str, ...] = ()) -> None:
        plan = self._plan(task_id, owner, model_tests)
        key = f"plan:{task_id}:{owner}" if owner else f"plan:{task_id}"
        if key not in self.done:
            await self.emit(
                EvidencePlanned(
                    key=key, task_id=task_id, calls=list(plan.calls), expected=list(plan.expected),
                    origins=list(plan.origins), model=owner,
                )
            )

    async def handle(self, event: Event) -> None:
        match event:
            case TaskScheduled(suite="code"):
                if self.plan_owner(event.model) == "":
                    await self._emit_plan(event.task_id, "")
                self.tasks.setdefault((event.model, event.task_id), _Task())
            case TestsWritten() if event.model in self.test_writers:
                await self._emit_plan(event.task_id, event.model, (event.raw,) if event.raw else ())
            case SampleGenerated():
                t = self.tasks.setdefault((event.model, event.task_id), _Task())
                t.code[event.sample_idx] = event.code
                t.tokens[event.sample_idx] = event.prompt_tokens + event.completion_tokens
                t.cost[event.sample_idx] = event.cost_usd
            case VisibleVerdictPosted():
                self.tasks.setdefault((event.model, event.task_id), _Task()).outputs[event.sample_idx] = list(event.outputs)
                await self._maybe_select(event.model, event.task_id)
            case GenerationFailed():
                self.tasks.setdefault((event.model, event.task_id), _Task()).failed.add(event.sample_idx)
                await self._maybe_select(event.model, event.task_id)

    async def _maybe_select(self, model: str, task_id: str) -> None:
        t = self.tasks[(model, task_id)]
        while t.next_budget < len(self.budgets):
            budget = self.budgets[t.next_budget]
            ready = all(i in t.outputs or i in t.failed for i in range(budget))
            if not ready:
                return
            stop = await self._select(model, task_id, budget, t)
            t.next_budget += 1
            if stop:
                t.next_budget = len(self.budgets)

    async def _select(self, model: str, task_id: str, budget: int, t: _Task) -> bool:
        candidates = [
            Candidate(sample_idx=i, outputs=t.outputs[i], code=t.code.get(i, ""))
            for i in range(budget)
            if i in t.outputs
        ]
        last = budget == self.budgets[-1]
        if candidates:
            # a visible verdict exists only on a planned probe set; a budget whose samples all failed
            # to generate needs no plan (a test-writing model's plan may not be made yet)
            plan = self.plans[(task_id, self.plan_owner(model))]
            choice = select(plan, candidates, seed=self.ctx.seed, task_key=f"{model}:{task_id}")
            sample_idx, reason, scores = choice.sample_idx, choice.reason, dict(choice.scores)
            stop = last or choice.confident
            stop_reason = "largest budget reached" if last and not choice.confident else choice.stop_reason if stop else ""
        else:
            sample_idx, reason, scores = -1, "no sample was generated", {}
            stop, stop_reason = last, "largest budget reached" if last else ""
        round_start = self.budgets[self.budgets.index(budget) - 1] if budget != self.budgets[0] else 0
        round_ids = range(round_start, budget)
        key = f"sel:{model}:{task_id}:{budget}"
        if key not in self.done:
            await self.emit(
                SelectionMade(
                    key=key,
                    task_id=task_id,
                    model=model,
                    budget=budget,
                    sample_idx=sample_idx,
                    reason=reason,
                    stop=stop,
                    stop_reason=stop_reason,
                    scores={k: float(v) for k, v in scores.items()},
                    samples=len(round_ids),
                    tokens=sum(t.tokens.get(i, 0) for i in round_ids),
                    cost_usd=sum(t.cost.get(i, 0.0) for i in round_ids),
                )
            )
        return stop
