"""The zygote: a prepared interpreter that forks one runner per job.

Started by the pool as ``python -m azr_actors.sandbox._zygote CONFIG_JSON FD``
with an almost empty environment. It isolates itself once (namespaces,
read-only mounts, hidden benchmark data), imports the standard modules samples
commonly use, freezes its heap (so forks share it), sends its isolation report,
and then serves fork requests on a SOCK_SEQPACKET socket: each request is the
slot number plus two descriptors (job pipe to read, result pipe to write)
passed with SCM_RIGHTS; the reply is the runner's pid. The zygote never reads
a job: problems, tests and answers only ever reach the forked runner.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import socket
import sys
from typing import Any

from . import _confine, _frames, _runner, _syscalls

__all__ = ["main"]

PRELOAD = (
    "math", "re", "string", "collections", "itertools", "functools", "heapq", "bisect",
    "typing", "random", "hashlib", "statistics", "fractions", "decimal", "copy", "json",
    "operator", "datetime", "array", "cmath", "numbers", "textwrap", "unicodedata", "struct",
)  # fmt: skip


def _preload() -> None:
    for name in PRELOAD:
        __import__(name)


def _serve(control: socket.socket, cfg: dict[str, Any]) -> None:
    while True:
        try:
            message, fds, _flags, _addr = socket.recv_fds(control, 64, 2)
        except (ConnectionError, OSError):
            return
        if not message:
            return
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        slot = int(message)
        pid = os.fork()
        if pid == 0:
            try:
                control.close()
                _runner.run(fds[0], fds[1], slot, cfg)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        control.sendall(str(pid).encode())


def main(argv: list[str]) -> None:
    """Entry point (see the module docstring)."""
    cfg = json.loads(argv[1])
    control = socket.socket(fileno=int(argv[2]))
    _syscalls.set_parent_death_signal(signal.SIGKILL)
    os.environ.clear()
    os.environ.update(_confine.SAFE_ENV)
    report = _confine.isolate_worker(cfg["isolation"], int(cfg["limits"]["scratch_mb"]), cfg["hidden"])
    cfg["report"] = report
    _preload()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # runners are reaped by the kernel
    gc.collect()
    gc.freeze()
    control.sendall(_frames.pack(report))
    _serve(control, cfg)


if __name__ == "__main__":
    main(sys.argv)
