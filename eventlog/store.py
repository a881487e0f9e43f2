"""The event log interface, and the in-memory log.

An :class:`EventStore` is an append-only, totally ordered log of events:

* ``append`` stores a batch in one transaction and assigns each new event the
  next ``seq`` (1, 2, 3, ... strictly increasing in commit order); an event whose
  ``key`` is already stored, or repeats a key earlier in the same batch, is a
  silent no-op and gets seq 0;
* reads are ordered by ``seq`` and return events with ``seq`` set;
* ``tail`` follows the log live: commits made through this store object wake it
  at once, commits made by another process are found by polling.

Every backend passes the same contract suite (``tests/test_eventlog_contract.py``).
Backends implement the abstract methods; ``iter`` and ``tail`` are shared and
built on ``read``.  A backend calls :meth:`EventStore._notify_commit` after each
committed batch so that tailers in this process wake without polling latency.
"""

from __future__ import annotations

import abc
import asyncio
import itertools
import time
import urllib.parse
from collections.abc import AsyncIterator, Collection, Sequence
from types import TracebackType
from typing import Self

import msgspec

from .errors import LogError
from .events import Event

__all__ = ["SCHEMA_VERSION", "EventStore", "MemoryStore", "printable_location"]

#: Version of the stored layout; a log written by a newer version is refused.
SCHEMA_VERSION = 1
APP_NAME = "azr-actors"


class EventStore(abc.ABC):
    """An append-only, ordered, idempotent log of events (see module docstring)."""

    def __init__(self) -> None:
        self._commit_signal: asyncio.Event | None = None

    # -- lifecycle ---------------------------------------------------------
    @abc.abstractmethod
    async def open(self) -> None:
        """Open (and validate, or create) the log. Raises a LogError subclass on refusal."""

    @abc.abstractmethod
    async def close(self) -> None:
        """Release the log's resources. Idempotent."""

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- writing -----------------------------------------------------------
    @abc.abstractmethod
    async def append(self, events: Sequence[Event]) -> list[int]:
        """Store ``events`` in one transaction; return the seq given to each, 0 for a duplicate key."""

    # -- reading -----------------------------------------------------------
    @abc.abstractmethod
    async def read(
        self, after: int = 0, limit: int | None = None, kinds: Collection[str] | None = None
    ) -> list[Event]:
        """Events with ``seq > after`` (of the given kinds), ordered by seq, at most ``limit``."""

    @abc.abstractmethod
    async def last_seq(self) -> int:
        """The highest stored seq, 0 for an empty log."""

    @abc.abstractmethod
    async def has_key(self, key: str) -> bool:
        """Whether an event with this idempotency key is stored."""

    @abc.abstractmethod
    async def count(self, kind: str | None = None) -> int:
        """Number of stored events (of one kind)."""

    @abc.abstractmethod
    async def meta(self) -> dict[str, str]:
        """The log's header: at least ``app``, ``schema_version`` and ``created_at``."""

    async def iter(
        self, after: int = 0, *, batch: int = 2000, kinds: Collection[str] | None = None
    ) -> AsyncIterator[Event]:
        """Every event with ``seq > after`` (of the given kinds), in order, read in pages of ``batch``.

        Ends at the end of the log as it is when the last page is read.
        """
        _check_batch(batch)
        cursor = after
        while True:
            page = await self.read(cursor, limit=batch, kinds=kinds)
            for event in page:
                yield event
            if len(page) < batch:
                return
            cursor = page[-1].seq

    async def tail(
        self,
        after: int = 0,
        *,
        kinds: Collection[str] | None = None,
        poll_s: float = 0.2,
        stop: asyncio.Event | None = None,
        batch: int = 2000,
    ) -> AsyncIterator[Event]:
        """Follow the log: the events after ``after``, then new ones as they are committed.

        Never skips or repeats a seq. Commits through this store object wake the
        tail at once; commits by other processes are found within ``poll_s``.
        Once ``stop`` is set no further event is yielded and the iterator ends.
        """
        if poll_s <= 0:
            raise ValueError(f"poll_s must be > 0, got {poll_s!r}")
        _check_batch(batch)
        cursor = after
        while stop is None or not stop.is_set():
            # Take the signal before reading: a commit after the read sets it.
            signal = self._signal()
            page = await self.read(cursor, limit=batch, kinds=kinds)
            for event in page:
                if stop is not None and stop.is_set():
                    return
                yield event
                cursor = event.seq
            if len(page) < batch:
                await _wait_any(signal, stop, poll_s)

    # -- commit notification --------------------------------------------------
    def _signal(self) -> asyncio.Event:
        if self._commit_signal is None:
            self._commit_signal = asyncio.Event()
        return self._commit_signal

    def _notify_commit(self) -> None:
        """Wake every tailer waiting on this store (call after each committed batch)."""
        signal, self._commit_signal = self._commit_signal, None
        if signal is not None:
            signal.set()


