"""The trusted runner: one long-lived process per pool slot, never running sample code.

Each job gets a fresh sample process forked by the zygote (so the sample's
memory never held a test or an answer) and already confined and waiting. The
runner reads the job from the pool and drives it:

* **check**: the runner executes ``prompt + test`` itself and calls
  ``check(candidate)`` with a *proxy* candidate. Each call's arguments go to
  the sample type-exactly encoded; the sample's return value comes back the
  same way and is decoded into plain values (an unknown type becomes an
  ``Opaque`` that equals nothing else). So every comparison of the test runs
  here, on plain values, in a process the sample cannot see, trace or patch,
  and expected answers do not reach the sample (except as a later batched
  call's argument, where a test feeds one answer into the next call). ``passed``
  is reported only when ``check`` returned normally, no stop reason was
  recorded, and the sample was still alive and clean at the end.

  To save a round trip per call, the runner first runs the test against a
  *recorder* whose results equal everything (the path on which every check
  holds) and sends the calls it made as one batch; the sample streams one
  reply per call. The real run then checks that each call's arguments are
  the recorded ones, in order, before taking the next reply, and makes any
  further calls one by one. If the real run leaves the recorded path (a
  result steered the test elsewhere), the job runs again, call by call, on a
  fresh sample: a verdict always comes from exactly the calls a call-by-call
  run makes, in the same order.
* **probe**: the sample evaluates each call expression (all sent at once, a
  time budget per reply); the runner returns each reply's wire text after
  validating it with ``values.decode``.
"""

from __future__ import annotations

import builtins
import functools
import os
import random
import select
import shutil
import socket
import time
from types import CodeType
from typing import Any

from . import _confine, _frames, values
from ._channel import Channel, Stop
from .limits import LOAD_FLOOR_S

__all__ = ["JOB_CAP", "serve"]

JOB_CAP = _frames.JOB_CAP


class CandidateError(Exception):
    """The candidate raised an exception that is not a builtin one."""


class CandidateAborted(BaseException):
    """The candidate raised SystemExit, KeyboardInterrupt or similar."""


def _exception(name: str) -> BaseException:
    cls = getattr(builtins, name, None)
    message = "raised by the candidate"
    if isinstance(cls, type) and issubclass(cls, Exception):
        try:
            return cls(message)
        except Exception:
            return CandidateError(name)
    if isinstance(cls, type) and issubclass(cls, BaseException):
        return CandidateAborted(name)
    return CandidateError(name)


#: The most calls, and argument bytes, one batch carries (the rest go one by one).
BATCH_CALLS = 4096
BATCH_BYTES = 4 << 20


class _Deviated(BaseException):
    """The real run of the test left the path recorded for the batch."""


class _RecordEnd(BaseException):
    """The recorder cannot predict further calls."""


class _Unknown:
    """A result the recorder does not know yet: equal to everything, unusable otherwise."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False


def _wire_call(args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, str] | None:
    """A call's arguments as wire texts, or None if the wire format cannot carry them exactly."""
    try:
        wire_args, wire_kwargs = values.encode(list(args)), values.encode(kwargs)
    except (TypeError, ValueError, RecursionError):
        return None
    if '{"other":' in wire_args or '{"other":' in wire_kwargs:
        return None
    return wire_args, wire_kwargs


class _Recorder:
    """The candidate of the record pass: notes each call's arguments, returns :class:`_Unknown`."""

    def __init__(self, name: str) -> None:
        self.__name__ = name
        self.calls: list[tuple[str, str]] = []
        self._bytes = 0

    def __call__(self, *args: Any, **kwargs: Any) -> _Unknown:
        wire = _wire_call(args, kwargs)
        if wire is None or len(self.calls) >= BATCH_CALLS:
            raise _RecordEnd
        self._bytes += len(wire[0]) + len(wire[1])
        if self._bytes > BATCH_BYTES:
            raise _RecordEnd
        self.calls.append(wire)
        return _Unknown()


