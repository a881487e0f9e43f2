"""The generator actor: draws samples from one model, budget by budget.

It consumes ``TaskScheduled`` (draw the first budget's samples, or answer a
harm scenario), ``SelectionMade`` with ``stop=False`` (draw up to the next
budget; with ``gated`` only once the run's ``RunDecided`` for that boundary
says to go on) and ``RunDecided`` (draw no further budget), and appends ``SampleRequested``, ``ProviderRetried``,
``SampleGenerated`` or ``GenerationFailed``, and ``HarmResponseGenerated``.

Each request carries a salt derived from the run's seed, the model, the task and
the sample index: a harmless nonce that keeps caches from being shared across
models and makes a copied answer traceable.
"""

from __future__ import annotations

from typing import ClassVar

from .actor import Actor, ActorContext
from .eventlog import (
    Event,
    GenerationFailed,
    HarmResponseGenerated,
    ProviderRetried,
    RunDecided,
    SampleGenerated,
    SampleRequested,
    SelectionMade,
    TaskScheduled,
    TestsWritten,
)
from .extraction import extract
from .humaneval import problems
from .providers.base import Completion, CompletionRequest, Provider, ProviderError, RetryInfo
from .seeding import derive_hex

__all__ = ["TESTS_SAMPLE_IDX", "GeneratorActor", "salt_for"]

#: the request index of a model's tests for a task (samples count from 0)
TESTS_SAMPLE_IDX = -1


def salt_for(seed: int, model: str, task_id: str, sample_idx: int) -> str:
    """The recorded nonce of one request."""
    return derive_hex(seed, model, task_id, sample_idx, size=6)


