"""``azr run``: wire the actors to one log and drive a run to its end.

The run is identified by a fingerprint of what determines its results (models,
tasks, budgets, suites, seed), so re-running the same command finds the same
log and resumes it: every actor skips the work whose facts are already stored,
and idempotency keys make a repeated fact a no-op.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__
from .actor import Actor, ActorContext, Supervisor
from .alerts import AlertThresholds, AlertWatcher
from .cluster import Engine, make_engine
from .errors import AzrError, BadInput
from .eventlog import (
    Alert,
    CollusionAnalyzed,
    Event,
    EventStore,
    EventWriter,
    LatencyRecorded,
    LogError,
    ModelInfo,
    RunDecided,
    RunFinished,
    RunStarted,
    TaskScheduled,
    open_store,
    printable_location,
)
from .humaneval import select_tasks
from .providers.base import Provider
from .providers.spec import DEFAULT_MODELS, open_provider, plan_provider
from .replay.metrics import run_metrics
from .replay.projections import RunState, apply

__all__ = ["DEFAULT_BUDGETS", "RunConfig", "estimate_run", "execute", "fold_log", "plan_budgets"]

DEFAULT_BUDGETS = (1, 4, 16)
ALL_SUITES = ("code", "harm", "collusion", "latency")


@dataclass(frozen=True)
class RunConfig:
    models: tuple[str, ...] = ()
    tasks: str | None = None
    full_run: bool = False
    budgets: tuple[int, ...] | None = None
    suites: tuple[str, ...] | None = None
    log: Path | str | None = None
    seed: int = 0
    judge_model: str | None = None
    concurrency: int = 16
    workers: int | None = None
    stall_timeout_s: float = 600.0
    runs_dir: Path = Path("runs")
    stop_when_decided: bool = False
    alert_thresholds: AlertThresholds | None = None
    engine: str = "local"
    ray_address: str | None = None


@dataclass
class Progress:
    """What the CLI shows while a run is live; fed from the same fold as the metrics."""

    on_update: Callable[[RunState], None] = lambda state: None
    warn: Callable[[str], None] = lambda message: print(f"azr: warning: {message}", file=sys.stderr)
    notes: list[str] = field(default_factory=list)


def plan_budgets(requested: tuple[int, ...] | None, recorded_cap: int | None, warn: Callable[[str], None]) -> list[int]:
    """The budgets a run uses: the request, or the defaults capped at what a sample file holds."""
    if requested is not None:
        budgets = sorted(set(requested))
        if not budgets or budgets[0] < 1:
            raise BadInput("--budgets must be positive integers, e.g. 1,4,16")
        if recorded_cap is not None and budgets[-1] > recorded_cap:
            raise BadInput(
                f"--budgets asks for {budgets[-1]} samples per task but the sample file holds only {recorded_cap}"
            )
        return budgets
    budgets = list(DEFAULT_BUDGETS)
    if recorded_cap is not None and recorded_cap < budgets[-1]:
        capped = sorted({b for b in budgets if b <= recorded_cap} | {recorded_cap})
        warn(f"the sample file holds {recorded_cap} samples per task: budgets capped to {','.join(map(str, capped))}")
        return capped
    return budgets


def _fingerprint(models: list[str], tasks: list[str], budgets: list[int], suites: list[str], seed: int) -> str:
    text = json.dumps([models, tasks, budgets, suites, seed], separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=5).hexdigest()


async def fold_log(store: EventStore, state: RunState | None = None) -> RunState:
    """Fold a whole stored log."""
    state = RunState() if state is None else state
    async for event in store.iter():
        apply(state, event)
    return state


async def _open_providers(cfg: RunConfig, *, engine: Engine | None = None) -> list[Provider]:
    """The run's models; without an engine they are only named (for planning), never connected to."""
    specs = cfg.models or DEFAULT_MODELS
    providers: list[Provider] = []
    try:
        for spec in specs:
            if engine is None:
                providers.append(await plan_provider(spec, seed=cfg.seed))  # type: ignore[arg-type]
            else:
                providers.append(await engine.open_provider(spec, seed=cfg.seed))
    except BaseException:
        for p in providers:
            await p.close()
        raise
    names = [p.name for p in providers]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise BadInput(f"two --model specs name the same model {sorted(dupes)[0]!r}")
    return providers


def _suites(requested: tuple[str, ...] | None, providers: list[Provider]) -> list[str]:
    live = all(p.live for p in providers)
    if requested is None:
        suites = ["code"]
        if live:
            suites += ["harm", "latency"]
        if len(providers) > 1:
            suites.append("collusion")
        return suites
    unknown = [s for s in requested if s not in ALL_SUITES]
    if unknown:
        raise BadInput(f"unknown suite {unknown[0]!r} (choose from {', '.join(ALL_SUITES)})")
    recorded = [p.name for p in providers if not p.live]
    needs_live = [s for s in requested if s in ("harm", "latency")]
    if needs_live and recorded:
        raise BadInput(f"suite {needs_live[0]!r} needs a live or simulated model; {recorded[0]} is recorded")
    if "collusion" in requested and len(providers) < 2:
        raise BadInput("suite 'collusion' needs at least two models")
    return [s for s in ALL_SUITES if s in requested]