class _Candidate:
    """Stands for the sample's entry point inside the trusted test.

    ``batched`` are the calls already sent as one batch: the first calls must
    match them in order, and take their replies from the stream.
    """

    def __init__(self, channel: Channel, name: str, batched: list[tuple[str, str]]) -> None:
        self._channel = channel
        self._batched = batched
        self.__name__ = name
        self.calls = 0
        self.opaque = ""
        self.deviated = False

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.deviated:
            raise _Deviated
        self.calls += 1
        wire = _wire_call(args, kwargs)
        if wire is None:
            raise self._channel.stop(
                "error", "the test passes a value the wire format cannot carry exactly"
            )
        if self.calls <= len(self._batched):
            if self._batched[self.calls - 1] != wire:
                self.deviated = True
                raise _Deviated
            reply = self._channel.reply()
        else:
            reply = self._channel.request({"batch": [wire]})
        if "ok" in reply and isinstance(reply["ok"], str):
            try:
                value = values.decode(reply["ok"])
            except values.WireError as exc:
                raise self._channel.stop("tampered", f"malformed return value ({exc})") from None
            if '{"other":' in reply["ok"] and not self.opaque:
                self.opaque = f"returned an unexpected type on call {self.calls}"
            return value
        if "tamper" in reply:
            raise self._channel.stop("tampered", str(reply["tamper"])[:200])
        if "raise" in reply:
            name = str(reply["raise"])
            if name == "MemoryError":
                raise self._channel.stop("memory", f"MemoryError on call {self.calls}")
            raise _exception(name)
        raise self._channel.stop("tampered", "sample sent a malformed reply")


def _load(channel: Channel, job: dict[str, Any], code: str, mode: str) -> dict[str, Any] | None:
    """Send the code; return a failure result, or None once the sample is ready.

    Loading (module-level code, imports) gets ``max(limit, LOAD_FLOOR_S)``; the
    calls that follow get the job's own limit.
    """
    limit = float(job["timeout_s"])
    channel.begin(max(limit, LOAD_FLOOR_S))
    try:
        reply = channel.request(
            {"code": code, "entry": job["entry_point"], "seed": job["seed"], "mode": mode}
        )
    except Stop:
        return None
    if "load_error" in reply:
        name = str(reply["load_error"])[:80]
        return {
            "status": "memory" if name == "MemoryError" else "failed",
            "detail": f"{name} while loading the sample",
        }
    if "tamper" in reply:
        channel.stop("tampered", str(reply["tamper"])[:200])
        return None
    if "ready" not in reply:
        channel.stop("tampered", "sample sent a malformed reply")
    channel.begin(limit)
    return None


@functools.lru_cache(maxsize=256)
def _compiled_test(source: str) -> CodeType:
    """The test program, compiled once per task (samples of a task share it)."""
    return compile(source, "<test>", "exec")


