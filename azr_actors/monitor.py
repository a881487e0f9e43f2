"""The monitor actor: samples resources and mailbox depths while a run is live.

Every ``interval_s`` it appends a ``ResourceSampled`` fact (CPU, resident
memory of this process and its children, free memory, free disk under the
log's folder, the actors' mailbox depths). Latency, tokens and cost are facts
of each generation (``SampleGenerated``) and are folded from there. A sample
that fails (a vanished folder, a psutil error) becomes an ``ActorFailed`` fact
(once per kind of error) and sampling goes on.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import msgspec
import psutil

from .actor import ActorContext, failure_fact
from .eventlog import ResourceSampled

__all__ = ["Monitor", "sample_resources"]


def sample_resources(disk_path: Path) -> tuple[float, float, float, float]:
    """(cpu %, rss MB of this process tree, available memory MB, free disk MB)."""
    me = psutil.Process()
    rss = me.memory_info().rss
    for child in me.children(recursive=True):
        try:
            rss += child.memory_info().rss
        except psutil.Error:
            continue
    disk = psutil.disk_usage(str(disk_path if disk_path.exists() else Path.cwd()))
    return (
        psutil.cpu_percent(interval=None),
        rss / 2**20,
        psutil.virtual_memory().available / 2**20,
        disk.free / 2**20,
    )


class Monitor:
    """Not a subscriber: a periodic sampler that appends facts through the same writer."""

    name = "monitor"

    def __init__(
        self,
        ctx: ActorContext,
        disk_path: Path,
        mailboxes: Callable[[], dict[str, int]],
        *,
        interval_s: float = 1.0,
    ) -> None:
        self.ctx = ctx
        self.disk_path = disk_path
        self.mailboxes = mailboxes
        self.interval_s = interval_s
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        psutil.cpu_percent(interval=None)
        self._task = asyncio.create_task(self._loop(), name="monitor")

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval_s)
            try:
                await self.sample()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the actors' failure policy: record it, go on sampling
                await self._record_failure(exc)

    async def _record_failure(self, exc: Exception) -> None:
        fact = failure_fact(self.name, "sample", exc)
        try:
            await self.ctx.writer.append(
                msgspec.structs.replace(fact, run_id=self.ctx.run_id, actor=self.name, ts=self.ctx.clock())
            )
        except asyncio.CancelledError:
            raise
        except Exception:  # nowhere to record it (the writer itself failed): keep sampling
            pass

    async def sample(self) -> None:
        cpu, rss, avail, disk = await asyncio.to_thread(sample_resources, self.disk_path)
        now = self.ctx.clock()
        await self.ctx.writer.append(
            ResourceSampled(
                key=f"resources:{time.time_ns()}",
                run_id=self.ctx.run_id,
                actor=self.name,
                ts=now,
                cpu_percent=round(cpu, 1),
                rss_mb=round(rss, 1),
                mem_available_mb=round(avail, 1),
                disk_free_mb=round(disk, 1),
                mailboxes=self.mailboxes(),
            )
        )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
