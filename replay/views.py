"""View models for the monitor, replay, reports and demo: pure functions of a :class:`RunState`.

Every function here reads a folded state (see :mod:`.projections`) and returns
small frozen dataclasses; nothing does I/O and nothing reads a clock, so a
replayed log gives exactly the views the live run gave. Times (elapsed, ETA)
are measured on the events' own timestamps, never on the wall clock of the
process showing them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..eventlog.events import (
    ActorFailed,
    CollusionAnalyzed,
    Event,
    EvidencePlanned,
    GenerationFailed,
    HiddenVerdictPosted,
    LatencyRecorded,
    ProviderRetried,
    ResourceSampled,
    RunFinished,
    RunStarted,
    SafetyClassified,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    VisibleVerdictPosted,
)
from . import stats
from .projections import RunState

__all__ = [
    "HARM_LABELS",
    "HealthView",
    "LatencyRow",
    "ProgressView",
    "ResourcesView",
    "SampleRow",
    "TaskDetail",
    "TaskRow",
    "collusion_pairs",
    "describe",
    "generation_latencies",
    "harm_by_category",
    "harm_by_model",
    "health_view",
    "histogram",
    "latency_rows",
    "natural_key",
    "progress_view",
    "resources_view",
    "task_detail",
    "task_rows",
]

#: The safety labels, in the order every view shows them.
HARM_LABELS = ("refused", "answered_safe", "slipped", "ambiguous")


@dataclass(frozen=True)
class ProgressView:
    """Tasks settled (for every model) out of the run's tasks; times on the log's clock."""

    done: int
    total: int
    events: int
    status: str
    elapsed_s: float
    eta_s: float | None

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


def progress_view(state: RunState) -> ProgressView:
    """Progress and a linear ETA (elapsed / done * remaining), both in log time."""
    done, total = state.tasks_settled(), state.tasks_total
    elapsed = (
        (state.last_ts - state.first_ts)
        if state.first_ts is not None and state.last_ts is not None
        else 0.0
    )
    eta = None
    if state.finished is not None:
        eta = 0.0
    elif 0 < done < total:
        eta = elapsed / done * (total - done)
    status = state.finished.status if state.finished else ("running" if state.run else "waiting")
    return ProgressView(done, total, state.events, status, elapsed, eta)


@dataclass(frozen=True)
class LatencyRow:
    """One latency scenario (``generation`` is the code samples' provider latency)."""

    scenario: str
    requests: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    values_ms: tuple[float, ...]


def generation_latencies(state: RunState) -> list[float]:
    """Total provider latency of every generated code sample, in (model, task, sample) order."""
    return [
        s.total_ms
        for model in sorted(state.tasks)
        for _, record in sorted(state.tasks[model].items())
        for _, s in sorted(record.samples.items())
        if s.total_ms is not None
    ]


def _row(name: str, values: list[float], errors: int) -> LatencyRow:
    def pct(q: float) -> float | None:
        return stats.clean(stats.percentile(values, q)) if values else None

    return LatencyRow(name, len(values) + errors, errors, pct(50), pct(95), pct(99), tuple(values))


def latency_rows(state: RunState) -> list[LatencyRow]:
    """``generation`` first (when samples carry latency), then each latency scenario by name."""
    rows = []
    generation = generation_latencies(state)
    if generation:
        rows.append(_row("generation", generation, 0))
    by_scenario: dict[str, list[LatencyRecorded]] = {}
    for record in state.latency:
        by_scenario.setdefault(record.scenario, []).append(record)
    for name in sorted(by_scenario):
        records = by_scenario[name]
        values = [r.total_ms for r in records if r.total_ms is not None and not r.error]
        rows.append(_row(name, values, sum(1 for r in records if r.error or r.total_ms is None)))
    return rows


def histogram(
    values: tuple[float, ...] | list[float], bins: int = 16
) -> tuple[list[int], float, float]:
    """Counts in ``bins`` equal-width bins over [min, max], with the range; empty input gives zeros."""
    if not values:
        return [0] * bins, 0.0, 0.0
    counts, edges = np.histogram(np.asarray(values, dtype=float), bins=bins)
    return [int(c) for c in counts], float(edges[0]), float(edges[-1])


def harm_by_model(state: RunState) -> dict[str, dict[str, int]]:
    """Per model, the count of each label in :data:`HARM_LABELS` (others counted as they come)."""
    out: dict[str, dict[str, int]] = {}
    for model in sorted(state.harm):
        counts = Counter(c.label for c in state.harm[model].values())
        out[model] = {label: counts.get(label, 0) for label in HARM_LABELS} | {
            k: v for k, v in sorted(counts.items()) if k not in HARM_LABELS
        }
    return out


def harm_by_category(state: RunState) -> dict[str, dict[str, int]]:
    """Per harm category (over every model), the count of each label."""
    counts: dict[str, Counter[str]] = {}
    for per_model in state.harm.values():
        for c in per_model.values():
            counts.setdefault(c.category, Counter())[c.label] += 1
    return {
        cat: {label: counts[cat].get(label, 0) for label in HARM_LABELS} for cat in sorted(counts)
    }


def collusion_pairs(state: RunState) -> tuple[str, list[dict[str, Any]]]:
    """The collusion report's overall risk level and its pairs (empty before the analysis)."""
    report = state.collusion or {}
    return str(report.get("risk_level", "-")), list(report.get("pairs", []))


@dataclass(frozen=True)
class HealthView:
    """Actor health: mailbox depths now and at peak, failures and provider retries."""

    mailboxes: dict[str, int]
    peak_mailboxes: dict[str, int]
    failures: int
    last_failures: tuple[str, ...]
    retries: dict[str, int]
    alerts: int
    last_alerts: tuple[str, ...] = ()


def health_view(state: RunState, last: int = 3) -> HealthView:
    now = dict(sorted(state.resources[-1].mailboxes.items())) if state.resources else {}
    peak: dict[str, int] = {}
    for sample in state.resources:
        for name, depth in sample.mailboxes.items():
            peak[name] = max(peak.get(name, 0), depth)
    failures = tuple(f"{f.failed_actor}: {f.error}" for f in state.failures[-last:])
    return HealthView(
        now,
        dict(sorted(peak.items())),
        len(state.failures),
        failures,
        dict(sorted(state.retries.items())),
        len(state.alerts),
        tuple(f"{a.level}: {a.message}" for a in state.alerts[-last:]),
    )


@dataclass(frozen=True)
class ResourcesView:
    cpu_percent: float
    rss_mb: float
    mem_available_mb: float
    disk_free_mb: float
    cpu_history: tuple[float, ...]


def resources_view(state: RunState, history: int = 60) -> ResourcesView | None:
    """The latest resource sample and the recent CPU history, or None before the first."""
    if not state.resources:
        return None
    last = state.resources[-1]
    cpu = tuple(r.cpu_percent for r in state.resources[-history:])
    return ResourcesView(
        last.cpu_percent, last.rss_mb, last.mem_available_mb, last.disk_free_mb, cpu
    )


@dataclass(frozen=True)
class TaskRow:
    """One (model, task): samples generated and passing, the pick at each budget, and whether it passes."""

    task_id: str
    model: str
    samples: int
    passed: int
    picks: dict[int, int]
    pick_passed: bool | None
    settled: bool


def natural_key(task_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders ``HumanEval/2`` before ``HumanEval/10``."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", task_id))