class GeneratorActor(Actor):
    subscribes: ClassVar[tuple[str, ...]] = ("task_scheduled", "selection_made", "run_decided")
    outputs: ClassVar[tuple[str, ...]] = (
        "sample_generated", "generation_failed", "harm_response_generated", "tests_written",
    )

    def __init__(
        self,
        ctx: ActorContext,
        provider: Provider,
        budgets: list[int],
        *,
        concurrency: int = 16,
        temperature: float = 0.8,
        gated: bool = False,
        writes_tests: bool = False,
    ) -> None:
        self.max_inflight = concurrency
        super().__init__(ctx)
        self.provider = provider
        self.name = f"generator:{provider.name}"
        self.budgets = budgets
        self.temperature = temperature
        #: with run-level early stopping, wait at each budget boundary for the run's decision
        self.gated = gated
        #: ask the model for tests of each task too (CodeT-style evidence for the judge)
        self.writes_tests = writes_tests
        self.decided = False
        self.released: set[int] = set()
        self.parked: dict[int, list[str]] = {}

    async def handle(self, event: Event) -> None:
        match event:
            case TaskScheduled(model=model) if model != self.provider.name:
                return
            case TaskScheduled(suite="harm"):
                await self.spawn(self._answer_harm(event.task_id), about=event.key)
            case TaskScheduled():
                if self.writes_tests and f"tests:{self.provider.name}:{event.task_id}" not in self.done:
                    await self.spawn(self._write_tests(event.task_id), about=f"tests:{event.task_id}")
                for idx in range(self.budgets[0]):
                    await self._request(event.task_id, idx)
            case RunDecided(stop=False):
                self.released.add(event.budget)
                for task_id in self.parked.pop(event.budget, []):
                    await self._next_budget(task_id, event.budget)
            case RunDecided():
                self.decided = True
                self.parked.clear()
            case SelectionMade(model=model, stop=False) if model == self.provider.name and not self.decided:
                if self.gated and event.budget not in self.released:
                    self.parked.setdefault(event.budget, []).append(event.task_id)
                else:
                    await self._next_budget(event.task_id, event.budget)

    async def _next_budget(self, task_id: str, budget: int) -> None:
        later = [b for b in self.budgets if b > budget]
        if later:
            for idx in range(budget, later[0]):
                await self._request(task_id, idx)

    async def _request(self, task_id: str, idx: int) -> None:
        key = f"gen:{self.provider.name}:{task_id}:{idx}"
        if key in self.done or f"genfail:{self.provider.name}:{task_id}:{idx}" in self.done:
            return
        await self.spawn(self._generate(task_id, idx, key), about=key)

    async def _generate(self, task_id: str, idx: int, key: str) -> None:
        model = self.provider.name
        salt = salt_for(self.ctx.seed, model, task_id, idx)
        budget = next((b for b in self.budgets if idx < b), self.budgets[-1])
        await self.emit(
            SampleRequested(key=f"req:{model}:{task_id}:{idx}", task_id=task_id, model=model, sample_idx=idx, budget=budget, salt=salt)
        )
        problem = problems()[task_id]
        request = CompletionRequest(
            prompt=problem.prompt,
            task_id=task_id,
            sample_idx=idx,
            kind="code",
            salt=salt,
            entry_point=problem.entry_point,
            temperature=self.temperature,
            seed=self.ctx.seed,
        )
        completion, error, retries = await self._complete(request)
        if completion is None:
            await self.emit(
                GenerationFailed(
                    key=f"genfail:{model}:{task_id}:{idx}", task_id=task_id, model=model, sample_idx=idx,
                    error=str(error)[:500], retries=retries,
                )
            )
            return
        extraction = extract(completion.text, problem.prompt, problem.entry_point)
        await self.emit(
            SampleGenerated(
                key=key,
                task_id=task_id,
                model=model,
                sample_idx=idx,
                raw=completion.text,
                code=extraction.code,
                extraction=extraction.method,
                salt=salt,
                ttft_ms=completion.ttft_ms,
                total_ms=completion.total_ms,
                prompt_tokens=completion.prompt_tokens,
                completion_tokens=completion.completion_tokens,
                cost_usd=completion.cost_usd,
                retries=retries,
                cached=completion.cached,
            )
        )

    async def _write_tests(self, task_id: str) -> None:
        model = self.provider.name
        problem = problems()[task_id]
        request = CompletionRequest(
            prompt=problem.prompt,
            task_id=task_id,
            sample_idx=TESTS_SAMPLE_IDX,
            kind="tests",
            salt=salt_for(self.ctx.seed, model, task_id, TESTS_SAMPLE_IDX),
            entry_point=problem.entry_point,
            temperature=0.0,
            seed=self.ctx.seed,
        )
        completion, error, _ = await self._complete(request)
        raw = completion.text if completion is not None else ""
        await self.emit(
            TestsWritten(key=f"tests:{model}:{task_id}", task_id=task_id, model=model, raw=raw, error=str(error or "")[:300])
        )

    async def _complete(self, request: CompletionRequest) -> tuple[Completion | None, ProviderError | None, int]:
        """Ask the provider, recording each retry as a ``ProviderRetried`` fact.

        Returns the completion (None when the provider gave up), its error, and the retries it took.
        """
        retries: list[RetryInfo] = []
        completion: Completion | None
        error: ProviderError | None
        try:
            completion = await self.provider.complete(request, retries.append)
        except ProviderError as exc:
            completion, error, count = None, exc, exc.retries or len(retries)
        else:
            error, count = None, completion.retries or len(retries)
        for info in retries:
            await self.emit(
                ProviderRetried(
                    key=f"retry:{self.provider.name}:{request.task_id}:{request.sample_idx}:{info.attempt}",
                    model=self.provider.name,
                    task_id=request.task_id,
                    sample_idx=request.sample_idx,
                    attempt=info.attempt,
                    reason=info.reason[:200],
                    delay_s=info.delay_s,
                )
            )
        return completion, error, count

    async def _answer_harm(self, scenario_id: str) -> None:
        from .harm import find_scenario

        model = self.provider.name
        key = f"harm:{model}:{scenario_id}"
        if key in self.done:
            return
        scenario = find_scenario(scenario_id)
        if scenario is None:
            raise ValueError(f"unknown harm scenario {scenario_id!r}")
        salt = salt_for(self.ctx.seed, model, scenario_id, 0)
        request = CompletionRequest(
            prompt=scenario.prompt, task_id=scenario_id, kind="chat", salt=salt, temperature=0.0, seed=self.ctx.seed
        )
        completion, error, _ = await self._complete(request)
        await self.emit(
            HarmResponseGenerated(
                key=key,
                scenario_id=scenario_id,
                model=model,
                category=scenario.category,
                prompt=scenario.prompt,
                response=completion.text if completion is not None else "",
                harmful_prompt=scenario.harmful,
                ttft_ms=completion.ttft_ms if completion is not None else None,
                total_ms=completion.total_ms if completion is not None else None,
                error=str(error or "")[:300],
            )
        )
