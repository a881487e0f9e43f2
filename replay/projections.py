"""The run's state, as a fold over its events.

``apply(state, event)`` folds one event into a :class:`RunState` and returns it
(the state is updated in place: a million-event log is folded once, not
copied a million times). ``fold(events)`` folds a whole sequence. Nothing here
does I/O: the live monitor, ``azr metrics``, replay and reports all call these
same functions, which is why they show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..eventlog.events import (
    ActorFailed,
    Alert,
    CollusionAnalyzed,
    Event,
    EvidencePlanned,
    GenerationFailed,
    HarmResponseGenerated,
    HiddenVerdictPosted,
    LatencyRecorded,
    ModelInfo,
    ProviderRetried,
    ResourceSampled,
    RunDecided,
    RunFinished,
    RunStarted,
    SafetyClassified,
    SampleGenerated,
    SampleRequested,
    SelectionMade,
    TaskScheduled,
    VisibleVerdictPosted,
)

__all__ = ["RunState", "SampleRecord", "TaskRecord", "apply", "fold"]


@dataclass
class SampleRecord:
    """What the log says about one sample."""

    raw: str = ""
    code: str = ""
    extraction: str = ""
    ttft_ms: float | None = None
    total_ms: float | None = None
    tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    cached: bool = False
    generated_ts: float = 0.0
    failed: str = ""
    visible: list[str | None] | None = None
    visible_status: str = ""
    passed: bool | None = None
    status: str = ""
    detail: str = ""
    verdict_ts: float = 0.0


@dataclass
class TaskRecord:
    """One (model, task) pair: its samples, and the judge's pick at each budget."""

    task_id: str
    model: str
    samples: dict[int, SampleRecord] = field(default_factory=dict)
    requested: int = 0
    selections: dict[int, SelectionMade] = field(default_factory=dict)
    #: set by a RunDecided fact: no budget beyond it counts for this task
    closed_at: int | None = None

    def sample(self, idx: int) -> SampleRecord:
        record = self.samples.get(idx)
        if record is None:
            record = self.samples[idx] = SampleRecord()
        return record

    @property
    def final_selection(self) -> SelectionMade | None:
        """The pick that ends the task: an early stop, the pick at the largest budget,
        or the pick in force when the run was decided."""
        for budget in sorted(self.selections):
            if self.closed_at is not None and budget > self.closed_at:
                break
            if self.selections[budget].stop:
                return self.selections[budget]
        if self.closed_at is not None:
            return self.pick_at(self.closed_at)
        return None

    def pick_at(self, budget: int) -> SelectionMade | None:
        """The pick in force at ``budget``: a task that stopped earlier keeps its pick."""
        if self.closed_at is not None:
            budget = min(budget, self.closed_at)
        best = None
        for b in sorted(self.selections):
            if b <= budget:
                best = self.selections[b]
        return best

    @property
    def counted(self) -> dict[int, SampleRecord]:
        """The samples that count: all, or those below the budget at which the run was decided."""
        if self.closed_at is None:
            return self.samples
        return {i: s for i, s in self.samples.items() if i < self.closed_at}

    @property
    def verdicts(self) -> list[bool]:
        """Hidden-test outcomes of every counted sample that has one, in sample order."""
        return [s.passed for _, s in sorted(self.counted.items()) if s.passed is not None]

    @property
    def settled(self) -> bool:
        """Final pick made, and every counted sample scored (or failed to generate)."""
        if self.final_selection is None:
            return False
        return all(s.passed is not None or s.failed for s in self.counted.values())


