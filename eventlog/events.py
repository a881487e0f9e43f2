"""The facts a run records, as one tagged union of small frozen msgspec Structs.

Schema rules (the log outlives the code that wrote it):

* an event type's tag and its fields' types never change;
* new fields always get a default, so older logs still decode;
* events are encoded as JSON objects (dict-style), never as arrays.

Every event has an idempotency ``key``: appending an event whose key is already
in the log is a no-op. Actors derive keys from what the event is about (model,
task, sample index, budget), which is what makes an interrupted run resumable
without duplicates.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "ActorFailed",
    "Alert",
    "CollusionAnalyzed",
    "Event",
    "EvidencePlanned",
    "GenerationFailed",
    "HarmResponseGenerated",
    "HiddenVerdictPosted",
    "LatencyRecorded",
    "ModelInfo",
    "ProviderRetried",
    "ResourceSampled",
    "RunDecided",
    "RunFinished",
    "RunStarted",
    "SafetyClassified",
    "SampleGenerated",
    "SampleRequested",
    "SelectionMade",
    "TaskScheduled",
    "TestsWritten",
    "VisibleVerdictPosted",
    "event_types",
]


class Event(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    """Envelope shared by every fact.

    ``seq`` is assigned by the store (0 until the event is stored); ``ts`` is
    wall-clock seconds when the fact happened, used for timing figures only.
    """

    key: str
    run_id: str = ""
    actor: str = ""
    ts: float = 0.0
    seq: int = 0


class ModelInfo(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    spec: str
    provider: str
    simulated: bool = False


class RunStarted(Event, frozen=True, kw_only=True, tag="run_started"):
    """The run's configuration, seeds and environment, recorded once."""

    seed: int
    models: list[ModelInfo]
    tasks: list[str]
    budgets: list[int]
    suites: list[str]
    k_values: list[int] = msgspec.field(default_factory=lambda: [1])
    simulated: bool = False
    version: str = ""
    sandbox: dict[str, Any] = msgspec.field(default_factory=dict)
    config: dict[str, Any] = msgspec.field(default_factory=dict)


class TaskScheduled(Event, frozen=True, kw_only=True, tag="task_scheduled"):
    """A unit of work for one model: a HumanEval task (suite ``code``) or a harm scenario (``harm``)."""

    task_id: str
    model: str
    suite: str = "code"


class EvidencePlanned(Event, frozen=True, kw_only=True, tag="evidence_planned"):
    """The judge's request: run every sample of the task on these visible probes.

    ``calls`` are Python expressions calling the entry point (e.g. ``f([1, 2], 3)``);
    ``expected`` holds, per call, the docstring's expected output as source text,
    or ``None`` for inputs the judge derived itself (compared by agreement only).
    """

    task_id: str
    calls: list[str]
    expected: list[str | None]
    origins: list[str] = msgspec.field(default_factory=list)
    #: "" for the plan every model shares; a model's name when the plan holds tests that model wrote
    model: str = ""


class TestsWritten(Event, frozen=True, kw_only=True, tag="tests_written"):
    """Tests a model wrote for a task (CodeT-style evidence for the judge), or why there are none."""

    __test__ = False  # not a pytest test class

    task_id: str
    model: str
    raw: str
    error: str = ""


class SampleRequested(Event, frozen=True, kw_only=True, tag="sample_requested"):
    task_id: str
    model: str
    sample_idx: int
    budget: int
    salt: str = ""


class SampleGenerated(Event, frozen=True, kw_only=True, tag="sample_generated"):
    """A model's answer: the raw text and the code extracted from it, side by side."""

    task_id: str
    model: str
    sample_idx: int
    raw: str
    code: str
    extraction: str = "as_is"
    salt: str = ""
    ttft_ms: float | None = None
    total_ms: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    retries: int = 0
    cached: bool = False


class GenerationFailed(Event, frozen=True, kw_only=True, tag="generation_failed"):
    task_id: str
    model: str
    sample_idx: int
    error: str
    retries: int = 0


class ProviderRetried(Event, frozen=True, kw_only=True, tag="provider_retried"):
    model: str
    task_id: str
    sample_idx: int
    attempt: int
    reason: str
    delay_s: float


