"""RaySandboxPool: the SandboxPool interface, backed by executor slots spread over a Ray cluster.

Each slot is a Ray actor (:class:`._hosts.SandboxHost`) that runs the hardened
sandbox locally on its node; a slot needs one unit of the custom resource
``azr_executor`` (and one CPU), so slots land only on executor hosts, as many
per host as it offers. Jobs queue in the driver and leave in small batches
(one Ray call per batch), sized so every idle slot gets a share of the queue.

Failure policy: when a slot's actor dies (its node died, its process was
killed, its sandbox could not start) the jobs of its batch go back to the front
of the queue and run on another slot; a replacement slot is requested, and
joins when the cluster has room for it. A job is tried at most ``max_attempts``
times; after that, or when no slot is left alive, ``check``/``probe`` raise
:class:`SandboxError`. Retrying is safe because a job's verdict is a function
of the job alone (the sandbox is seeded per sample), and the events derived
from it are idempotent under their keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from ..sandbox import CheckJob, CheckResult, Limits, PoolStats, ProbeJob, ProbeResult
from ..sandbox.limits import DEFAULT_FACTOR, DEFAULT_FLOOR_S
from ..sandbox.pool import ISOLATION_MODES, SandboxError, calibrate_with

__all__ = ["EXECUTOR_RESOURCE", "RaySandboxPool"]

#: The custom resource an executor host advertises, one unit per sandbox slot.
EXECUTOR_RESOURCE = "azr_executor"


@dataclass
class _Pending:
    job: CheckJob | ProbeJob
    future: asyncio.Future[Any]
    attempts: int = 0


@dataclass
class _Counts:
    completed: int = 0
    timeouts: int = 0
    lost_slots: int = 0
    retried_jobs: int = 0
    batches: int = 0
    busy: int = 0
    nodes: set[str] = field(default_factory=set)


class RaySandboxPool:
    """Sandbox slots on a Ray cluster, with :class:`~azr_actors.sandbox.SandboxPool`'s interface.

    ``workers``: slots to start (default: every unit of ``resource`` in the
    cluster). Ray must be initialised first (see :func:`azr_actors.cluster.make_engine`).
    ``batch_size``: most jobs per Ray call. ``spawn_timeout_s``: how long
    ``start()`` waits for the slots to come up.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        limits: Limits | None = None,
        isolation: str = "auto",
        resource: str = EXECUTOR_RESOURCE,
        batch_size: int = 8,
        max_attempts: int = 3,
        spawn_timeout_s: float = 120.0,
    ) -> None:
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {ISOLATION_MODES}, got {isolation!r}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        if batch_size < 1 or max_attempts < 1:
            raise ValueError(
                f"batch_size and max_attempts must be >= 1, got {batch_size}, {max_attempts}"
            )
        self.workers = workers or 0
        self.limits = limits or Limits()
        self.isolation = isolation
        self.resource = resource
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self.spawn_timeout_s = spawn_timeout_s
        self.isolation_report: dict[str, Any] = {}
        self._host_class: Any = None
        self._idle: deque[Any] = deque()
        self._live: set[Any] = set()
        self._spawning = 0
        self._queue: deque[_Pending] = deque()
        self._wake = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._counts = _Counts()
        self._closed = False

    # -- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        """Start the slots and wait until every one has its sandbox running."""
        import ray

        from ._hosts import SandboxHost

        if self._closed:
            raise SandboxError("the pool is closed")
        if not ray.is_initialized():
            raise SandboxError(
                "Ray is not initialised: build the engine with make_engine('ray', ...)"
            )
        resources: dict[str, float] = ray.cluster_resources()
        offered = int(resources.get(self.resource, 0))
        if offered < 1:
            raise SandboxError(
                f"no node of the Ray cluster offers the {self.resource!r} resource: start executor"
                f" hosts with: ray start --resources='{{\"{self.resource}\": N}}'"
            )
        self.workers = self.workers or offered
        self._host_class = ray.remote(num_cpus=1, resources={self.resource: 1}, max_restarts=0)(
            SandboxHost
        )
        hosts = [self._new_host() for _ in range(self.workers)]
        try:
            reports = await asyncio.wait_for(
                asyncio.gather(*(h.ready.remote() for h in hosts)), self.spawn_timeout_s
            )
            nodes = await asyncio.gather(*(h.node.remote() for h in hosts))
        except (TimeoutError, ray.exceptions.RayError) as exc:
            for host in hosts:
                ray.kill(host)
            raise SandboxError(
                f"the Ray sandbox slots did not start: {type(exc).__name__}: {exc}"
            ) from None
        self.isolation_report = dict(reports[0])
        self._counts.nodes = set(nodes)
        self._idle.extend(hosts)
        self._live.update(hosts)
        self._dispatcher = asyncio.create_task(self._dispatch(), name="azr-ray-dispatch")

    def _new_host(self) -> Any:
        return self._host_class.remote(self.limits, self.isolation)

    async def close(self) -> None:
        """Stop dispatching and kill every slot; queued jobs fail with SandboxError."""
        import ray

        self._closed = True
        tasks = [t for t in (self._dispatcher, *self._tasks) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._fail_queue("the pool is closed")
        for host in list(self._live):
            with contextlib.suppress(Exception):
                ray.kill(host)
        self._live.clear()
        self._idle.clear()

    async def __aenter__(self) -> RaySandboxPool:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- jobs ------------------------------------------------------------
    async def check(self, job: CheckJob) -> CheckResult:
        """Run the benchmark's hidden tests on one sample, on some slot of the cluster."""
        result = await self._submit(job)
        assert isinstance(result, CheckResult)
        return result

    async def probe(self, job: ProbeJob) -> ProbeResult:
        """Evaluate each call of ``job.calls`` on the sample, on some slot of the cluster."""
        result = await self._submit(job)
        assert isinstance(result, ProbeResult)
        return result

    async def calibrate(
        self,
        job: CheckJob,
        *,
        runs: int = 3,
        floor_s: float = DEFAULT_FLOOR_S,
        factor: float = DEFAULT_FACTOR,
    ) -> float:
        """Per-task wall limit from a reference solution (as :meth:`SandboxPool.calibrate`)."""
        return await calibrate_with(self.check, job, runs=runs, floor_s=floor_s, factor=factor)

    def stats(self) -> PoolStats:
        """A snapshot of the counters (``restarts`` counts slots lost to dead actors or nodes)."""
        idle = len(self._idle)
        return PoolStats(
            workers=len(self._live),
            busy=self._counts.busy,
            idle=idle,
            queued=len(self._queue),
            completed=self._counts.completed,
            timeouts=self._counts.timeouts,
            restarts=self._counts.lost_slots,
            peak_rss_mb=0.0,
        )

    def cluster_stats(self) -> dict[str, int]:
        """Ray-specific counters: slots alive, slots lost, jobs retried, batches sent, nodes used."""
        return {
            "slots": len(self._live),
            "lost_slots": self._counts.lost_slots,
            "retried_jobs": self._counts.retried_jobs,
            "batches": self._counts.batches,
            "nodes": len(self._counts.nodes),
        }

    async def _submit(self, job: CheckJob | ProbeJob) -> CheckResult | ProbeResult:
        if self._closed or self._dispatcher is None:
            raise SandboxError("the pool is not running")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(job, future))
        self._wake.set()
        result: CheckResult | ProbeResult = await future
        return result

    # -- dispatching -----------------------------------------------------
    async def _dispatch(self) -> None:
        """Hand batches of queued jobs to idle slots, until closed."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue and self._idle:
                host = self._idle.popleft()
                share = math.ceil(len(self._queue) / (len(self._idle) + 1))
                batch = [self._queue.popleft() for _ in range(min(self.batch_size, share))]
                self._spawn_task(self._send(host, batch))
            if self._queue and not self._live and not self._spawning:
                self._fail_queue("no Ray sandbox slot is left alive")

    def _spawn_task(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, host: Any, batch: list[_Pending]) -> None:
        import ray

        self._counts.batches += 1
        self._counts.busy += 1
        try:
            results = await host.run.remote([p.job for p in batch])
        except ray.exceptions.RayError:
            self._lose(host, batch)
            return
        finally:
            self._counts.busy -= 1
        for pending, result in zip(batch, results, strict=True):
            self._counts.completed += 1
            if result.status == "timeout":
                self._counts.timeouts += 1
            if not pending.future.done():
                pending.future.set_result(result)
        self._idle.append(host)
        self._wake.set()

    def _lose(self, host: Any, batch: list[_Pending]) -> None:
        """A slot died with ``batch`` in flight: requeue its jobs first, and ask for a new slot."""
        import ray

        self._live.discard(host)
        self._counts.lost_slots += 1
        with contextlib.suppress(Exception):
            ray.kill(host)
        for pending in reversed(batch):
            pending.attempts += 1
            if pending.attempts >= self.max_attempts:
                if not pending.future.done():
                    pending.future.set_exception(
                        SandboxError(
                            f"a sandbox job was lost {pending.attempts} times with its Ray slot"
                        )
                    )
                continue
            self._counts.retried_jobs += 1
            self._queue.appendleft(pending)
        if not self._closed:
            self._spawning += 1
            self._spawn_task(self._replace())
        self._wake.set()

    async def _replace(self) -> None:
        """Start a new slot where the cluster has room; give up after ``spawn_timeout_s``."""
        import ray

        host = self._new_host()
        try:
            await asyncio.wait_for(host.ready.remote(), self.spawn_timeout_s)
            node = await host.node.remote()
        except (TimeoutError, ray.exceptions.RayError, asyncio.CancelledError) as exc:
            with contextlib.suppress(Exception):
                ray.kill(host)
            if isinstance(exc, asyncio.CancelledError):
                raise
            return
        finally:
            self._spawning -= 1
            self._wake.set()
        self._counts.nodes.add(node)
        self._live.add(host)
        self._idle.append(host)
        self._wake.set()

    def _fail_queue(self, reason: str) -> None:
        while self._queue:
            pending = self._queue.popleft()
            if not pending.future.done():
                pending.future.set_exception(SandboxError(reason))