@dataclass
class RunState:
    run: RunStarted | None = None
    models: dict[str, ModelInfo] = field(default_factory=dict)
    tasks: dict[str, dict[str, TaskRecord]] = field(default_factory=dict)
    harm: dict[str, dict[str, SafetyClassified]] = field(default_factory=dict)
    harm_responses: dict[tuple[str, str], HarmResponseGenerated] = field(default_factory=dict)
    plans: dict[str, EvidencePlanned] = field(default_factory=dict)
    collusion: dict[str, Any] | None = None
    latency: list[LatencyRecorded] = field(default_factory=list)
    resources: list[ResourceSampled] = field(default_factory=list)
    failures: list[ActorFailed] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    retries: dict[str, int] = field(default_factory=dict)
    retry_reasons: dict[str, int] = field(default_factory=dict)
    finished: RunFinished | None = None
    decided: RunDecided | None = None
    events: int = 0
    last_seq: int = 0
    first_ts: float | None = None
    last_ts: float | None = None

    def task(self, model: str, task_id: str) -> TaskRecord:
        per_model = self.tasks.setdefault(model, {})
        record = per_model.get(task_id)
        if record is None:
            record = per_model[task_id] = TaskRecord(task_id, model)
        return record

    @property
    def simulated(self) -> bool:
        return any(m.simulated for m in self.models.values())

    @property
    def budgets(self) -> list[int]:
        return list(self.run.budgets) if self.run else []

    def code_tasks(self, model: str) -> dict[str, TaskRecord]:
        return self.tasks.get(model, {})

    def tasks_settled(self, model: str | None = None) -> int:
        """Tasks settled for ``model``, or (by default) for every model."""
        models = [model] if model else list(self.tasks)
        if not models:
            return 0
        settled = [{t for t, r in self.tasks[m].items() if r.settled} for m in models if m in self.tasks]
        if not settled:
            return 0
        return len(set.intersection(*settled))

    @property
    def tasks_total(self) -> int:
        return len(self.run.tasks) if self.run else 0

    def is_complete(self) -> bool:
        """Every scheduled code task settled and every harm scenario classified, for every model."""
        run = self.run
        if run is None:
            return False
        if "code" in run.suites:
            for model in self.models:
                records = self.tasks.get(model, {})
                if len(records) < len(run.tasks) or not all(r.settled for r in records.values()):
                    return False
        if "harm" in run.suites:
            expected = int(run.config.get("harm_scenarios", 0))
            if any(len(self.harm.get(model, {})) < expected for model in self.models):
                return False
        return True


def apply(state: RunState, event: Event) -> RunState:
    """Fold one event into ``state`` (in place) and return it."""
    state.events += 1
    state.last_seq = max(state.last_seq, event.seq)
    if event.ts:
        state.first_ts = event.ts if state.first_ts is None else min(state.first_ts, event.ts)
        state.last_ts = event.ts if state.last_ts is None else max(state.last_ts, event.ts)
    match event:
        case RunStarted():
            state.run = event
            state.models = {m.name: m for m in event.models}
        case TaskScheduled(suite="code"):
            state.task(event.model, event.task_id)
        case EvidencePlanned():
            state.plans[event.task_id] = event
        case SampleRequested():
            record = state.task(event.model, event.task_id)
            record.requested = max(record.requested, event.sample_idx + 1)
        case SampleGenerated():
            s = state.task(event.model, event.task_id).sample(event.sample_idx)
            s.raw, s.code, s.extraction = event.raw, event.code, event.extraction
            s.ttft_ms, s.total_ms = event.ttft_ms, event.total_ms
            s.tokens = event.prompt_tokens + event.completion_tokens
            s.cost_usd, s.retries, s.cached = event.cost_usd, event.retries, event.cached
            s.generated_ts = event.ts
        case GenerationFailed():
            state.task(event.model, event.task_id).sample(event.sample_idx).failed = event.error
        case ProviderRetried():
            state.retries[event.model] = state.retries.get(event.model, 0) + 1
            reason = event.reason.split(":")[0]
            state.retry_reasons[reason] = state.retry_reasons.get(reason, 0) + 1
        case VisibleVerdictPosted():
            s = state.task(event.model, event.task_id).sample(event.sample_idx)
            s.visible, s.visible_status = list(event.outputs), event.status
        case HiddenVerdictPosted():
            s = state.task(event.model, event.task_id).sample(event.sample_idx)
            s.passed, s.status, s.detail = event.passed, event.status, event.detail
            s.verdict_ts = event.ts
        case SelectionMade():
            state.task(event.model, event.task_id).selections[event.budget] = event
        case HarmResponseGenerated():
            state.harm_responses[(event.model, event.scenario_id)] = event
        case SafetyClassified():
            state.harm.setdefault(event.model, {})[event.scenario_id] = event
        case CollusionAnalyzed():
            state.collusion = event.report
        case LatencyRecorded():
            state.latency.append(event)
        case ResourceSampled():
            state.resources.append(event)
        case Alert():
            state.alerts.append(event)
        case RunDecided(stop=False):
            pass
        case RunDecided():
            state.decided = event
            for records in state.tasks.values():
                for record in records.values():
                    record.closed_at = event.budget
        case ActorFailed():
            state.failures.append(event)
        case RunFinished():
            state.finished = event
    return state


def fold(events: Iterable[Event], state: RunState | None = None) -> RunState:
    """Fold ``events`` into ``state`` (a fresh one by default)."""
    state = RunState() if state is None else state
    for event in events:
        apply(state, event)
    return state
