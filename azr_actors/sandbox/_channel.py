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
from .limits import wall_cap

__all__ = ["Channel", "Stop"]


class Stop(BaseException):
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
        os.set_blocking(to_sample, False)
        self._from = from_sample
        self._out = output
        self._watch_out = [output]  # emptied once the sample has closed its stdout/stderr
        self._result_cap = result_cap
        self._output_cap = output_cap
        self._buffer = bytearray()
        self.output_bytes = 0
        self.deadline = time.monotonic()
        self._limit = 0.0
        self._hard_deadline = self.deadline
        self._cpu_start = 0.0
        self.stopped: tuple[str, str] | None = None
        self.exit_status: int | None = None
        self._expected = 0  # replies the sample owes (more than one after a batch)

    def begin(self, limit_s: float) -> None:
        """Start a time budget: ``limit_s`` seconds of the sample's CPU, within ``wall_cap(limit_s)``."""
        now = time.monotonic()
        self._limit = limit_s
        self.deadline = now + limit_s
        self._hard_deadline = now + wall_cap(limit_s)
        self._cpu_start = self._cpu() or 0.0

    def _cpu(self) -> float | None:
        """CPU seconds used so far by the sample process (all its threads)."""
        try:
            return time.clock_gettime((~self.pid << 3) | 2)  # CPUCLOCK_SCHED of a process
        except OSError:
            return None

    def _expired(self) -> bool:
        """At the deadline: True if the sample used its budget (or hit the cap); else extend it."""
        now = time.monotonic()
        used = self._cpu()
        if now >= self._hard_deadline or used is None:
            return True
        missing = self._limit - (used - self._cpu_start)
        if missing <= 0.002:
            return True
        self.deadline = min(self._hard_deadline, now + missing)
        return False

    def _left(self) -> float:
        """Seconds to wait before looking again; raises Stop once the time limit is spent."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            if self._expired():
                raise self.stop("timeout", "time limit")
            left = self.deadline - time.monotonic()
        return max(left, 0.0)

    def stop(self, status: str, detail: str) -> Stop:
        """Record the first reason to stop, kill the sample, and return the signal to raise."""
        if self.stopped is None:
            self.stopped = (status, detail)
        self.kill()
        return Stop(detail)

    def request(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one request and return the sample's reply (a dict), or raise :class:`Stop`."""
        self.order(message, 1)
        return self.reply()

    def order(self, message: dict[str, Any], replies: int) -> None:
        """Send a request that the sample answers with ``replies`` frames, read by :meth:`reply`."""
        if self.stopped is not None:
            raise Stop(self.stopped[1])
        self._send(_frames.pack(message))
        self._expected += replies

    @property
    def owed(self) -> int:
        """Replies ordered and not yet read."""
        return self._expected

    def reply(self) -> dict[str, Any]:
        """The next reply the sample owes (a dict), or raise :class:`Stop`."""
        if self.stopped is not None:
            raise Stop(self.stopped[1])
        if self._expected <= 0:
            raise RuntimeError("no reply is owed")
        frame = self._reply()
        self._expected -= 1
        return frame

    def _send(self, data: bytes) -> None:
        """Write without blocking on a sample that does not read, draining its output meanwhile."""
        view = memoryview(data)
        while view:
            left = self._left()
            readable, writable, _ = select.select(self._watch_out, [self._to], [], left)
            if readable:
                self._drain_output()
            if writable:
                try:
                    view = view[os.write(self._to, view[: 1 << 16]) :]
                except BlockingIOError:
                    continue
                except OSError:
                    raise self._died() from None

    def _reply(self) -> dict[str, Any]:
        while True:
            frame = self._take_frame()
            if frame is not None:
                return frame
            left = self._left()
            ready, _, _ = select.select([self._from, *self._watch_out], [], [], left)
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
        if self._buffer and self._expected <= 1:
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
        if not chunk:  # closed by the sample: at end of file it would wake every select at once
            self._watch_out = []
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
