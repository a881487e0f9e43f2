"""Where the monitor's events come from: a log followed live, or a replay.

A source is an async iterator of event batches, in ``seq`` order. An empty
batch means "caught up: nothing new for now" (a followed log); the iterator
ending means the source is done (a replay that played its last event).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Callable
from pathlib import Path

from ..eventlog import Event, EventStore, open_store
from ..player import play, schedule

__all__ = ["Source", "follow_log", "replay_log"]

Source = Callable[[], AsyncGenerator[list[Event], None]]


def follow_log(path: Path | str | EventStore, *, poll_s: float = 0.25, batch: int = 2000) -> Source:
    """A source that reads the log in pages of ``batch`` and then polls it every ``poll_s``.

    The log may be written by another process while it is followed.
    """

    async def batches() -> AsyncGenerator[list[Event], None]:
        store = (
            path if isinstance(path, EventStore) else open_store(path, create=False, readonly=True)
        )
        await store.open()
        try:
            cursor = 0
            while True:
                page = await store.read(cursor, limit=batch)
                if page:
                    cursor = page[-1].seq
                    yield page
                if len(page) < batch:
                    yield []
                    await asyncio.sleep(poll_s)
        finally:
            await store.close()

    return batches


def replay_log(events: list[Event], speed: float, *, frame_s: float = 1 / 30) -> Source:
    """A source that plays ``events`` back on :func:`azr_actors.player.schedule`'s timing."""

    async def batches() -> AsyncGenerator[list[Event], None]:
        async for batch in play(schedule(events, speed), frame_s=frame_s):
            yield batch

    return batches