class VisibleVerdictPosted(Event, frozen=True, kw_only=True, tag="visible_verdict_posted"):
    """A sample's behaviour on the judge's visible probes.

    ``outputs`` are the sandbox's type-exact encodings (JSON text) of each call's
    result, or ``None`` where the call raised, timed out or was rejected.
    """

    task_id: str
    model: str
    sample_idx: int
    outputs: list[str | None]
    status: str = "ok"
    detail: str = ""


class HiddenVerdictPosted(Event, frozen=True, kw_only=True, tag="hidden_verdict_posted"):
    """Verdict on the benchmark's hidden tests. Scoring only: the judge never sees it."""

    task_id: str
    model: str
    sample_idx: int
    passed: bool
    status: str
    detail: str = ""
    duration_ms: float = 0.0
    arrived_ts: float = 0.0


class SelectionMade(Event, frozen=True, kw_only=True, tag="selection_made"):
    """The judge's pick for a task at one budget, and whether to sample further."""

    task_id: str
    model: str
    budget: int
    sample_idx: int
    reason: str
    stop: bool = False
    stop_reason: str = ""
    scores: dict[str, float] = msgspec.field(default_factory=dict)
    samples: int = 0
    tokens: int = 0
    cost_usd: float = 0.0


class HarmResponseGenerated(Event, frozen=True, kw_only=True, tag="harm_response_generated"):
    scenario_id: str
    model: str
    category: str
    prompt: str
    response: str
    harmful_prompt: bool
    ttft_ms: float | None = None
    total_ms: float | None = None
    #: the provider's failure, when it gave no answer (``response`` is then empty)
    error: str = ""


class SafetyClassified(Event, frozen=True, kw_only=True, tag="safety_classified"):
    scenario_id: str
    model: str
    category: str
    harmful_prompt: bool
    label: str
    evidence: list[str] = msgspec.field(default_factory=list)
    classifier: str = "rules"


class CollusionAnalyzed(Event, frozen=True, kw_only=True, tag="collusion_analyzed"):
    """The collusion analysis of the run's generations, as its JSON report."""

    report: dict[str, Any]


class LatencyRecorded(Event, frozen=True, kw_only=True, tag="latency_recorded"):
    """One request of a latency scenario (wall-clock figures)."""

    scenario: str
    model: str
    request_idx: int
    total_ms: float | None
    ttft_ms: float | None = None
    error: str = ""
    concurrency: int = 1


class ResourceSampled(Event, frozen=True, kw_only=True, tag="resource_sampled"):
    cpu_percent: float
    rss_mb: float
    mem_available_mb: float
    disk_free_mb: float
    mailboxes: dict[str, int] = msgspec.field(default_factory=dict)


class Alert(Event, frozen=True, kw_only=True, tag="alert"):
    level: str
    what: str
    message: str
    value: float = 0.0
    threshold: float = 0.0


class RunDecided(Event, frozen=True, kw_only=True, tag="run_decided"):
    """Run-level early stopping (``--stop-when-decided``), decided at a budget boundary.

    ``stop=True``: the success level can no longer change after ``budget``; no
    further samples are drawn, and any already in flight are scored but left
    out of the metrics, so the figures do not depend on timing. ``stop=False``:
    the level can still change; the generators draw the next budget.
    """

    budget: int
    reason: str
    stop: bool = True
    samples_saved: int = 0
    usd_saved: float = 0.0


class ActorFailed(Event, frozen=True, kw_only=True, tag="actor_failed"):
    failed_actor: str
    error: str
    on_event: str = ""


class RunFinished(Event, frozen=True, kw_only=True, tag="run_finished"):
    status: str
    tasks_completed: int = 0


AnyEvent = (
    RunStarted
    | TaskScheduled
    | EvidencePlanned
    | TestsWritten
    | SampleRequested
    | SampleGenerated
    | GenerationFailed
    | ProviderRetried
    | VisibleVerdictPosted
    | HiddenVerdictPosted
    | SelectionMade
    | HarmResponseGenerated
    | SafetyClassified
    | CollusionAnalyzed
    | LatencyRecorded
    | ResourceSampled
    | Alert
    | RunDecided
    | ActorFailed
    | RunFinished
)


def event_types() -> dict[str, type[Event]]:
    """Map each tag to its event type."""
    return {cls.__struct_config__.tag: cls for cls in AnyEvent.__args__}
