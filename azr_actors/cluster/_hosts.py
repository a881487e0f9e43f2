"""The Ray actors' bodies: plain classes that :mod:`.pool` and :mod:`.provider` make remote.

They live in their own module so that a worker node imports only what it
runs; nothing here imports Ray at module level.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from ..providers.base import Completion, CompletionRequest, RetryInfo
from ..sandbox import CheckJob, CheckResult, Limits, ProbeJob, ProbeResult

__all__ = ["GeneratorHost", "RateLimiter", "SandboxHost"]

Job = CheckJob | ProbeJob
Result = CheckResult | ProbeResult


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())


class SandboxHost:
    """One executor slot: a hardened one-worker SandboxPool on the node it runs on."""

    def __init__(self, limits: Limits, isolation: str) -> None:
        from ..sandbox import SandboxPool

        self._pool = SandboxPool(1, limits=limits, isolation=isolation)
        self._started = False

    async def ready(self) -> dict[str, Any]:
        """Start the local pool; return its isolation report."""
        if not self._started:
            await self._pool.start()
            self._started = True
        return dict(self._pool.isolation_report)

    def node(self) -> str:
        return _node_id()

    async def run(self, jobs: list[Job]) -> list[Result]:
        """Run a batch of jobs one after another (this host is one slot), results in job order."""
        await self.ready()
        results: list[Result] = []
        for job in jobs:
            if isinstance(job, CheckJob):
                results.append(await self._pool.check(job))
            else:
                results.append(await self._pool.probe(job))
        return results

    async def close(self) -> None:
        await self._pool.close()


class RateLimiter:
    """A token bucket shared by every generator of one provider (a named Ray actor).

    ``acquire()`` returns once a request may start: at most ``burst`` at once,
    refilled at ``rate_per_s``; callers are served in arrival order.
    """

    def __init__(self, rate_per_s: float, burst: int) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError(f"need rate_per_s > 0 and burst >= 1, got {rate_per_s}, {burst}")
        self.rate = rate_per_s
        self.burst = burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()
        self.lock = asyncio.Lock()
        self.granted = 0

    async def acquire(self) -> float:
        """Wait for a token; return the seconds waited."""
        started = time.monotonic()
        async with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    self.granted += 1
                    return time.monotonic() - started
                await asyncio.sleep((1 - self.tokens) / self.rate)

    def stats(self) -> dict[str, float]:
        return {"rate_per_s": self.rate, "burst": self.burst, "granted": self.granted}


class GeneratorHost:
    """One model's generator: the provider a spec names, opened on the node it runs on.

    Opens lazily, so a restart of the actor on another node (after a node death)
    rebuilds the provider from its spec alone.
    """

    def __init__(self, spec: str, seed: int, limiter: Any | None) -> None:
        self.spec = spec
        self.seed = seed
        self.limiter = limiter
        self._provider: Any | None = None
        self._opening = asyncio.Lock()

    async def _open(self) -> Any:
        async with self._opening:
            if self._provider is None:
                from ..providers.spec import open_provider

                self._provider = await open_provider(self.spec, seed=self.seed)
            return self._provider

    async def describe(self) -> dict[str, Any]:
        p = await self._open()
        return {
            "name": p.name,
            "spec": p.spec,
            "provider": p.provider,
            "simulated": p.simulated,
            "live": p.live,
        }

    async def complete(self, request: CompletionRequest) -> tuple[Completion, list[RetryInfo]]:
        """One completion, and the retries it took (reported back to the caller's callback)."""
        provider = await self._open()
        if self.limiter is not None:
            await self.limiter.acquire.remote()
        retries: list[RetryInfo] = []
        completion = await provider.complete(request, on_retry=retries.append)
        return completion, retries

    async def close(self) -> None:
        if self._provider is not None:
            await self._provider.close()
