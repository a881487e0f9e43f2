"""Adaptive (AIMD) concurrency for a live provider.

:class:`AdaptiveLimiter`: one per provider: a rate limit halves the limit (once
per burst: only a request admitted since the last cut can cut again); every
``limit`` successes add one slot (one slot per window, the classic additive
increase), always within ``[minimum, maximum]``. :meth:`AdaptiveLimiter.statistics`
is a frozen :class:`LimiterStatistics` snapshot a monitor can read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

__all__ = ["AdaptiveLimiter", "LimiterStatistics"]


@dataclass(frozen=True)
class LimiterStatistics:
    """A snapshot of an :class:`AdaptiveLimiter`."""

    limit: int
    in_flight: int
    peak_in_flight: int
    waiting: int
    decreases: int
    increases: int


class AdaptiveLimiter:
    """AIMD concurrency limit; ``async with limiter.slot() as ticket`` holds one slot."""

    def __init__(self, initial: int, *, minimum: int = 1, maximum: int | None = None) -> None:
        top = initial if maximum is None else maximum
        if not 1 <= minimum <= initial <= top:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        self.minimum, self.maximum = minimum, top
        self._limit = initial
        self._successes = 0
        self._in_flight = 0
        self._peak = 0
        self._epoch = 0
        self._decreases = 0
        self._increases = 0
        self._waiters: list[asyncio.Future[None]] = []

    @property
    def limit(self) -> int:
        return self._limit

    def statistics(self) -> LimiterStatistics:
        return LimiterStatistics(self.limit, self._in_flight, self._peak,
                                 len(self._waiters), self._decreases, self._increases)

    def slot(self) -> _Slot:
        return _Slot(self)

    async def acquire(self) -> int:
        """Wait for a free slot; returns the epoch ticket :meth:`rate_limited` needs."""
        while self._in_flight >= self.limit:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                else:
                    self._wake()  # it was woken, then cancelled: pass the wake-up on
                raise
        self._in_flight += 1
        self._peak = max(self._peak, self._in_flight)
        return self._epoch

    def release(self) -> None:
        self._in_flight -= 1
        self._wake()

    def succeeded(self) -> None:
        """Additive increase: one more slot per ``limit`` successes since the last change."""
        if self._limit >= self.maximum:
            return
        self._successes += 1
        if self._successes >= self._limit:
            self._successes = 0
            self._limit += 1
            self._increases += 1
            self._wake()

    def rate_limited(self, ticket: int) -> None:
        """Multiplicative decrease, once per burst (tickets older than the last cut are ignored)."""
        if ticket != self._epoch:
            return
        self._epoch += 1
        self._successes = 0
        if self._limit > self.minimum:
            self._decreases += 1
            self._limit = max(self.minimum, self._limit // 2)

    def _wake(self) -> None:
        """Wake as many waiters (oldest first) as there are free slots; they recheck."""
        free = self.limit - self._in_flight
        while free > 0 and self._waiters:
            waiter = self._waiters.pop(0)
            if not waiter.done():
                waiter.set_result(None)
                free -= 1


class _Slot:
    def __init__(self, limiter: AdaptiveLimiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> int:
        return await self._limiter.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self._limiter.release()