def _test_check(job: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """A fresh namespace holding the job's test program, and its ``check`` (``random`` reseeded)."""
    namespace: dict[str, Any] = {}
    random.seed(job["seed"])
    exec(_compiled_test(job["prompt"] + "\n" + job["test"]), namespace)
    return namespace, namespace.get("check")


def _record(job: dict[str, Any]) -> list[tuple[str, str]]:
    """The calls the test makes if every check holds, as far as they can be known in advance."""
    recorder = _Recorder(job["entry_point"])
    try:
        namespace, check = _test_check(job)
        namespace[job["entry_point"]] = recorder
        check(recorder)
    except BaseException:  # the record pass only predicts; the real run decides
        pass
    return recorder.calls


def _check(channel: Channel, job: dict[str, Any], *, batch: bool = True) -> dict[str, Any] | None:
    """Run the test on the sample; None if the real run left the recorded batch's path."""
    batched = _record(job) if batch else []
    try:
        namespace, check = _test_check(job)
    except BaseException as exc:
        return {
            "status": "error",
            "detail": f"harness: the test does not load ({type(exc).__name__})",
        }
    if not callable(check):
        return {"status": "error", "detail": "harness: the test defines no check()"}
    failure = _load(channel, job, job["prompt"] + job["completion"] + "\n", "check")
    if failure is not None or channel.stopped is not None:
        return failure or _stopped(channel)
    candidate = _Candidate(channel, job["entry_point"], batched)
    namespace[job["entry_point"]] = candidate
    outcome: dict[str, Any] | None = None
    try:
        if batched:
            channel.order({"batch": batched}, len(batched))
        check(candidate)
    except Stop:
        pass
    except _Deviated:
        return None
    except AssertionError:
        outcome = {"status": "failed", "detail": f"AssertionError after call {candidate.calls}"}
    except BaseException as exc:
        outcome = {"status": "failed", "detail": f"{type(exc).__name__} on call {candidate.calls}"}
    if channel.stopped is not None:
        return _stopped(channel)
    if candidate.deviated:
        return None
    if outcome is not None:
        if candidate.opaque:
            outcome["detail"] += f" ({candidate.opaque})"
        return outcome
    if channel.owed:
        return None  # passed along a shorter path than recorded: the batch ran extra calls
    try:
        end = channel.request({"end": True})
    except Stop:
        return _stopped(channel)
    if end.get("end"):
        return {"status": "tampered", "detail": str(end["end"])[:200]}
    if "end" not in end:
        return {"status": "tampered", "detail": "sample sent a malformed reply"}
    return {"status": "passed", "detail": f"{candidate.calls} calls checked by the trusted runner"}


def _stopped(channel: Channel) -> dict[str, Any]:
    status, detail = channel.stopped or ("error", "stopped")
    return {"status": status, "detail": detail}


def _probe(channel: Channel, job: dict[str, Any]) -> dict[str, Any]:
    outputs: list[str | None] = []
    errors: list[str] = []
    failure = _load(channel, job, job["code"], "probe")
    if failure is not None or channel.stopped is not None:
        result = failure or _stopped(channel)
        return {
            **result,
            "status": "error" if result["status"] == "failed" else result["status"],
            "outputs": [],
            "errors": [],
        }
    per_call = float(job["timeout_s"])
    calls = list(job["calls"])
    try:
        if calls:  # all at once; each reply still gets its own time budget
            channel.order({"calls": calls}, len(calls))
    except Stop:
        calls = []
    for _call in calls:
        channel.begin(per_call)
        try:
            reply = channel.reply()
        except Stop:
            outputs.append(None)
            errors.append(channel.stopped[0] if channel.stopped else "error")
            break
        text = reply.get("ok")
        if isinstance(text, str):
            try:
                values.decode(text)
                outputs.append(text)
                errors.append("")
            except values.WireError:
                outputs.append(None)
                errors.append("malformed output")
        else:
            outputs.append(None)
            errors.append(str(reply.get("raise") or reply.get("tamper") or "malformed reply")[:120])
    if channel.stopped is not None:
        status, detail = channel.stopped
        return {"status": status, "detail": detail, "outputs": outputs, "errors": errors}
    return {"status": "ok", "detail": "", "outputs": outputs, "errors": errors}


class _Spawner:
    """Asks the zygote for fresh sample processes and collects their exit statuses.

    Requests are pipelined: :meth:`request` only sends the order, so the zygote
    forks the next job's sample while the current job runs, and :meth:`take`
    collects it (always a process that has never run anything).
    """

    def __init__(self, control: socket.socket, slot: int, cfg: dict[str, Any]) -> None:
        self._control = control
        self._slot = slot
        self._cfg = cfg
        self._serial = 0
        self._exits: dict[int, int] = {}
        self._retired: list[tuple[int, str]] = []
        self._ordered: list[tuple[str, int, int, int]] = []  # scratch, to_w, from_r, out_r
        self._forked: list[tuple[int, int]] = []  # pid, pidfd (in order of the requests)

    def request(self) -> None:
        """Order a new confined sample process (its scratch directory and pipes are made here).

        The scratch directory stays the runner's (mode 0700) until :meth:`take`
        hands it to the slot's uid: the sample running meanwhile has that same
        uid and must not plant files in the next sample's scratch.
        """
        self._serial += 1
        scratch = _confine.scratch_dir(
            self._cfg["report"]["scratch_root"], self._slot, self._serial
        )
        os.mkdir(scratch, 0o700)
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        out_r, out_w = os.pipe()
        try:
            socket.send_fds(self._control, [f"spawn {scratch}".encode()], [to_r, from_w, out_w])
        finally:
            for fd in (to_r, from_w, out_w):
                os.close(fd)
        os.set_blocking(out_r, False)
        self._ordered.append((scratch, to_w, from_r, out_r))

    def take(self) -> tuple[Channel, str]:
        """The oldest ordered sample, waiting for its code, and its scratch directory."""
        while not self._forked:
            if not self._receive(None):
                raise EOFError("zygote gone")
        pid, pidfd = self._forked.pop(0)
        scratch, to_w, from_r, out_r = self._ordered.pop(0)
        if self._cfg["report"]["uid_switch"]:
            uid = self._cfg["uid_base"] + self._slot
            os.chown(scratch, uid, uid)
        limits = self._cfg["limits"]
        channel = Channel(
            pid, pidfd, to_w, from_r, out_r,
            result_cap=int(limits["result_bytes"]), output_cap=int(limits["output_bytes"]),
            wait_exit=self.wait_exit,
        )  # fmt: skip
        return channel, scratch

    def _receive(self, timeout: float | None) -> bool:
        """Handle one message from the zygote (False if none came in time, or it is gone)."""
        if timeout is not None and not select.select([self._control], [], [], timeout)[0]:
            return False
        message, fds, _flags, _addr = socket.recv_fds(self._control, 256, 1)
        if not message:
            return False
        words = message.decode().split()
        if words[0] == "exit" and len(words) == 3:
            self._exits[int(words[1])] = int(words[2])
        elif words[0] == "pid" and len(words) == 2 and len(fds) == 1:
            self._forked.append((int(words[1]), fds[0]))
            return True
        for fd in fds:
            os.close(fd)
        return True

    def wait_exit(self, pid: int, timeout: float) -> int | None:
        """The wait status of sample ``pid`` once the zygote has reaped it (None if not in time)."""
        deadline = time.monotonic() + timeout
        while pid not in self._exits:
            left = deadline - time.monotonic()
            if left < 0 or not self._receive(max(left, 0.0)):
                return None
        return self._exits.pop(pid)

    def retire(self, channel: Channel, scratch: str) -> None:
        """Kill a used sample; its scratch goes once it is known dead (its whole tree dies with it)."""
        channel.kill()
        channel.close()
        if channel.exit_status is None:
            self._retired.append((channel.pid, scratch))
        else:
            _remove(scratch)
        self.sweep()

    def sweep(self) -> None:
        """Remove the scratch directories of retired samples known to be dead (at most 8 wait)."""
        pending = []
        for pid, path in self._retired:
            if self.wait_exit(pid, 0.0) is not None or len(self._retired) > 8:
                _remove(path)
            else:
                pending.append((pid, path))
        self._retired = pending
        live = {pid for pid, _ in pending}
        self._exits = {pid: st for pid, st in self._exits.items() if pid in live}


def _remove(scratch: str) -> None:
    """Delete a dead sample's scratch directory (most are empty: one rmdir)."""
    try:
        os.rmdir(scratch)
    except OSError:
        shutil.rmtree(scratch, ignore_errors=True)


def _run_job(channel: Channel, job: dict[str, Any], *, batch: bool = True) -> dict[str, Any] | None:
    """The job's result, or None if a check must run again call by call (see :func:`_check`)."""
    started = time.monotonic()
    result = _check(channel, job, batch=batch) if job["kind"] == "check" else _probe(channel, job)
    if result is not None:
        result["duration_ms"] = (time.monotonic() - started) * 1000.0
    return result


def serve(pool_fd: int, control_fd: int, slot: int, cfg: dict[str, Any]) -> None:
    """The runner of one slot: report isolation, then run jobs from the pool until it hangs up.

    A fresh sample process is always on order (forked by the zygote while the
    previous job runs); each job uses exactly one, which is killed, with its
    whole PID namespace, before the result is sent.
    """
    _frames.write_frame(pool_fd, cfg["report"])
    control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET, fileno=control_fd)
    spawner = _Spawner(control, slot, cfg)
    spawner.request()
    while True:
        try:
            job = _frames.read_frame(pool_fd, JOB_CAP)
        except EOFError:
            return
        channel, scratch = spawner.take()
        spawner.request()  # the next job's sample forks while this one runs
        spawner.sweep()
        try:
            result = _run_job(channel, job)
            if result is None:  # the test left the batched path: again, call by call
                spawner.retire(channel, scratch)
                channel, scratch = spawner.take()
                spawner.request()
                result = _run_job(channel, job, batch=False)
        except Exception as exc:  # a harness bug must not look like a verdict
            result = {"status": "error", "detail": f"harness: {type(exc).__name__}: {exc}"[:300]}
        spawner.retire(channel, scratch)
        _frames.write_frame(pool_fd, result or {"status": "error", "detail": "harness: no result"})
