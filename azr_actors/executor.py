"""The executor actor: runs every sample in the sandbox and posts verdicts.

For each ``SampleGenerated`` it posts two facts:

* ``HiddenVerdictPosted``: the benchmark's hidden tests (scoring only);
* ``VisibleVerdictPosted``: the sample's outputs on the judge's visible probes
  (``EvidencePlanned``), as type-exact encodings the judge compares itself.

Per-task time limits are calibrated once from the reference solution's run
time (the sandbox's ``calibrate``), so an infinite loop costs a fraction of a
second rather than the flat default.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from .actor import Actor, ActorContext
from .eventlog import (
    Event,
    EvidencePlanned,
    HiddenVerdictPosted,
    SampleGenerated,
    VisibleVerdictPosted,
)
from .humaneval import Problem, problems
from .sandbox import CheckJob, ProbeJob, SandboxPool
from .seeding import derive_int

__all__ = ["ExecutorActor", "TaskTimeLimits", "sample_seed"]


def sample_seed(run_seed: int, model: str, task_id: str, sample_idx: int) -> int:
    """The seed of Python's ``random`` inside the sandbox for one sample."""
    return derive_int(run_seed, model, task_id, sample_idx, size=4)


class TaskTimeLimits:
    """Each task's time limit, calibrated once from its reference solution on ``pool``.

    Concurrent callers for one task share the one calibration. A task whose
    reference does not pass (or cannot run) gets None: the pool's default limit.
    One run of the reference is enough: the limit is ``max(floor, 10 x)`` its
    time, and a slow measurement only makes the limit more lenient.
    """

    def __init__(self, pool: Any, *, runs: int = 1) -> None:
        self.pool = pool
        self.runs = runs
        self._limits: dict[str, asyncio.Future[float | None]] = {}

    async def get(self, problem: Problem) -> float | None:
        future = self._limits.get(problem.task_id)
        if future is None:
            future = self._limits[problem.task_id] = asyncio.get_running_loop().create_future()
            try:
                limit = await self.pool.calibrate(
                    CheckJob(problem.prompt, problem.canonical_solution, problem.test, problem.entry_point),
                    runs=self.runs,
                )
            except Exception:
                limit = None
            future.set_result(limit)
        return await future


class ExecutorActor(Actor):
    name = "executor"
    subscribes: ClassVar[tuple[str, ...]] = ("sample_generated", "evidence_planned")
    outputs: ClassVar[tuple[str, ...]] = ("hidden_verdict_posted", "visible_verdict_posted")

    def __init__(
        self, ctx: ActorContext, pool: SandboxPool, *, concurrency: int | None = None,
        test_writers: frozenset[str] = frozenset(),
    ) -> None:
        self.max_inflight = concurrency or 2 * max(1, getattr(pool, "workers", 2))
        self.mailbox_size = 8192
        super().__init__(ctx)
        self.pool = pool
        #: plans by (task, owner): owner "" is the shared plan, a model's name its own (with its tests)
        self.plans: dict[tuple[str, str], EvidencePlanned] = {}
        self.waiting: dict[tuple[str, str], list[SampleGenerated]] = {}
        self.test_writers = test_writers
        self.limits = TaskTimeLimits(pool)

    async def handle(self, event: Event) -> None:
        match event:
            case EvidencePlanned():
                self.plans[(event.task_id, event.model)] = event
                for sample in self.waiting.pop((event.task_id, event.model), []):
                    await self._probe(sample)
            case SampleGenerated():
                hidden_key = f"hidden:{event.model}:{event.task_id}:{event.sample_idx}"
                if hidden_key not in self.done:
                    await self.spawn(self._check(event, hidden_key), about=hidden_key)
                plan_key = self._plan_key(event)
                if plan_key in self.plans:
                    await self._probe(event)
                else:
                    self.waiting.setdefault(plan_key, []).append(event)

    def _plan_key(self, sample: SampleGenerated) -> tuple[str, str]:
        return sample.task_id, sample.model if sample.model in self.test_writers else ""

    async def _check(self, sample: SampleGenerated, key: str) -> None:
        problem = problems()[sample.task_id]
        arrived = self.ctx.clock()
        limit = await self.limits.get(problem)
        job = CheckJob(
            prompt=problem.prompt,
            completion=sample.code,
            test=problem.test,
            entry_point=problem.entry_point,
            timeout_s=limit,
            seed=sample_seed(self.ctx.seed, sample.model, sample.task_id, sample.sample_idx),
        )
        result = await self.pool.check(job)
        await self.emit(
            HiddenVerdictPosted(
                key=key,
                task_id=sample.task_id,
                model=sample.model,
                sample_idx=sample.sample_idx,
                passed=result.passed,
                status=result.status,
                detail=result.detail[:500],
                duration_ms=round(result.duration_ms, 3),
                arrived_ts=arrived,
            )
        )

    async def _probe(self, sample: SampleGenerated) -> None:
        key = f"visible:{sample.model}:{sample.task_id}:{sample.sample_idx}"
        if key not in self.done:
            await self.spawn(self._run_probe(sample, key), about=key)

    async def _run_probe(self, sample: SampleGenerated, key: str) -> None:
        plan = self.plans[self._plan_key(sample)]
        problem = problems()[sample.task_id]
        if not plan.calls:
            outputs: list[str | None] = []
            status, detail = "no-probes", ""
        else:
            limit = await self.limits.get(problem)
            result = await self.pool.probe(
                ProbeJob(
                    code=problem.prompt + sample.code,
                    entry_point=problem.entry_point,
                    calls=list(plan.calls),
                    timeout_s=limit,
                    seed=sample_seed(self.ctx.seed, sample.model, sample.task_id, sample.sample_idx),
                )
            )
            outputs, status, detail = list(result.outputs), result.status, result.detail[:300]
        await self.emit(
            VisibleVerdictPosted(
                key=key,
                task_id=sample.task_id,
                model=sample.model,
                sample_idx=sample.sample_idx,
                outputs=outputs,
                status=status,
                detail=detail,
            )
        )