async def execute(cfg: RunConfig, progress: Progress | None = None) -> tuple[dict[str, Any], Path | str]:
    """Run (or resume) the pipeline; return the metrics JSON and the log's path."""
    progress = progress or Progress()
    engine = make_engine(cfg.engine, address=cfg.ray_address, workers=cfg.workers)
    try:
        providers = await _open_providers(cfg, engine=engine)
        try:
            return await _execute(cfg, providers, progress, engine)
        finally:
            for p in providers:
                await p.close()
    finally:
        engine.close()


@dataclass(frozen=True)
class Resolved:
    """What a run will do, settled before any model is called."""

    tasks: list[str]
    budgets: list[int]
    suites: list[str]
    run_id: str
    log: Path | str


def is_url(log: Path | str) -> bool:
    """A log named by URL (``postgresql://...``) rather than a file path."""
    return isinstance(log, str) and "://" in log


def _resolve(cfg: RunConfig, providers: list[Provider], progress: Progress) -> Resolved:
    recorded = [p for p in providers if not p.live]
    available: set[str] | None = None
    for p in recorded:
        tasks_of = set(p.tasks)  # type: ignore[attr-defined]
        available = tasks_of if available is None else available & tasks_of
    tasks = select_tasks(cfg.tasks, full_run=cfg.full_run, available=sorted(available) if available is not None else None)
    cap = min((p.samples_per_task(tasks) for p in recorded), default=None)  # type: ignore[attr-defined]
    budgets = plan_budgets(cfg.budgets, cap, progress.warn)
    suites = _suites(cfg.suites, providers)
    run_id = "run-" + _fingerprint([p.spec for p in providers], tasks, budgets, suites, cfg.seed)
    return Resolved(tasks, budgets, suites, run_id, cfg.log or cfg.runs_dir / f"{run_id}.db")


async def estimate_run(cfg: RunConfig) -> dict[str, Any]:
    """What a run would cost, without calling any model: calls, tokens and money per suite and model."""
    from .estimate import cached_calls, estimate, plan_for, render_estimate, stop_profile_from_state
    from .providers.cache import default_cache_path

    providers = await _open_providers(cfg)
    try:
        r = _resolve(cfg, providers, Progress())
    finally:
        for p in providers:
            await p.close()
    state = None
    if is_url(r.log) or Path(r.log).exists():
        try:
            async with open_store(r.log, create=False, readonly=True) as store:
                state = await fold_log(store)
        except LogError as exc:
            raise BadInput(str(exc)) from None
    plan = plan_for([p.name for p in providers], r.tasks, r.budgets, r.suites, judge_model=cfg.judge_model)
    profile = stop_profile_from_state(state, r.budgets) if state is not None and state.tasks else None
    result = estimate(plan, stop=profile, cached=cached_calls(state, default_cache_path()))
    return {"run_id": r.run_id, "log": printable_location(r.log), "estimate": result.as_dict(), "text": render_estimate(result)}


async def _execute(
    cfg: RunConfig, providers: list[Provider], progress: Progress, engine: Engine
) -> tuple[dict[str, Any], Path | str]:
    r = _resolve(cfg, providers, progress)
    log = r.log
    if not is_url(log):
        Path(log).parent.mkdir(parents=True, exist_ok=True)

    try:
        store = open_store(log, create=True)
        await store.open()
    except LogError as exc:
        raise BadInput(str(exc)) from None
    try:
        state = await fold_log(store)
        if state.run is not None and state.run.run_id != r.run_id:
            raise BadInput(
                f"{log} holds run {state.run.run_id}, made with other settings; use another --log to start a new run"
            )
        await _drive(cfg, store, state, providers, r.tasks, r.budgets, r.suites, r.run_id, log, progress, engine)
        final = await fold_log(store)
    finally:
        await store.close()
    return run_metrics(final, log=str(log)), log


