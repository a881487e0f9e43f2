"""The zygote: a prepared interpreter that forks runners once and samples per job.

Started by the pool as ``python -s -m azr_actors.sandbox._zygote CONFIG_JSON
FD...`` (one stream socket per slot) with an almost empty environment. It
isolates itself once (namespaces, read-only mounts, hidden benchmark data),
imports the standard modules samples commonly use, freezes its heap, forks one
long-lived trusted runner per slot (handing it that slot's socket), sends its
isolation report on slot 0's socket, and then serves the runners.

A runner asks for a fresh sample process on its SOCK_SEQPACKET control
socket: the message is ``"spawn SCRATCH_DIR"`` with the sample's three pipe
ends attached (SCM_RIGHTS). The zygote forks the sample into a new PID
namespace and replies ``"pid PID"`` with a pidfd attached; when a sample dies
(its own pidfd, kept by the zygote, turns readable) it reaps it and sends
``"exit PID STATUS"``. The zygote never reads a job: problems, tests
and answers only ever reach the runners, so no sample can find them in memory
it inherited.
"""

from __future__ import annotations

import _socket
import array
import gc
import json
import os
import select
import signal
import sys
from typing import Any

from . import _confine, _frames, _sample, _syscalls

__all__ = ["main"]

#: Standard modules samples commonly import, loaded once here. Each module the
#: zygote holds costs every sample's fork and exit (about 0.15 ms per MiB on a
#: small machine), so heavy, rarely used ones (statistics, decimal, fractions,
#: datetime, hashlib) are left for the few samples that import them.
PRELOAD = (
    "math", "re", "string", "collections", "itertools", "functools", "heapq", "bisect",
    "typing", "random", "operator", "array", "cmath", "textwrap", "unicodedata", "struct",
)  # fmt: skip


def _socketpair() -> tuple[_socket.socket, _socket.socket]:
    """A SOCK_SEQPACKET pair (through ``_socket``: the ``socket`` module is not worth its memory here)."""
    return _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)


def _recv_fds(sock: _socket.socket, size: int, most: int) -> tuple[bytes, list[int]]:
    """One message and the descriptors attached to it (as ``socket.recv_fds``)."""
    fds = array.array("i")
    message, ancillary, _flags, _addr = sock.recvmsg(size, _socket.CMSG_LEN(most * fds.itemsize))
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    return message, list(fds)


def _send_fds(sock: _socket.socket, message: bytes, fds: list[int]) -> None:
    """Send ``message`` with descriptors attached (as ``socket.send_fds``)."""
    sock.sendmsg([message], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds))])


