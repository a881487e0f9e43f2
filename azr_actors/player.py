"""Replay timing: when each event of a finished log is shown, at compressed time.

:func:`schedule` is pure: it keeps the log's order (``seq``) and the relative
timing of the events (their ``ts``), scaled by a speed factor, so two replays of
one log have the same schedule. :func:`play` sleeps through a schedule with an
injected sleep function and yields the events in batches that fall due together
(one batch per frame), which keeps a slow consumer from falling behind.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from .errors import BadInput
from .eventlog.events import Event

__all__ = ["DEFAULT_DURATION_S", "Tick", "play", "schedule", "speed_for"]

#: Replay length when neither a duration nor a speed is given.
DEFAULT_DURATION_S = 30.0


@dataclass(frozen=True)
class Tick:
    """An event and the replay offset (seconds from the start) at which it is shown."""

    at_s: float
    event: Event


def _log_offsets(events: Sequence[Event]) -> list[float]:
    """Seconds since the first timestamped event, never decreasing along seq order.

    An event without a timestamp (ts 0) or stamped earlier than its predecessor
    keeps its predecessor's offset: order wins over clocks.
    """
    start = next((e.ts for e in events if e.ts), 0.0)
    offsets, last = [], 0.0
    for event in events:
        if event.ts:
            last = max(last, event.ts - start)
        offsets.append(last)
    return offsets


def speed_for(
    events: Sequence[Event], *, duration_s: float | None = None, speed: float | None = None
) -> float:
    """The speed factor: ``speed`` as given, or the one that makes the replay last ``duration_s``.

    Neither given means :data:`DEFAULT_DURATION_S` (never slower than real time).
    A duration of 0 plays everything at once (infinite speed).
    """
    if duration_s is not None and speed is not None:
        raise BadInput("give --duration or --speed, not both")
    if speed is not None:
        if not speed > 0:
            raise BadInput(f"--speed must be > 0, got {speed}")
        return speed
    span = _log_offsets(events)[-1] if events else 0.0
    if duration_s is None:
        return max(1.0, span / DEFAULT_DURATION_S) if span else 1.0
    # not finite: NaN would schedule every event at NaN (play never yields them: a hang),
    # inf a speed of 0 (a division by zero)
    if not (duration_s >= 0 and math.isfinite(duration_s)):
        raise BadInput(f"--duration must be a finite number >= 0, got {duration_s}")
    if duration_s == 0:
        return float("inf")
    return span / duration_s if span else 1.0


def schedule(events: Sequence[Event], speed: float) -> list[Tick]:
    """Each event with its replay offset: log offset / speed, in seq order."""
    ordered = sorted(events, key=lambda e: e.seq)
    return [
        Tick(0.0 if speed == float("inf") else off / speed, e)
        for off, e in zip(_log_offsets(ordered), ordered, strict=True)
    ]


async def play(
    ticks: Sequence[Tick],
    *,
    frame_s: float = 1 / 30,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> AsyncIterator[list[Event]]:
    """Yield the events of ``ticks`` in batches, sleeping until each batch falls due.

    A batch holds the events due within one frame (``frame_s``) of now, so an
    event is shown at most one frame early; the sleeps add up to the schedule's
    length, less at most one frame (sleeps are relative, so the order and
    spacing of batches never depend on how long the consumer takes).
    """
    now, i = 0.0, 0
    while i < len(ticks):
        due = ticks[i].at_s
        if due > now:
            await sleep(due - now)
            now = due
        batch = []
        while i < len(ticks) and ticks[i].at_s <= now + frame_s:
            batch.append(ticks[i].event)
            i += 1
        yield batch