async def _drive(
    cfg: RunConfig,
    store: EventStore,
    state: RunState,
    providers: list[Provider],
    tasks: list[str],
    budgets: list[int],
    suites: list[str],
    run_id: str,
    log: Path | str,
    progress: Progress,
    engine: Engine,
) -> None:
    from .executor import ExecutorActor
    from .generator import GeneratorActor
    from .judge import JudgeActor
    from .monitor import Monitor
    writer = EventWriter(store)
    await writer.start()
    ctx = ActorContext(writer=writer, run_id=run_id, seed=cfg.seed)
    pool = engine.pool(cfg.workers)
    await pool.start()
    judge_provider = await open_provider(cfg.judge_model, seed=cfg.seed) if cfg.judge_model else None
    supervisor: Supervisor | None = None
    monitor: Monitor | None = None
    try:
        if state.run is None:
            await writer.append(
                RunStarted(
                    key="run",
                    run_id=run_id,
                    actor="cli",
                    ts=time.time(),
                    seed=cfg.seed,
                    models=[ModelInfo(name=p.name, spec=p.spec, provider=p.provider, simulated=p.simulated) for p in providers],
                    tasks=tasks,
                    budgets=budgets,
                    suites=suites,
                    k_values=budgets,
                    simulated=any(p.simulated for p in providers),
                    version=__version__,
                    sandbox=dict(pool.isolation_report),
                    config={
                        "concurrency": cfg.concurrency,
                        "judge_model": cfg.judge_model or "",
                        "harm_scenarios": _harm_count(suites),
                    },
                )
            )
        await _schedule(writer, run_id, providers, tasks, suites)
        # live and simulated models also write tests for each task: CodeT-style evidence for the judge
        writers = frozenset(p.name for p in providers if p.live)
        actors: list[Actor] = [
            GeneratorActor(ctx, p, budgets, concurrency=cfg.concurrency, gated=cfg.stop_when_decided,
                           writes_tests=p.name in writers)
            for p in providers
        ]
        actors.append(JudgeActor(ctx, budgets, test_writers=writers))
        actors.append(ExecutorActor(ctx, pool, test_writers=writers))
        if "harm" in suites:
            from .safety import SafetyActor

            actors.append(SafetyActor(ctx, judge=judge_provider))
        supervisor = Supervisor(store, actors)
        await supervisor.start()
        monitor = Monitor(ctx, Path.cwd() if is_url(log) else Path(log).parent, supervisor.mailboxes)
        await monitor.start()
        ticker = _Ticker(cfg, writer, run_id, budgets)
        status, watched = await _watch(store, cfg.stall_timeout_s, progress, ticker.tick)
        await monitor.stop()
        await supervisor.stop(drain=status == "completed")
        supervisor = None
        if status == "completed":
            await _analyses(watched, writer, ctx, providers, suites, cfg.seed)
        settled = watched.tasks_settled() if "code" in suites else 0
        # keyed by outcome: a resume that completes a stalled run records its own finish
        # (the last one folded wins), while rerunning a finished log adds nothing
        await writer.append(
            RunFinished(key=f"finished:{status}:{settled}", run_id=run_id, actor="cli", ts=time.time(),
                        status=status, tasks_completed=settled)
        )
        if status != "completed":
            raise AzrError(f"the run stalled: no new event for {cfg.stall_timeout_s:.0f} s (see ActorFailed events in {log})")
    finally:
        if monitor is not None:
            await monitor.stop()
        if supervisor is not None:
            await supervisor.stop(drain=False)
        await writer.close()
        await pool.close()
        if judge_provider is not None:
            await judge_provider.close()


def _harm_count(suites: list[str]) -> int:
    if "harm" not in suites:
        return 0
    from .harm import load_suite

    return len(load_suite())


async def _schedule(writer: EventWriter, run_id: str, providers: list[Provider], tasks: list[str], suites: list[str]) -> None:
    now = time.time()
    submitted: list[asyncio.Future[int]] = []
    if "code" in suites:
        for p in providers:
            for task_id in tasks:
                submitted.append(writer.submit(TaskScheduled(key=f"task:{p.name}:{task_id}", run_id=run_id, actor="scheduler", ts=now, task_id=task_id, model=p.name)))
    if "harm" in suites:
        from .harm import load_suite

        for p in providers:
            for scenario in load_suite():
                submitted.append(writer.submit(
                    TaskScheduled(key=f"harmtask:{p.name}:{scenario.id}", run_id=run_id, actor="scheduler", ts=now,
                                  task_id=scenario.id, model=p.name, suite="harm")
                ))
    await _all_stored(submitted)


