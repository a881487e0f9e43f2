"""Length-prefixed JSON frames over pipes, read defensively.

A frame is a 4-byte big-endian length and that many bytes of UTF-8 JSON. A
reader never accepts more than its cap, never evaluates anything, and treats a
short read, a bad length or bad JSON as :class:`FrameError`.
"""

from __future__ import annotations

import json
import os
import select
import time
from typing import Any

__all__ = [
    "JOB_CAP",
    "FrameError",
    "decode_body",
    "pack",
    "read_exact",
    "read_frame",
    "write_frame",
]

_HEADER = 4
#: The largest job frame (pool -> runner -> sample) any reader accepts.
JOB_CAP = 64 << 20
_len = len  # bound at import: a sample that rewrites builtins cannot garble its own frames


class FrameError(Exception):
    """A malformed, oversized or truncated frame."""


def pack(obj: Any) -> bytes:
    """Encode one frame."""
    body = json.dumps(obj, separators=(",", ":")).encode()
    return _len(body).to_bytes(_HEADER, "big") + body


def write_frame(fd: int, obj: Any) -> None:
    """Write one frame fully (blocking)."""
    data = memoryview(pack(obj))
    while data:
        data = data[os.write(fd, data) :]


def read_exact(fd: int, n: int, deadline: float | None = None) -> bytes:
    """Read exactly ``n`` bytes; EOFError on end of file, TimeoutError past ``deadline``."""
    chunks: list[bytes] = []
    while n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def decode_body(body: bytes) -> Any:
    """Parse a frame body as JSON; FrameError if it is not."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise FrameError(f"bad frame: {type(exc).__name__}") from None


def read_frame(fd: int, cap: int, deadline: float | None = None) -> Any:
    """Read one frame of at most ``cap`` bytes (EOFError at a clean end of file)."""
    size = int.from_bytes(read_exact(fd, _HEADER, deadline), "big")
    if size > cap:
        raise FrameError(f"frame of {size} bytes exceeds {cap}")
    return decode_body(read_exact(fd, size, deadline))