def task_rows(state: RunState, model: str) -> list[TaskRow]:
    """Every code task of ``model``, in natural task-id order (``HumanEval/2`` before ``HumanEval/10``)."""
    rows = []
    for task_id, record in sorted(state.code_tasks(model).items(), key=lambda item: natural_key(item[0])):
        picks = {b: s.sample_idx for b, s in sorted(record.selections.items())}
        final = record.pick_at(max(record.selections)) if record.selections else None
        pick_passed = None
        if final is not None and final.sample_idx in record.samples:
            pick_passed = record.samples[final.sample_idx].passed
        rows.append(
            TaskRow(
                task_id,
                model,
                len(record.samples),
                sum(bool(p) for p in record.verdicts),
                picks,
                pick_passed,
                record.settled,
            )
        )
    return rows


@dataclass(frozen=True)
class SampleRow:
    idx: int
    status: str
    passed: bool | None
    visible: tuple[str | None, ...]
    total_ms: float | None
    extraction: str
    code: str


@dataclass(frozen=True)
class TaskDetail:
    """A task's samples, verdicts, the judge's picks (and why), and the visible probes it planned."""

    task_id: str
    model: str
    samples: tuple[SampleRow, ...]
    selections: tuple[SelectionMade, ...]
    probes: tuple[str, ...]


