"""The actor base and the supervisor that runs actors on one asyncio loop.

Actors never call each other. Each declares the event kinds it ``subscribes``
to; the supervisor tails the log for those kinds into the actor's bounded
mailbox (a full mailbox stops the reading, which is the backpressure), and the
actor handles them one at a time, starting concurrent work with ``spawn``.
Actors get no handle on the store: they see only what they subscribe to, and
append facts with ``emit``. That is what makes "the judge never sees hidden
verdicts" structural rather than a promise.

Lifecycle and failure policy:

* ``on_start`` runs before the first event; ``on_stop`` after the last.
* A handler (or spawned task) that raises becomes an ``ActorFailed`` event; the
  actor goes on with its next event. Whoever waits for that work is told by the
  supervisor's stall watchdog, never left hanging.
* ``stop()`` drains: the mailbox is handled and spawned work awaited, then
  ``on_stop`` runs. Cancellation ends the loops cleanly.
* On start the supervisor hands each actor the keys of the events it already
  wrote (its ``outputs``), so a resumed run skips work that is done.
"""

from __future__ import annotations

import asyncio
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

from .eventlog import ActorFailed, Event, EventStore, EventWriter

__all__ = ["Actor", "ActorContext", "MailboxStats", "Supervisor", "failure_fact"]

Clock = Callable[[], float]


@dataclass(frozen=True)
class MailboxStats:
    current: int
    peak: int
    capacity: int
    inflight: int


@dataclass
class ActorContext:
    """What an actor may use: the writer (through ``emit``), the run's id, seed and clock."""

    writer: EventWriter
    run_id: str
    seed: int
    clock: Clock = time.time


def failure_fact(name: str, about: str, exc: BaseException) -> ActorFailed:
    """The ``ActorFailed`` fact for ``exc``, raised in ``name`` while handling ``about``: one per
    actor, event and kind of error (its key), with the error's one-line text."""
    detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    return ActorFailed(
        key=f"failed:{name}:{about}:{type(exc).__name__}", failed_actor=name, error=detail, on_event=about
    )


class Actor:
    """Base class; see the module docstring for the lifecycle."""

    name: str = "actor"
    subscribes: ClassVar[tuple[str, ...]] = ()
    #: kinds of the events this actor writes; their keys are loaded as ``self.done`` on start
    outputs: ClassVar[tuple[str, ...]] = ()
    mailbox_size: int = 2048
    max_inflight: int = 1

    def __init__(self, ctx: ActorContext) -> None:
        self.ctx = ctx
        self.done: set[str] = set()
        self._mailbox: asyncio.Queue[Event] = asyncio.Queue(self.mailbox_size)
        self._peak = 0
        self._slots = asyncio.Semaphore(self.max_inflight)
        self._tasks: set[asyncio.Task[None]] = set()
        #: failures that could not be recorded as ``ActorFailed`` (the log refused that append too)
        self.unrecorded_failures = 0

    # -- to override -------------------------------------------------------
    async def on_start(self) -> None:
        """Called once before the first event."""

    async def handle(self, event: Event) -> None:
        """Handle one subscribed event."""

    async def on_stop(self) -> None:
        """Called once after the last event and spawned work."""

    # -- for subclasses --------------------------------------------------
    async def emit(self, event: Event) -> int:
        """Append a fact (stamped with run id, actor name and time); returns its seq, 0 if a duplicate."""
        import msgspec

        stamped = msgspec.structs.replace(
            event, run_id=self.ctx.run_id, actor=self.name, ts=event.ts or self.ctx.clock()
        )
        seq = await self.ctx.writer.append(stamped)
        # only a stored fact is done: a failed append leaves the work to be tried again
        self.done.add(stamped.key)
        return seq

    async def spawn(self, coro: Coroutine[Any, Any, None], *, about: str = "") -> None:
        """Run ``coro`` concurrently, at most ``max_inflight`` at a time (waits for a slot)."""
        await self._slots.acquire()
        task = asyncio.create_task(self._guard(coro, about))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _guard(self, coro: Awaitable[None], about: str) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the failure policy: record it, go on
            await self._record_failure(exc, about)
        finally:
            self._slots.release()

    async def _record_failure(self, exc: BaseException, about: str) -> None:
        fact = failure_fact(self.name, about, exc)
        try:
            await self.emit(fact)
        except Exception as log_exc:  # the log refused the record too: say so, and go on with the next event
            self.unrecorded_failures += 1
            print(f"azr: warning: {self.name} could not record its failure on {about!r} ({fact.error}): {log_exc}",
                  file=sys.stderr)

    def mailbox_stats(self) -> MailboxStats:
        return MailboxStats(self._mailbox.qsize(), self._peak, self.mailbox_size, len(self._tasks))

    # -- driven by the supervisor -------------------------------------------
    async def _deliver(self, event: Event) -> None:
        await self._mailbox.put(event)
        self._peak = max(self._peak, self._mailbox.qsize())

    async def _loop(self) -> None:
        while True:
            event = await self._mailbox.get()
            try:
                await self.handle(event)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._record_failure(exc, event.key)
            finally:
                self._mailbox.task_done()

    async def _drain(self) -> None:
        await self._mailbox.join()
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class Supervisor:
    """Runs actors: one log reader and one handler loop per actor, on the current loop."""

    def __init__(self, store: EventStore, actors: list[Actor], *, poll_s: float = 0.1) -> None:
        self.store = store
        self.actors = actors
        self.poll_s = poll_s
        self._stop_reading = asyncio.Event()
        self._readers: list[asyncio.Task[None]] = []
        self._loops: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        for actor in self.actors:
            if actor.outputs:
                async for event in self.store.iter(kinds=actor.outputs):
                    actor.done.add(event.key)
            await actor.on_start()
        for actor in self.actors:
            self._loops.append(asyncio.create_task(actor._loop(), name=f"{actor.name}:loop"))
            self._readers.append(asyncio.create_task(self._read(actor), name=f"{actor.name}:reader"))

    async def _read(self, actor: Actor) -> None:
        async for event in self.store.tail(0, kinds=actor.subscribes, poll_s=self.poll_s, stop=self._stop_reading):
            await actor._deliver(event)

    def mailboxes(self) -> dict[str, int]:
        return {a.name: a.mailbox_stats().current for a in self.actors}

    async def stop(self, *, drain: bool = True) -> None:
        """Stop reading; by default handle what was delivered and await spawned work first."""
        self._stop_reading.set()
        for task in self._readers:
            task.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        if drain:
            for actor in self.actors:
                await actor._drain()
        for task in self._loops:
            task.cancel()
        await asyncio.gather(*self._loops, return_exceptions=True)
        for actor in self.actors:
            for task in list(actor._tasks):
                task.cancel()
            await asyncio.gather(*list(actor._tasks), return_exceptions=True)
            await actor.on_stop()