class _Zygote:
    def __init__(self, cfg: dict[str, Any], pidns_fd: int | None) -> None:
        self.cfg = cfg
        self.pidns_fd = pidns_fd
        self.controls: dict[int, _socket.socket] = {}  # slot -> zygote end
        self.runners: dict[int, int] = {}  # runner pid -> slot
        self.samples: dict[int, int] = {}  # sample pid -> slot
        self.pidfds: dict[int, int] = {}  # pidfd -> sample pid (readable once it has exited)
        self.rlimits = _confine.sample_rlimits(
            cfg["limits"], uid_switch=cfg["report"]["uid_switch"]
        )

    def fork_runner(self, slot: int, pool_fd: int, other_fds: list[int]) -> None:
        ours, theirs = _socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                for fd in other_fds:
                    os.close(fd)
                for sock in self.controls.values():
                    sock.close()
                _syscalls.set_parent_death_signal(signal.SIGKILL)
                from . import _runner  # only runners need it (and what it imports)

                _runner.serve(pool_fd, theirs.detach(), slot, self.cfg)
            finally:
                os._exit(0)
        theirs.close()
        os.close(pool_fd)
        self.controls[slot] = ours
        self.runners[pid] = slot

    def spawn_sample(self, slot: int, scratch: str, fds: list[int]) -> None:
        control = self.controls[slot]
        report = self.cfg["report"]
        if self.pidns_fd is not None:
            _syscalls.setns(self.pidns_fd, _syscalls.CLONE_NEWPID)
            _syscalls.unshare(_syscalls.CLONE_NEWPID)
        pid = os.fork()
        if pid == 0:  # the sample: PID 1 of its own namespace
            try:
                to_r, from_w, out_w = fds
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(out_w, 1)
                os.dup2(out_w, 2)
                _confine.confine_sample(
                    scratch=scratch,
                    uid=self.cfg["uid_base"] + slot,
                    uid_switch=report["uid_switch"],
                    isolated=report["level"] != "none",
                    rlimits=self.rlimits,
                    keep_fds=(to_r, from_w),
                )
                _sample.serve(to_r, from_w, _frames.JOB_CAP)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        self.samples[pid] = slot
        pidfd = os.pidfd_open(pid)
        self.pidfds[pidfd] = pid
        _send_fds(control, f"pid {pid}".encode(), [pidfd])

    def reap(self, pidfd: int) -> bool:
        """Collect the sample behind ``pidfd`` and tell its runner; False if that runner is gone."""
        pid = self.pidfds[pidfd]
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            got, status = pid, 0
        if got == 0:
            return True  # not yet (a spurious wakeup)
        del self.pidfds[pidfd]
        os.close(pidfd)
        slot = self.samples.pop(pid)
        try:
            self.controls[slot].send(f"exit {pid} {status}".encode())
        except OSError:
            return False
        return True

    def serve(self) -> None:
        """Fork samples on request and report their exits until a runner goes away.

        Exits are seen through each sample's pidfd (no SIGCHLD handler, so a
        forked sample has no signal state to undo).
        """
        by_fd = {sock.fileno(): slot for slot, sock in self.controls.items()}
        while True:
            ready, _, _ = select.select([*by_fd, *self.pidfds], [], [])
            for fd in ready:
                if fd in self.pidfds:
                    if not self.reap(fd):
                        return
                    continue
                slot = by_fd[fd]
                try:
                    message, fds = _recv_fds(self.controls[slot], 4096, 3)
                except OSError:  # ECONNRESET: a runner died with a request unread
                    return
                if not message:
                    return  # a runner is gone: stop everything
                words = message.decode().split(" ", 1)
                if words[0] == "spawn" and len(fds) == 3 and len(words) == 2:
                    self.spawn_sample(slot, words[1], fds)
                else:
                    for extra in fds:
                        os.close(extra)


def _own_pidns(report: dict[str, Any]) -> int | None:
    """A descriptor for joining our own PID namespace (to reset it before each sample fork)."""
    if report["level"] == "none":
        return None
    if report["level"] == "userns":
        # Our active PID namespace belongs to the host's user namespace, which we cannot
        # setns into: become PID 1 of a namespace of our own user namespace first.
        _syscalls.unshare(_syscalls.CLONE_NEWPID)
        child = os.fork()
        if child:
            _, status = os.waitpid(child, 0)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        _syscalls.set_parent_death_signal(signal.SIGKILL)
    try:
        fd = os.pidfd_open(os.getpid())
        _syscalls.setns(fd, _syscalls.CLONE_NEWPID)
        return fd
    except OSError as exc:
        report["warnings"].append(f"no per-sample PID namespace: {exc}")
        report["layers"] = [layer for layer in report["layers"] if layer != "pidns"]
        return None


def main(argv: list[str]) -> None:
    """Entry point (see the module docstring)."""
    cfg = json.loads(argv[1])
    pool_fds = [int(a) for a in argv[2:]]
    _syscalls.set_parent_death_signal(signal.SIGKILL)
    os.environ.clear()
    os.environ.update(_confine.SAFE_ENV)
    report = _confine.isolate_worker(
        cfg["isolation"], int(cfg["limits"]["scratch_mb"]), cfg["hidden"]
    )
    pidns_fd = _own_pidns(report)
    cfg["report"] = report
    for name in PRELOAD:
        __import__(name)
    # Inherited by every runner and sample (so no sample spends a call on them): default
    # dispositions (whatever the pool's parent ignored) and no privilege gain through exec.
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    _syscalls.set_no_new_privs()
    _sample.warm_up()
    gc.collect()
    gc.freeze()
    zygote = _Zygote(cfg, pidns_fd)
    for slot, fd in enumerate(pool_fds):
        zygote.fork_runner(slot, fd, pool_fds[slot + 1 :])
    zygote.serve()


if __name__ == "__main__":
    main(sys.argv)
