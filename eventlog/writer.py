"""The single writer: actors submit events, the writer commits them in batches.

Contract:

* one background task owns every append to its store, one transaction per batch;
* batches form by group commit: when the writer is free it lets every task
  that is ready to run submit (one event-loop turn at a time) and commits as
  soon as a turn brings no new event, the batch holds ``max_batch`` events, or
  ``max_delay_s`` has passed since it took up the batch's first event; a lone
  ``append`` therefore waits for one commit, not for ``max_delay_s``, and a
  burst still fills whole batches; ``max_delay_s=0`` commits what is pending
  without waiting a turn;
* events are committed in submission order, so seqs follow submission order;
* each submission's future resolves to its seq (0 for a duplicate key) once its
  batch is committed, or carries the store's exception if the batch failed
  (the writer goes on with the next batch); a batch the store refuses as a
  whole (a :class:`LogError`: locked, disk full, closed) fails every event in
  it, while an event the store cannot take (another exception, such as the
  codec's ``ValueError``) fails alone: the rest of its batch is committed
  event by event, in order;
* ``close()`` drains and commits everything submitted before it, then stops;
  it does not close the store, which belongs to the caller.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from .errors import LogError
from .events import Event
from .store import EventStore

__all__ = ["EventWriter", "WriterStats"]


@dataclass(frozen=True, slots=True)
class WriterStats:
    """A snapshot of the writer's counters, for monitors."""

    pending: int  # submitted, not yet committed (including the batch being committed)
    peak_pending: int
    batches: int  # committed batches
    committed: int  # events stored
    duplicates: int  # events ignored because their key was already stored
    failed: int  # events whose batch raised


_Item = tuple[Event, "asyncio.Future[int]"]


class EventWriter:
    """The single writer: actors submit events, the writer commits them in batches (one transaction per batch)."""

    def __init__(
        self, store: EventStore, *, max_batch: int = 512, max_delay_s: float = 0.02
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be >= 1, got {max_batch!r}")
        if max_delay_s < 0:
            raise ValueError(f"max_delay_s must be >= 0, got {max_delay_s!r}")
        self._store = store
        self._max_batch = max_batch
        self._max_delay_s = max_delay_s
        self._pending: deque[_Item] = deque()
        self._inflight: list[asyncio.Future[int]] = []
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None  # set when something is pending
        self._closing = False
        self._flushes = 0
        # Tickets: the n-th submission is ticket n; a flush waits for its ticket to be
        # finished, whatever callers did with their futures (cancelled, dropped).
        self._submitted = 0
        self._finished = 0
        self._progress: asyncio.Event | None = None  # replaced by a fresh one at each set
        self._stopped = False
        self._peak = self._batches = self._committed = self._duplicates = self._failed = 0

    # -- lifecycle -----------------------------------------------------------
    async def start(self) -> None:
        """Start the writer task (on the running loop). The store must be open."""
        if self._task is not None:
            raise LogError("the event writer was already started")
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="azr-event-writer")
        self._task.add_done_callback(self._on_stopped)

    async def close(self) -> None:
        """Commit everything submitted so far, then stop. Idempotent."""
        if self._task is None:
            self._closing = True
            return
        self._closing = True
        if self._task.cancelled():
            return
        self._poke()
        await self._task

    async def __aenter__(self) -> EventWriter:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- submitting ------------------------------------------------------------
    def submit(self, event: Event) -> asyncio.Future[int]:
        """Queue ``event``; the future resolves to its seq (0 if its key was already stored)."""
        if self._task is None or self._closing:
            raise LogError(
                "the event writer is not running (start() it, and submit before close())"
            )
        if not isinstance(event, Event):
            raise TypeError(f"expected an Event, got {type(event).__name__}")
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        self._submitted += 1
        backlog = len(self._pending) + len(self._inflight)
        self._peak = max(self._peak, backlog)
        self._poke()
        return future

    async def append(self, event: Event) -> int:
        """Submit ``event`` and wait until its batch is committed; return its seq (0 if duplicate).

        Cancelling the caller does not withdraw the event: it is still committed.
        """
        return await asyncio.shield(self.submit(event))

    async def flush(self) -> None:
        """Wait until every event submitted before this call is committed (or failed)."""
        target = self._submitted
        if self._finished >= target:
            return
        self._flushes += 1
        self._poke()
        try:
            while self._finished < target:
                if self._stopped or self._progress is None:
                    raise LogError("the event writer stopped before its events were committed")
                await self._progress.wait()
        finally:
            self._flushes -= 1

    def stats(self) -> WriterStats:
        """A frozen snapshot of the writer's counters."""
        return WriterStats(
            pending=len(self._pending) + len(self._inflight),
            peak_pending=self._peak,
            batches=self._batches,
            committed=self._committed,
            duplicates=self._duplicates,
            failed=self._failed,
        )

    # -- the writer task ---------------------------------------------------------
    def _poke(self) -> None:
        assert self._wake is not None
        self._wake.set()

    def _must_commit_now(self) -> bool:
        return self._closing or self._flushes > 0 or len(self._pending) >= self._max_batch

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        while True:
            if not self._pending:
                if self._closing:
                    return
                self._wake.clear()
                await self._wake.wait()
                continue
            if self._max_delay_s > 0:
                deadline = loop.time() + self._max_delay_s
                while not self._must_commit_now() and loop.time() < deadline:
                    before = len(self._pending)
                    await asyncio.sleep(0)  # one turn: every ready task may submit
                    if len(self._pending) == before:
                        break
            size = min(self._max_batch, len(self._pending))
            await self._commit([self._pending.popleft() for _ in range(size)])

    def _on_stopped(self, task: asyncio.Task[None]) -> None:
        """However the task ended (even cancelled before it ran), nothing may wait forever."""
        self._stopped = True
        for _, future in self._pending:
            future.cancel()
        self._pending.clear()
        self._finish(0)

    async def _commit(self, batch: list[_Item]) -> None:
        futures = [f for _, f in batch]
        self._inflight = futures
        try:
            outcomes = await self._append([e for e, _ in batch])
        except BaseException:
            for future in futures:
                future.cancel()
            raise
        finally:
            self._inflight = []
            self._finish(len(batch))
        for future, outcome in zip(futures, outcomes, strict=True):
            if isinstance(outcome, Exception):
                self._failed += 1
                if not future.done():
                    future.set_exception(outcome)
                continue
            if outcome:
                self._committed += 1
            else:
                self._duplicates += 1
            if not future.done():
                future.set_result(outcome)

    async def _append(self, events: list[Event]) -> list[int | Exception]:
        """Each event's seq, or the exception that kept it out of the log."""
        try:
            seqs = await self._store.append(events)
        except LogError as exc:  # the store refused the batch as a whole
            return [exc] * len(events)
        except Exception as exc:
            if len(events) == 1:
                return [exc]
            # One event the store cannot take fails the whole transaction: take the
            # others one at a time, so that only the culprit fails.
            return [outcome for event in events for outcome in await self._append([event])]
        self._batches += 1
        return list(seqs)

    def _finish(self, count: int) -> None:
        """Count ``count`` more submissions as done and wake every flush."""
        self._finished += count
        if self._progress is not None:
            signal, self._progress = self._progress, asyncio.Event()
            signal.set()