async def _wait_any(signal: asyncio.Event, stop: asyncio.Event | None, timeout: float) -> None:
    """Return when ``signal`` or ``stop`` is set, or after ``timeout`` seconds."""
    waiters = [asyncio.ensure_future(signal.wait())]
    if stop is not None:
        waiters.append(asyncio.ensure_future(stop.wait()))
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


_SECRET_PARAMS = frozenset({"password", "passfile", "sslpassword"})


def printable_location(location: object) -> str:
    """A log's path or URL as it may be shown or written anywhere: a URL's password
    (``user:secret@host``, ``?password=secret``) is replaced by ``***``."""
    text = str(location)
    if "://" not in text:
        return text
    try:
        parts = urllib.parse.urlsplit(text)
        netloc = parts.netloc
        if parts.password is not None:
            user, _, host = netloc.rpartition("@")
            netloc = f"{user.partition(':')[0]}:***@{host}"
        query = [(k, "***" if k.lower() in _SECRET_PARAMS else v)
                 for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)]
        return urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=urllib.parse.urlencode(query, safe="*")))
    except ValueError:  # not a URL after all (a bad port, brackets): show nothing of it that could be secret
        return text.split("://", 1)[0] + "://***"


def _check_batch(batch: int) -> None:
    if batch < 1:
        raise ValueError(f"batch must be >= 1, got {batch!r}")


def check_limit(limit: int | None) -> None:
    """Reject a negative ``limit`` up front (shared by the backends)."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0 or None, got {limit!r}")


class MemoryStore(EventStore):
    """A log held in this process's memory: for tests, demos and ``":memory:"``.

    The events survive ``close()``/``open()`` of the same object and vanish with it.
    """

    def __init__(self) -> None:
        super().__init__()
        self._events: list[Event] = []  # self._events[i].seq == i + 1
        self._keys: set[str] = set()
        self._meta = {
            "app": APP_NAME,
            "schema_version": str(SCHEMA_VERSION),
            "created_at": _utc_now(),
            "backend": "memory",
        }
        self._open = False

    async def open(self) -> None:
        self._open = True

    async def close(self) -> None:
        self._open = False

    def _require_open(self) -> None:
        if not self._open:
            raise LogError("the in-memory event log is not open")

    async def append(self, events: Sequence[Event]) -> list[int]:
        self._require_open()
        seqs: list[int] = []
        stored: list[Event] = []
        batch_keys: set[str] = set()
        next_seq = len(self._events) + 1
        for event in events:
            if not isinstance(event, Event):
                raise TypeError(f"expected an Event, got {type(event).__name__}")
            if event.key in self._keys or event.key in batch_keys:
                seqs.append(0)
                continue
            batch_keys.add(event.key)
            stored.append(msgspec.structs.replace(event, seq=next_seq))
            seqs.append(next_seq)
            next_seq += 1
        # All or nothing: nothing above can fail once the batch is validated.
        self._events.extend(stored)
        self._keys |= batch_keys
        if stored:
            self._notify_commit()
        return seqs

    async def read(
        self, after: int = 0, limit: int | None = None, kinds: Collection[str] | None = None
    ) -> list[Event]:
        self._require_open()
        check_limit(limit)
        start = max(after, 0)  # seq n sits at index n - 1
        if kinds is None:
            return self._events[start:] if limit is None else self._events[start : start + limit]
        wanted = frozenset(kinds)
        events = self._events
        matching = (events[i] for i in range(start, len(events)) if _tag(events[i]) in wanted)
        return list(itertools.islice(matching, limit))

    async def last_seq(self) -> int:
        self._require_open()
        return len(self._events)

    async def has_key(self, key: str) -> bool:
        self._require_open()
        return key in self._keys

    async def count(self, kind: str | None = None) -> int:
        self._require_open()
        if kind is None:
            return len(self._events)
        return sum(1 for e in self._events if _tag(e) == kind)

    async def meta(self) -> dict[str, str]:
        self._require_open()
        return dict(self._meta)


def _tag(event: Event) -> str:
    return str(event.__struct_config__.tag)


def _utc_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