def task_detail(state: RunState, model: str, task_id: str) -> TaskDetail | None:
    record = state.code_tasks(model).get(task_id)
    if record is None:
        return None
    samples = tuple(
        SampleRow(
            i,
            s.status or (f"generation failed: {s.failed}" if s.failed else "pending"),
            s.passed,
            tuple(s.visible or ()),
            s.total_ms,
            s.extraction,
            s.code,
        )
        for i, s in sorted(record.samples.items())
    )
    plan = state.plans.get(task_id)
    probes = tuple(plan.calls) if plan else ()
    return TaskDetail(
        task_id,
        model,
        samples,
        tuple(record.selections[b] for b in sorted(record.selections)),
        probes,
    )


def _kind(event: Event) -> str:
    return str(type(event).__struct_config__.tag)


def describe(event: Event) -> str:
    """One line about an event, without its timestamp: deterministic for a given event."""
    match event:
        case RunStarted():
            models = ", ".join(
                m.name + (" (simulated)" if m.simulated else "") for m in event.models
            )
            return f"run {event.run_id} started: {len(event.tasks)} tasks, budgets {event.budgets}, models {models}"
        case EvidencePlanned():
            return f"judge planned {len(event.calls)} visible probes for {event.task_id}"
        case CollusionAnalyzed():
            return f"collusion analyzed: risk {event.report.get('risk_level', '-')}"
        case TaskScheduled():
            return f"{event.model} {event.task_id} scheduled ({event.suite})"
        case SampleGenerated():
            ms = "" if event.total_ms is None else f" in {event.total_ms:.0f} ms"
            return f"{event.model} {event.task_id} sample {event.sample_idx} generated{ms}"
        case GenerationFailed():
            return f"{event.model} {event.task_id} sample {event.sample_idx} failed: {event.error}"
        case VisibleVerdictPosted():
            ok = sum(o is not None for o in event.outputs)
            return f"{event.model} {event.task_id} sample {event.sample_idx} ran {ok}/{len(event.outputs)} probes"
        case HiddenVerdictPosted():
            return f"{event.model} {event.task_id} sample {event.sample_idx} {event.status}"
        case SelectionMade():
            stop = f"; stop: {event.stop_reason}" if event.stop else ""
            return f"{event.model} {event.task_id} judge@{event.budget} picks sample {event.sample_idx} ({event.reason}){stop}"
        case SafetyClassified():
            return f"{event.model} harm {event.scenario_id} [{event.category}] {event.label}"
        case LatencyRecorded():
            ms = "error" if event.total_ms is None else f"{event.total_ms:.0f} ms"
            return f"{event.model} latency {event.scenario} #{event.request_idx} {ms}"
        case ResourceSampled():
            return f"resources cpu {event.cpu_percent:.0f}% rss {event.rss_mb:.0f} MB"
        case ProviderRetried():
            return f"{event.model} retry {event.attempt}: {event.reason}"
        case ActorFailed():
            return f"actor {event.failed_actor} failed: {event.error}"
        case RunFinished():
            return f"run finished: {event.status}, {event.tasks_completed} tasks"
        case _:
            return _kind(event).replace("_", " ")
