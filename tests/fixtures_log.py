"""A small, fixed, hand-made run log for the TUI, replay, query, report and demo tests.

``sample_events()`` returns the same events every time (no randomness, fixed
timestamps): two models (one simulated), a few tasks with budgets 1/4, hidden and
visible verdicts, the judge's picks, a harm suite, a collusion report, latency
requests, resource samples, a retry, an actor failure and the end of the run.
``write_log(path, events)`` stores them in a new SQLite log.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import msgspec
from azr_actors.eventlog import (
    ActorFailed,
    CollusionAnalyzed,
    Event,
    EvidencePlanned,
    HiddenVerdictPosted,
    LatencyRecorded,
    ModelInfo,
    ProviderRetried,
    ResourceSampled,
    RunFinished,
    RunStarted,
    SafetyClassified,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    VisibleVerdictPosted,
    open_store,
)

__all__ = ["RUN_ID", "T0", "make_log", "renamed", "sample_events", "write_log"]

RUN_ID = "run-fixture"
T0 = 1_700_000_000.0
MODELS = ("alpha", "beta")
TASKS = ("HumanEval/0", "HumanEval/1", "HumanEval/2", "HumanEval/3")
BUDGETS = (1, 4)


def _passes(model: str, task_idx: int, sample_idx: int) -> bool:
    """A fixed pattern: alpha's first sample fails on odd tasks, later samples mostly pass."""
    if model == "alpha":
        return not (task_idx % 2 == 1 and sample_idx == 0) and sample_idx != 2
    return (task_idx + sample_idx) % 3 == 0


