"""SandboxPool: concurrent, isolated execution of untrusted samples from asyncio.

The pool starts one zygote process (see :mod:`._zygote`) that isolates itself
and forks a fresh runner per job; the runner forks the sample. ``workers``
jobs run at once, each in its own slot (scratch directory and, as root, its
own uid). Everything crossing back is a size-capped JSON frame from the
trusted runner; the pool never unpickles or evaluates anything.

Failure policy: a job whose runner does not answer within its limit plus a
grace period is killed and reported as ``timeout`` (never retried); if the
zygote dies, the job in flight reports ``error`` and the zygote is restarted
(counted in ``stats().restarts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import socket
import sys
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from . import _confine, _frames
from .jobs import CheckJob, CheckResult, PoolStats, ProbeJob, ProbeResult
from .limits import (
    DEFAULT_FACTOR,
    DEFAULT_FLOOR_S,
    LOAD_FLOOR_S,
    Limits,
    calibrated_time_limit,
    wall_cap,
)

__all__ = ["ISOLATION_MODES", "SandboxError", "SandboxPool", "calibrate_with"]

ISOLATION_MODES = ("auto", "namespaces", "userns", "none")
RESULT_CAP = 64 << 20
GRACE_S = 2.0
UID_BASE = 61000


class SandboxError(RuntimeError):
    """The pool cannot run (not started, closed, or the zygote failed to start)."""


class SandboxPool:
    """A pool of isolated sample executors (use as ``async with SandboxPool() as pool``).

    ``workers``: jobs run concurrently (default ``os.cpu_count()``).
    ``limits``: per-sample resource limits (default :class:`Limits`).
    ``isolation``: ``auto`` (namespaces if available, else a loud fallback),
    ``namespaces``, ``userns`` or ``none``; :attr:`isolation_report` says what
    was obtained: ``{"level", "layers", "warnings", "hidden", "uid_switch"}``.
    ``hidden_paths``: extra files or folders to hide from samples, on top of
    the benchmark data found by :func:`._confine.default_hidden_paths`.
    """

    def __init__(
        self,
        workers: int | None = None,
        *,
        limits: Limits | None = None,
        isolation: str = "auto",
        hidden_paths: list[str] | None = None,
    ) -> None:
        if isolation not in ISOLATION_MODES:
            raise ValueError(f"isolation must be one of {ISOLATION_MODES}, got {isolation!r}")
        if workers is not None and workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self.workers = workers or os.cpu_count() or 1
        self.limits = limits or Limits()
        self.isolation = isolation
        self._hidden = sorted({*_confine.default_hidden_paths(), *(hidden_paths or [])})
        self.isolation_report: dict[str, Any] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._restart_lock = asyncio.Lock()
        self._up = asyncio.Event()  # clear while the zygote restarts: no job may pick a stream
        self._generation = 0
        self._slots: asyncio.Queue[int] = asyncio.Queue()
        self._counts = {"completed": 0, "timeouts": 0, "restarts": 0, "queued": 0}
        self._closed = False

    # -- lifecycle -------------------------------------------------------
    async def start(self) -> None:
        """Start the zygote and wait for its isolation report."""
        if self._closed:
            raise SandboxError("the pool is closed")
        for slot in range(self.workers):
            self._slots.put_nowait(slot)
        await self._spawn()
        self._up.set()

    async def _spawn(self) -> None:
        pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(self.workers)]
        cfg = {
            "isolation": self.isolation,
            "limits": self.limits.to_dict(),
            "hidden": self._hidden,
            "uid_base": UID_BASE,
        }
        theirs = [pair[1].fileno() for pair in pairs]
        try:
            self._process = await asyncio.create_subprocess_exec(
                sys.executable, "-s", "-m", "azr_actors.sandbox._zygote", json.dumps(cfg), *map(str, theirs),
                pass_fds=theirs, stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, env={"PYTHONHASHSEED": "0"}, cwd="/",
            )  # fmt: skip
        finally:
            for pair in pairs:
                pair[1].close()
        streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._streams = streams  # closed by _kill_zygote if the start fails
        try:
            for ours, _ in pairs:
                reader, writer = await asyncio.open_unix_connection(sock=ours, limit=RESULT_CAP)
                streams.append((reader, writer))
            reports = [await asyncio.wait_for(_read_frame(r), 60) for r, _ in streams]
        except (
            TimeoutError,
            _frames.FrameError,
            OSError,
            EOFError,
            asyncio.IncompleteReadError,
        ) as exc:
            await self._kill_zygote()
            raise SandboxError(f"the sandbox zygote did not start: {exc!r}") from None
        self.isolation_report = reports[0] if isinstance(reports[0], dict) else {}
        if self.isolation_report.get("level") == "none" or self.isolation_report.get("warnings"):
            for warning in self.isolation_report.get("warnings", []):
                print(f"azr sandbox WARNING: {warning}", file=sys.stderr)

    async def _kill_zygote(self) -> None:
        for _, writer in self._streams:
            writer.close()
        self._streams = []
        if self._process is not None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            await self._process.wait()
            self._process = None
        if self.isolation_report.get("level") == "none":
            root = str(self.isolation_report.get("scratch_root", ""))
            if os.path.basename(root).startswith("azr-sandbox-"):
                shutil.rmtree(root, ignore_errors=True)

    async def close(self) -> None:
        """Stop the zygote; jobs in flight end with their runners.

        With namespaces the scratch tmpfs vanishes with the zygote; without, the
        scratch folder it made is removed here.
        """
        self._closed = True
        await self._kill_zygote()

    async def __aenter__(self) -> SandboxPool:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    # -- jobs ------------------------------------------------------------
    async def check(self, job: CheckJob) -> CheckResult:
        """Run the benchmark's hidden tests on one sample (see :class:`CheckJob`)."""
        timeout = job.timeout_s if job.timeout_s is not None else self.limits.wall_s
        payload = {
            "kind": "check", "prompt": job.prompt, "completion": job.completion, "test": job.test,
            "entry_point": job.entry_point, "timeout_s": timeout, "seed": job.seed,
        }  # fmt: skip
        # Twice: a test that leaves the batched path runs again, call by call, on a fresh sample.
        raw = await self._run(payload, 2 * _budget(timeout, 1))
        status = str(raw.get("status", "error"))
        return CheckResult(
            passed=status == "passed",
            status=status,
            detail=str(raw.get("detail", ""))[:300],
            duration_ms=_number(raw.get("duration_ms")),
        )

    async def probe(self, job: ProbeJob) -> ProbeResult:
        """Evaluate each call of ``job.calls`` on the sample; outputs are wire texts.

        A call that times out costs only itself: the remaining calls run in a
        fresh sandbox (a new job, not a retry of the one that timed out).
        """
        timeout = job.timeout_s if job.timeout_s is not None else self.limits.wall_s
        outputs: list[str | None] = []
        errors: list[str] = []
        status, detail, duration = "ok", "", 0.0
        while True:
            rest = list(job.calls[len(outputs) :])
            payload = {
                "kind": "probe", "code": job.code, "entry_point": job.entry_point, "calls": rest,
                "timeout_s": timeout, "seed": job.seed,
            }  # fmt: skip
            raw = await self._run(payload, _budget(timeout, len(rest)))
            duration += _number(raw.get("duration_ms"))
            got_out, got_err = raw.get("outputs"), raw.get("errors")
            if (
                not isinstance(got_out, list)
                or not isinstance(got_err, list)
                or len(got_out) != len(got_err)
            ):
                got_out, got_err = [], []
            outputs += [o if isinstance(o, str) else None for o in got_out[: len(rest)]]
            errors += [str(e)[:120] for e in got_err[: len(rest)]]
            run_status = str(raw.get("status", "error"))
            if run_status not in ("ok", "timeout") and status == "ok":
                status, detail = run_status, str(raw.get("detail", ""))[:300]
            if run_status == "timeout" and status == "ok":
                status, detail = "timeout", "a call timed out"
            if len(outputs) >= len(job.calls) or run_status != "timeout" or not got_out:
                break
        missing = len(job.calls) - len(outputs)
        outputs += [None] * missing
        errors += [status if status != "ok" else "not run"] * missing
        return ProbeResult(
            outputs=outputs, errors=errors, status=status, detail=detail, duration_ms=duration
        )

    async def calibrate(
        self,
        job: CheckJob,
        *,
        runs: int = 3,
        floor_s: float = DEFAULT_FLOOR_S,
        factor: float = DEFAULT_FACTOR,
    ) -> float:
        """Per-task wall limit from a reference solution.

        ``job.completion`` must be the reference (canonical) solution. It is run
        ``runs`` times under the pool's default limit; the slowest run is the
        reference time, and the result is ``max(floor_s, factor * reference)``.
        Raises :class:`SandboxError` if the reference does not pass.
        """
        return await calibrate_with(self.check, job, runs=runs, floor_s=floor_s, factor=factor)

    async def _run(self, payload: dict[str, Any], budget: float) -> dict[str, Any]:
        if self._closed or self._process is None:
            raise SandboxError("the pool is not running")
        self._counts["queued"] += 1
        try:
            slot = await self._slots.get()
        finally:
            self._counts["queued"] -= 1
        try:
            result = await self._run_in_slot(slot, payload, budget)
        finally:
            self._slots.put_nowait(slot)
        self._counts["completed"] += 1
        if result.get("status") == "timeout":
            self._counts["timeouts"] += 1
        return result

    async def _run_in_slot(
        self, slot: int, payload: dict[str, Any], budget: float
    ) -> dict[str, Any]:
        for attempt in range(2):
            await self._up.wait()  # never a stream of a zygote being replaced
            if self._closed or self._process is None or slot >= len(self._streams):
                raise SandboxError("the pool is not running")
            generation = self._generation
            reader, writer = self._streams[slot]
            try:
                writer.write(_frames.pack(payload))
                await writer.drain()
                result = await asyncio.wait_for(_read_frame(reader), budget)
            except (
                TimeoutError,
                OSError,
                EOFError,
                asyncio.IncompleteReadError,
                _frames.FrameError,
            ) as exc:
                if generation != self._generation and attempt == 0:
                    continue  # another job's restart killed this runner: run again on the new one
                # The trusted runner hung or died: nothing it says can be trusted now. Restart everything.
                await self._restart(generation)
                if isinstance(exc, TimeoutError):
                    return {"status": "timeout", "detail": "runner did not answer in time (restarted)"}
                return {"status": "error", "detail": "sandbox runner died (restarted)"}
            if not isinstance(result, dict):
                return {"status": "error", "detail": "runner sent a malformed result"}
            return result
        raise AssertionError("unreachable")

    async def _restart(self, generation: int) -> None:
        """Replace the zygote and every runner, once per failed generation."""
        async with self._restart_lock:
            if generation != self._generation or self._closed:
                return
            self._generation += 1
            self._counts["restarts"] += 1
            self._up.clear()
            try:
                await self._kill_zygote()
                await self._spawn()
            finally:
                self._up.set()  # on a failed start, waiting jobs see the pool is not running

    def stats(self) -> PoolStats:
        """A frozen snapshot of the pool's counters."""
        idle = self._slots.qsize()
        return PoolStats(
            workers=self.workers,
            busy=self.workers - idle,
            idle=idle,
            queued=self._counts["queued"],
            completed=self._counts["completed"],
            timeouts=self._counts["timeouts"],
            restarts=self._counts["restarts"],
            peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
        )


