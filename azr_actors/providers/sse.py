"""Server-sent events from an aiohttp response body, line by line.

:class:`SSEReader` yields one :class:`SSEEvent` per blank-line-terminated block
(``event:`` defaults to ``message``; comment lines are skipped).
:class:`DeadlineReader` also moves an attempt's deadline once text has arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

__all__ = ["DeadlineReader", "SSEEvent", "SSEReader"]


@dataclass(frozen=True)
class SSEEvent:
    """One event: its name (``message`` when unnamed) and its ``data:`` lines joined by newlines."""

    event: str
    data: str


class SSEReader:
    """Server-sent events from a response body; :meth:`next` is None at the end."""

    def __init__(self, content: aiohttp.StreamReader) -> None:
        self._content = content
        self._buffer = b""
        self._event = ""
        self._data: list[str] = []

    async def _line(self) -> str | None:
        while b"\n" not in self._buffer:
            chunk = await self._content.readany()
            if not chunk:
                return None
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\n", 1)
        return raw.rstrip(b"\r").decode("utf-8")

    async def next(self) -> SSEEvent | None:
        while (line := await self._line()) is not None:
            if not line:
                if self._data:
                    event = SSEEvent(self._event or "message", "\n".join(self._data))
                    self._event, self._data = "", []
                    return event
                self._event = ""
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                self._event = value
            elif name == "data":
                self._data.append(value)
        return None


class DeadlineReader(SSEReader):
    """An :class:`SSEReader` that moves the attempt's deadline once text has arrived:
    from the first-token deadline to ``now + idle`` (never past the overall deadline)."""

    def __init__(self, content: aiohttp.StreamReader, deadline: asyncio.Timeout,
                 loop: asyncio.AbstractEventLoop, overall: float, idle_s: float,
                 started: Callable[[], bool]) -> None:
        super().__init__(content)
        self._deadline, self._loop, self._overall = deadline, loop, overall
        self._idle_s, self._started = idle_s, started

    async def next(self) -> SSEEvent | None:
        if self._started():
            self._deadline.reschedule(min(self._overall, self._loop.time() + self._idle_s))
        return await super().next()
