"""How the monitor copes with a large log: fold rate, refresh cost, and UI responsiveness.

    .venv/bin/python benchmarks/bench_monitor.py [--events 1000000] [--log PATH]

Builds (or reuses, with --log) a synthetic SQLite log of about --events events
(4 models, 16 samples per task, budgets 1/4/16, resource samples), then prints:

* append rate of the log (when it builds one);
* fold rate of the monitor's source (pages read, decoded and folded by ``apply``);
* the cost of one refresh on the final state (``run_metrics`` and the view models);
* the headless app catching up with the whole log: time to catch up, and the
  event loop's lag measured by a 20 Hz probe timer (p50/p99/max), i.e. how
  long a key press could wait while the worker folds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from azr_actors.eventlog import (
    HiddenVerdictPosted,
    ModelInfo,
    ResourceSampled,
    RunFinished,
    RunStarted,
    SampleGenerated,
    SelectionMade,
    TaskScheduled,
    VisibleVerdictPosted,
    open_store,
)
from azr_actors.eventlog.events import Event
from azr_actors.replay import views
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import RunState, apply

from azr_actors.tui import MonitorApp, follow_log

MODELS = ("m0", "m1", "m2", "m3")
BUDGETS = (1, 4, 16)
PER_TASK = 1 + 16 * 3 + len(BUDGETS)


def synthetic(n_events: int) -> list[Event]:
    """About ``n_events`` events of a run with enough tasks to reach that size (deterministic)."""
    n_tasks = max(1, n_events // (PER_TASK * len(MODELS)))
    tasks = [f"T/{i}" for i in range(n_tasks)]
    ts = 1_700_000_000.0
    out: list[Event] = [
        RunStarted(
            key="run",
            run_id="bench",
            ts=ts,
            seed=1,
            tasks=tasks,
            budgets=list(BUDGETS),
            suites=["code"],
            models=[
                ModelInfo(name=m, spec=f"sim:{m}", provider="sim", simulated=True) for m in MODELS
            ],
        )
    ]
    for t, task in enumerate(tasks):
        for mi, model in enumerate(MODELS):
            ts += 0.01
            out.append(TaskScheduled(key=f"s:{model}:{task}", ts=ts, task_id=task, model=model))
            for i in range(16):
                ok = (t + i + mi) % 3 == 0
                out.append(
                    SampleGenerated(
                        key=f"g:{model}:{task}:{i}",
                        ts=ts,
                        task_id=task,
                        model=model,
                        sample_idx=i,
                        raw="def f(): pass",
                        code="def f(): pass",
                        total_ms=100.0 + (t * 7 + i) % 300,
                    )
                )
                out.append(
                    VisibleVerdictPosted(
                        key=f"v:{model}:{task}:{i}",
                        ts=ts,
                        task_id=task,
                        model=model,
                        sample_idx=i,
                        outputs=["1"],
                    )
                )
                out.append(
                    HiddenVerdictPosted(
                        key=f"h:{model}:{task}:{i}",
                        ts=ts,
                        task_id=task,
                        model=model,
                        sample_idx=i,
                        passed=ok,
                        status="passed" if ok else "failed",
                    )
                )
            for b in BUDGETS:
                pick = next((i for i in range(b) if (t + i + mi) % 3 == 0), 0)
                out.append(
                    SelectionMade(
                        key=f"p:{model}:{task}:{b}",
                        ts=ts,
                        task_id=task,
                        model=model,
                        budget=b,
                        sample_idx=pick,
                        reason="bench",
                        stop=b == BUDGETS[-1],
                    )
                )
        if t % 5 == 0:
            out.append(
                ResourceSampled(
                    key=f"r:{t}",
                    ts=ts,
                    cpu_percent=50.0,
                    rss_mb=200.0,
                    mem_available_mb=1e4,
                    disk_free_mb=1e5,
                    mailboxes={"judge": t % 7, "executor": t % 11},
                )
            )
    out.append(RunFinished(key="end", ts=ts, status="completed", tasks_completed=n_tasks))
    return out


async def build_log(path: Path, n_events: int) -> None:
    events = synthetic(n_events)
    start = time.perf_counter()
    store = open_store(path, create=True)
    await store.open()
    try:
        for i in range(0, len(events), 10_000):
            await store.append(events[i : i + 10_000])
    finally:
        await store.close()
    took = time.perf_counter() - start
    print(
        f"log: {len(events)} events appended in {took:.1f} s ({len(events) / took:,.0f} events/s)"
    )


async def fold_rate(path: Path) -> RunState:
    state = RunState()
    start = time.perf_counter()
    source = follow_log(path, poll_s=0.05)()
    async for batch in source:
        if not batch:
            break
        for event in batch:
            apply(state, event)
    await source.aclose()
    took = time.perf_counter() - start
    print(
        f"fold: {state.events} events in {took:.1f} s ({state.events / took:,.0f} events/s, pages of 2000)"
    )
    return state


def refresh_cost(state: RunState) -> None:
    for name, fn in (
        ("run_metrics", lambda: run_metrics(state)),
        ("progress_view", lambda: views.progress_view(state)),
        ("latency_rows", lambda: views.latency_rows(state)),
        ("health_view", lambda: views.health_view(state)),
        ("task_rows(one model)", lambda: views.task_rows(state, MODELS[0])),
    ):
        start = time.perf_counter()
        fn()
        print(f"refresh: {name:<22} {(time.perf_counter() - start) * 1000:8.1f} ms")


async def app_lag(path: Path) -> None:
    app = MonitorApp(follow_log(path, poll_s=0.1), label=str(path))
    lags: list[tuple[float, float, bool]] = []  # (lag, when, snapshot build in flight)
    async with app.run_test(size=(80, 24)) as pilot:
        start = last = time.perf_counter()

        def probe() -> None:
            nonlocal last
            now = time.perf_counter()
            lags.append((max(0.0, now - last - 0.05), now - start, app._building))
            last = now

        app.set_interval(0.05, probe)
        while not app.settled:
            await pilot.pause(0.05)
        caught_up = time.perf_counter() - start
    ordered = sorted(lag for lag, _, _ in lags)
    p99 = ordered[int(0.99 * (len(ordered) - 1))] if ordered else 0.0
    print(
        f"app: caught up with {app.state.events} events in {caught_up:.1f} s; event-loop lag "
        f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms"
    )
    for lag, when, building in sorted(lags, reverse=True)[:3]:
        print(
            f"app: lag {lag * 1000:.0f} ms at {when:.1f} s{' (snapshot build in flight)' if building else ''}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, default=None, help="use (or build, if absent) this log")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.log or Path(tmp) / "bench.db"
        if not path.exists():
            await build_log(path, args.events)
        state = await fold_rate(path)
        refresh_cost(state)
        await app_lag(path)


if __name__ == "__main__":
    asyncio.run(main())