async def calibrate_with(
    check: Callable[[CheckJob], Awaitable[CheckResult]],
    job: CheckJob,
    *,
    runs: int,
    floor_s: float,
    factor: float,
) -> float:
    """:meth:`SandboxPool.calibrate` on any pool's ``check`` (the local one, or a cluster's)."""
    durations = []
    for _ in range(runs):
        result = await check(
            CheckJob(job.prompt, job.completion, job.test, job.entry_point, None, job.seed)
        )
        if not result.passed:
            raise SandboxError(
                f"the reference solution does not pass: {result.status} ({result.detail})"
            )
        durations.append(result.duration_ms / 1000.0)
    return calibrated_time_limit(max(durations), floor_s=floor_s, factor=factor)


def _budget(limit_s: float, phases: int) -> float:
    """How long the pool waits for a runner: loading, ``phases`` timed phases, and a grace period."""
    return wall_cap(max(limit_s, LOAD_FLOOR_S)) + phases * wall_cap(limit_s) + GRACE_S


def _number(value: Any) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


async def _read_frame(reader: asyncio.StreamReader) -> Any:
    """One frame from a runner (capped, JSON only)."""
    size = int.from_bytes(await reader.readexactly(4), "big")
    if size > RESULT_CAP:
        raise _frames.FrameError(f"result of {size} bytes")
    return _frames.decode_body(await reader.readexactly(size))