def sample_events(n_tasks: int = len(TASKS)) -> list[Event]:
    """The fixed run, in append order (``seq`` is assigned by the store)."""
    tasks = [f"HumanEval/{i}" for i in range(n_tasks)]
    t = T0
    out: list[Event] = []

    def add(event_type: type[Event], key: str, dt: float = 0.25, **fields: object) -> None:
        nonlocal t
        t += dt
        out.append(event_type(key=key, run_id=RUN_ID, actor="fixture", ts=round(t, 3), **fields))  # type: ignore[arg-type]

    add(
        RunStarted,
        "run",
        seed=7,
        models=[
            ModelInfo(name="alpha", spec="sim:alpha", provider="sim", simulated=True),
            ModelInfo(name="beta", spec="samples:beta.jsonl", provider="samples"),
        ],
        tasks=tasks,
        budgets=list(BUDGETS),
        suites=["code", "harm", "collusion", "latency"],
        k_values=[1, 4],
        simulated=True,
        version="0.1.0",
        config={"harm_scenarios": 3},
    )
    for ti, task in enumerate(tasks):
        add(
            EvidencePlanned,
            f"plan:{task}",
            task_id=task,
            calls=["f(1)", "f(2)"],
            expected=["1", None],
            origins=["docstring", "derived"],
        )
        for model in MODELS:
            add(TaskScheduled, f"sched:{model}:{task}", task_id=task, model=model)
            for budget in BUDGETS:
                start = 0 if budget == 1 else BUDGETS[0]
                for si in range(start, budget):
                    passed = _passes(model, ti, si)
                    add(
                        SampleGenerated,
                        f"gen:{model}:{task}:{si}",
                        task_id=task,
                        model=model,
                        sample_idx=si,
                        raw=f"```python\ndef f(x):\n    return x + {si}\n```",
                        code=f"def f(x):\n    return x + {si}\n",
                        extraction="markdown",
                        ttft_ms=40.0 + 7 * si + ti,
                        total_ms=120.0 + 35 * si + 11 * ti,
                        prompt_tokens=50,
                        completion_tokens=20,
                        cost_usd=0.0001,
                    )
                    if model == "beta" and ti == 1 and si == 1:
                        add(
                            ProviderRetried,
                            f"retry:{model}:{task}:{si}",
                            model=model,
                            task_id=task,
                            sample_idx=si,
                            attempt=1,
                            reason="http_429: rate limited",
                            delay_s=0.5,
                        )
                    add(
                        VisibleVerdictPosted,
                        f"vis:{model}:{task}:{si}",
                        task_id=task,
                        model=model,
                        sample_idx=si,
                        outputs=["1" if passed else "0", "2"],
                    )
                    add(
                        HiddenVerdictPosted,
                        f"hid:{model}:{task}:{si}",
                        task_id=task,
                        model=model,
                        sample_idx=si,
                        passed=passed,
                        status="passed" if passed else "failed",
                        duration_ms=12.0 + si,
                    )
                best = (
                    next((i for i in range(budget) if _passes(model, ti, i)), 0)
                    if budget > 1
                    else 0
                )
                add(
                    SelectionMade,
                    f"sel:{model}:{task}:{budget}",
                    task_id=task,
                    model=model,
                    budget=budget,
                    sample_idx=best,
                    reason="agrees with the docstring examples" if budget > 1 else "first sample",
                    stop=budget == BUDGETS[-1],
                    stop_reason="budget exhausted" if budget == BUDGETS[-1] else "",
                    scores={str(i): (1.0 if _passes(model, ti, i) else 0.0) for i in range(budget)},
                    samples=budget,
                )
        add(
            ResourceSampled,
            f"res:{ti}",
            cpu_percent=20.0 + 5 * ti,
            rss_mb=150.0 + ti,
            mem_available_mb=4000.0,
            disk_free_mb=9000.0,
            mailboxes={"judge": ti, "executor": 2 * ti},
        )
    labels = [
        ("cyber", True, "refused"),
        ("chem", True, "slipped"),
        ("benign", False, "answered_safe"),
    ]
    for model in MODELS:
        for i, (category, harmful, label) in enumerate(labels):
            add(
                SafetyClassified,
                f"harm:{model}:{i}",
                scenario_id=f"h{i}",
                model=model,
                category=category,
                harmful_prompt=harmful,
                label=label if model == "alpha" else "refused",
            )
    add(
        CollusionAnalyzed,
        "collusion",
        report={
            "risk_level": "LOW",
            "pairs": [
                {
                    "a": "alpha",
                    "b": "beta",
                    "mean_similarity": 0.31,
                    "ci95": [0.2, 0.4],
                    "t_stat": 1.2,
                    "p_value": 0.2,
                    "risk_level": "LOW",
                }
            ],
            "flagged": [],
        },
    )
    for i in range(12):
        add(
            LatencyRecorded,
            f"lat:alpha:normal:{i}",
            dt=0.05,
            scenario="normal",
            model="alpha",
            request_idx=i,
            total_ms=100.0 + 13 * (i % 5) + (400.0 if i == 11 else 0.0),
            ttft_ms=30.0 + i,
        )
    add(
        ActorFailed,
        "fail:judge:1",
        failed_actor="judge",
        error="ValueError: example",
        on_event="sel:beta:HumanEval/0:4",
    )
    add(RunFinished, "finished", status="completed", tasks_completed=n_tasks)
    return out


async def write_log(path: Path, events: list[Event]) -> Path:
    """Store ``events`` in a new SQLite log at ``path``; return the path."""
    return await _store(path, events, create=True)


async def append_log(path: Path, events: list[Event]) -> Path:
    """Append ``events`` to the existing log at ``path`` (as the run's writer would); return the path."""
    return await _store(path, events, create=False)


async def _store(path: Path, events: list[Event], *, create: bool) -> Path:
    store = open_store(path, create=create, readonly=False)
    await store.open()
    try:
        await store.append(events)
    finally:
        await store.close()
    return path


def make_log(path: Path, events: list[Event] | None = None) -> Path:
    """``write_log`` for synchronous tests (the CLI runs its own event loop)."""
    return asyncio.run(write_log(path, sample_events() if events is None else events))


def renamed(value: object, old: str, new: str) -> object:
    """``value`` (an event, a list of them, ...) with every string equal to ``old``, in fields,
    lists and dict keys, renamed ``new``: the fixture under hostile model names or task ids."""
    if isinstance(value, str):
        return new if value == old else value
    if isinstance(value, list):
        return [renamed(v, old, new) for v in value]
    if isinstance(value, tuple):
        return tuple(renamed(v, old, new) for v in value)
    if isinstance(value, dict):
        return {renamed(k, old, new): renamed(v, old, new) for k, v in value.items()}
    if isinstance(value, msgspec.Struct):
        fields = {f: renamed(getattr(value, f), old, new) for f in value.__struct_fields__}
        return msgspec.structs.replace(value, **fields)
    return value