async def _all_stored(submitted: list[asyncio.Future[int]]) -> None:
    """Wait for submitted events; raise the first failure (a lost fact would leave the run waiting for it)."""
    outcomes = await asyncio.gather(*submitted, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


class _Ticker:
    """Run-level checks on the live state, about once a second: alerts, and the early-stop decision."""

    def __init__(self, cfg: RunConfig, writer: EventWriter, run_id: str, budgets: list[int]) -> None:
        self.cfg = cfg
        self.writer = writer
        self.budgets = budgets
        self.alerts = AlertWatcher(cfg.alert_thresholds, run_id=run_id)
        self.run_id = run_id
        self.checked: set[int] = set()
        self.last = 0.0
        #: alerts the log refused: submitted again at the next tick (the watcher raises each key once)
        self.unsent: list[Alert] = []

    def _submit(self, event: Event, on_failure: Callable[[], None]) -> None:
        """Submit without waiting; if the log refuses the event, ``on_failure`` makes it be submitted again."""

        def settled(future: asyncio.Future[int]) -> None:
            if not future.cancelled() and future.exception() is not None:
                on_failure()

        self.writer.submit(event).add_done_callback(settled)

    def tick(self, state: RunState) -> None:
        now = time.time()
        if now - self.last < 1.0:
            return
        self.last = now
        alerts, self.unsent = self.unsent + self.alerts.check(state, now=now), []
        for alert in alerts:
            self._submit(alert, partial(self.unsent.append, alert))
        if self.cfg.stop_when_decided and state.decided is None:
            self._decide(state, now)

    def _decide(self, state: RunState, now: float) -> None:
        from .decide import decide_run, decision_event

        for budget in self.budgets[:-1]:
            if budget in self.checked or not _boundary_reached(state, budget):
                continue
            self.checked.add(budget)
            stop, decisions = decide_run(state, budget)
            again = partial(self.checked.discard, budget)  # a refused decision is made again
            if stop:
                self._submit(decision_event(decisions, run_id=self.run_id, ts=now), again)
                return
            reasons = "; ".join(f"{d.model}: {d.reason}" for d in decisions)
            self._submit(
                RunDecided(key=f"decision:{budget}", run_id=self.run_id, actor="decide", ts=now, budget=budget,
                           stop=False, reason=f"sampling goes on after budget {budget}: {reasons}"),
                again,
            )


def _boundary_reached(state: RunState, budget: int) -> bool:
    """Every code task of every model has its pick at ``budget``, or stopped before it."""
    for records in state.tasks.values():
        for record in records.values():
            final = record.final_selection
            if budget not in record.selections and (final is None or final.budget > budget):
                return False
    return bool(state.tasks)


async def _watch(
    store: EventStore, stall_timeout_s: float, progress: Progress, on_tick: Callable[[RunState], None]
) -> tuple[str, RunState]:
    """Fold the live log until the run is complete; 'stalled' if nothing happens for too long."""
    state = RunState()
    stop = asyncio.Event()

    async def follow() -> None:
        async for event in store.tail(0, stop=stop, poll_s=0.1):
            apply(state, event)

    follower = asyncio.create_task(follow())
    last_seq, last_change = -1, time.monotonic()
    try:
        while True:
            await asyncio.sleep(0.1)
            if follower.done():
                follower.result()
            progress.on_update(state)
            on_tick(state)
            if state.run is not None and state.is_complete():
                return "completed", state
            if state.last_seq != last_seq:
                last_seq, last_change = state.last_seq, time.monotonic()
            elif time.monotonic() - last_change > stall_timeout_s:
                return "stalled", state
    finally:
        stop.set()
        follower.cancel()
        await asyncio.gather(follower, return_exceptions=True)


async def _analyses(
    state: RunState, writer: EventWriter, ctx: ActorContext, providers: list[Provider], suites: list[str], seed: int
) -> None:
    """The analyses that follow the actors: collusion over the counted samples, and latency.

    ``state`` is the live fold that saw the run complete, so the log is not read again.
    """
    if "collusion" in suites and state.collusion is None:
        from .collusion import analyze

        answers = {
            model: {t: [s.code for _, s in sorted(r.counted.items()) if s.code] for t, r in records.items()}
            for model, records in state.tasks.items()
        }
        report = await asyncio.to_thread(analyze, answers, seed=seed)
        await writer.append(CollusionAnalyzed(key="collusion", run_id=ctx.run_id, actor="collusion", ts=time.time(), report=report))
    if "latency" in suites:
        from .latency import SCENARIOS, run_scenario

        wanted = SCENARIOS["normal"].requests or 0
        submitted: list[asyncio.Future[int]] = []
        for p in providers:
            # an interrupted scenario is run again; the requests already recorded keep their facts
            if sum(e.model == p.name and e.scenario == "normal" for e in state.latency) >= wanted:
                continue

            def record(result: Any, model: str = p.name) -> None:
                submitted.append(writer.submit(
                    LatencyRecorded(
                        key=f"latency:{model}:{result.scenario}:{result.request_idx}",
                        run_id=ctx.run_id, actor="latency", ts=time.time(), scenario=result.scenario, model=model,
                        request_idx=result.request_idx, total_ms=result.total_ms, ttft_ms=result.ttft_ms,
                        error=result.error or "", concurrency=result.concurrency,
                    )
                ))

            await run_scenario(p, "normal", seed=seed, on_result=record)
        await _all_stored(submitted)
