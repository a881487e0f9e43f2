"""Server-sent events from an aiohttp response body, line by line.

:class:`SSEReader` yields one :class:`SSEEvent` per blank-line-terminated block
(``event:`` defaults to ``message``; comment lines are skipped). As the event-stream
format says, a line ends at CRLF, LF or a lone CR, a leading byte-order mark is
dropped, and bytes that are not UTF-8 decode as U+FFFD.
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
        self._ended = False
        self._first = True
        self._event = ""
        self._data: list[str] = []

    def _split(self) -> bytes | None:
        """The next complete line in the buffer, without its end; None if there is none yet."""
        cr, lf = self._buffer.find(b"\r"), self._buffer.find(b"\n")
        if lf >= 0 and (cr < 0 or lf < cr):
            raw, self._buffer = self._buffer[:lf], self._buffer[lf + 1 :]
        elif cr >= 0 and (cr + 1 < len(self._buffer) or self._ended):  # CR, or CRLF: need the next byte
            raw = self._buffer[:cr]
            skip = 2 if self._buffer[cr + 1 : cr + 2] == b"\n" else 1
            self._buffer = self._buffer[cr + skip :]
        else:
            return None
        return raw

    async def _line(self) -> str | None:
        while (raw := self._split()) is None:
            if self._ended:
                return None
            chunk = await self._content.readany()
            if chunk:
                self._buffer += chunk
            else:
                self._ended = True
        if self._first:
            raw, self._first = raw.removeprefix(b"\xef\xbb\xbf"), False
        return raw.decode("utf-8", "replace")

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
