"""The runner's end of the conversation with one sample process.

The channel owns the sample's process (its pid is PID 1 of its own PID
namespace when isolation is on): it sends requests, waits for one reply under
the job's deadline while draining and counting the sample's stdout/stderr,
and records the first reason to stop (timeout, output flood, death,
malformed reply). Once stopped, a channel never answers again: every later
call raises :class:`Stop`, a ``BaseException`` so that test code catching
``Exception`` cannot swallow it, and the recorded reason wins over whatever
the test did afterwards.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from . import _frames

__all__ = ["Channel", "Stop"]


class Stop(BaseException):  # noqa: N818 - a control-flow signal, not an error
    """The sample can no longer answer; ``Channel.stopped`` says why."""


class Channel:
    """Requests to, and capped replies from, one sample process."""

    def __init__(
        self,
        pid: int,
        pidfd: int,
        to_sample: int,
        from_sample: int,
        output: int,
        *,
        result_cap: int,
        output_cap: int,
        wait_exit: Callable[[int, float], int | None],
    ) -> None:
        self.pid = pid
        self._pidfd = pidfd
        self._wait_exit = wait_exit
        self._to = to_sample
        self._from = from_sample
        self._out = output
        self._result_cap = result_cap
        self._output_cap = output_cap
        self._buffer = bytearray()
        self.output_bytes = 0
        self.deadline = time.monotonic()
        self.stopped: tuple[str, str] | None = None
        self.exit_status: int | None = None

    def stop(self, status: str, detail: str) -> Stop:
        """Record the first reason to stop, kill the sample, and return the signal to raise."""
        if self.stopped is None:
            self.stopped = (status, detail)
        self.kill()
        return Stop(detail)

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the sample's reply (a dict), or raise :class:`Stop`."""
        if self.stopped is not None:
            raise Stop(self.stopped[1])
        try:
            _frames.write_frame(self._to, message)
        except OSError:
            raise self._died() from None
        return self._reply()

    def _reply(self) -> dict[str, Any]:
        while True:
            frame = self._take_frame()
            if frame is not None:
                return frame
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise self.stop("timeout", "wall-clock limit")
            ready, _, _ = select.select([self._from, self._out], [], [], left)
            if self._out in ready:
                self._drain_output()
            if self._from in ready:
                chunk = os.read(self._from, 1 << 16)
                if not chunk:
                    raise self._died()
                self._buffer += chunk

    def _take_frame(self) -> dict[str, Any] | None:
        if len(self._buffer) < 4:
            return None
        size = int.from_bytes(self._buffer[:4], "big")
        if size > self._result_cap:
            raise self.stop("output_limit", f"reply of {size} bytes exceeds {self._result_cap}")
        if len(self._buffer) < 4 + size:
            return None
        body = bytes(self._buffer[4 : 4 + size])
        del self._buffer[: 4 + size]
        if self._buffer:
            raise self.stop("tampered", "sample sent an unrequested reply")
        try:
            frame = _frames.decode_body(body)
        except _frames.FrameError:
            raise self.stop("tampered", "sample sent a malformed reply") from None
        if not isinstance(frame, dict) or len(frame) > 2:
            raise self.stop("tampered", "sample sent a malformed reply")
        return frame

    def _drain_output(self) -> None:
        try:
            chunk = os.read(self._out, 1 << 16)
        except BlockingIOError:
            return
        self.output_bytes += len(chunk)
        if self.output_bytes > self._output_cap:
            raise self.stop("output_limit", f"printed more than {self._output_cap} bytes")

    def _died(self) -> Stop:
        if not select.select([self._pidfd], [], [], 0.5)[0]:
            return self.stop("tampered", "sample closed its reply pipe before the tests finished")
        status = self.reap(block=True)
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
            if sig == signal.SIGXCPU:
                return self.stop("timeout", "CPU time limit")
            if sig == signal.SIGXFSZ:
                return self.stop("error", "file size limit")
            if sig == signal.SIGKILL:
                return self.stop("memory", "killed by the kernel (out of memory)")
            return self.stop("error", f"sample died of signal {signal.Signals(sig).name}")
        code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1
        return self.stop("tampered", f"sample exited (code {code}) before the tests finished")

    def reap(self, *, block: bool) -> int:
        """The sample's wait status, as reported by the zygote that reaped it (0 if unknown)."""
        if self.exit_status is None:
            self.exit_status = self._wait_exit(self.pid, 1.0 if block else 0.0)
        return self.exit_status or 0

    def close(self) -> None:
        """Close the runner's ends of the sample's pipes."""
        for fd in (self._to, self._from, self._out, self._pidfd):
            with contextlib.suppress(OSError):
                os.close(fd)

    def kill(self) -> None:
        """Kill the sample (and with it its PID namespace or process group)."""
        if self.exit_status is not None:
            return
        try:
            os.killpg(self.pid, signal.SIGKILL)  # its session, when it has no PID namespace
        except OSError as exc:
            if exc.errno not in (errno.ESRCH, errno.EPERM):
                raise
        with contextlib.suppress(ProcessLookupError):
            signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
