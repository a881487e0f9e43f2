"""The trusted runner: one per job, forked from the clean zygote.

The runner first forks the sample process (so the sample's memory never held
the job's tests), then reads the job from the pool and drives it:

* **check**: the runner executes ``prompt + test`` itself and calls
  ``check(candidate)`` with a *proxy* candidate. Each call's arguments go to
  the sample type-exactly encoded; the sample's return value comes back the
  same way and is decoded into plain values (an unknown type becomes an
  ``Opaque`` that equals nothing else). So every comparison of the test runs
  here, on plain values, in a process the sample cannot see, trace or patch,
  and expected answers never exist in the sample's address space. ``passed``
  is reported only when ``check`` returned normally, no stop reason was
  recorded, and the sample was still alive and clean at the end.
* **probe**: the sample evaluates each call expression; the runner returns
  each reply's wire text after validating it with ``values.decode``.
"""

from __future__ import annotations

import builtins
import os
import random
import shutil
import signal
import time
from typing import Any

from . import _confine, _frames, _sample, _syscalls, values
from ._channel import Channel, Stop

__all__ = ["run"]

JOB_CAP = 64 << 20


class CandidateError(Exception):
    """The candidate raised an exception that is not a builtin one."""


class CandidateAborted(BaseException):  # noqa: N818 - mirrors SystemExit and friends
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


class _Candidate:
    """Stands for the sample's entry point inside the trusted test."""

    def __init__(self, channel: Channel, name: str) -> None:
        self._channel = channel
        self.__name__ = name
        self.calls = 0
        self.opaque = ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        try:
            wire_args, wire_kwargs = values.encode(list(args)), values.encode(kwargs)
        except (TypeError, ValueError, RecursionError) as exc:
            raise self._channel.stop("error", f"test argument not encodable: {type(exc).__name__}") from None
        if '{"other":' in wire_args or '{"other":' in wire_kwargs:
            raise self._channel.stop("error", "the test passes a value the wire format cannot carry")
        reply = self._channel.request({"args": wire_args, "kwargs": wire_kwargs})
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


def _start_sample(slot: int, cfg: dict[str, Any]) -> Channel:
    """Fork the sample process (in a new PID namespace when isolated)."""
    report = cfg["report"]
    limits = cfg["limits"]
    scratch = _confine.scratch_dir(slot)
    shutil.rmtree(scratch, ignore_errors=True)
    os.mkdir(scratch, 0o700)
    if report["uid_switch"]:
        os.chown(scratch, cfg["uid_base"] + slot, cfg["uid_base"] + slot)
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    out_r, out_w = os.pipe()
    isolated = report["level"] != "none"
    if isolated:
        _syscalls.unshare(_syscalls.CLONE_NEWPID)
    pid = os.fork()
    if pid == 0:  # the sample
        try:
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            _confine.confine_sample(
                slot=slot,
                uid_base=cfg["uid_base"],
                uid_switch=report["uid_switch"],
                isolated=isolated,
                limits=limits,
                keep_fds=(to_r, from_w),
            )
            _sample.serve(to_r, from_w, JOB_CAP)
        finally:
            os._exit(0)
    for fd in (to_r, from_w, out_w):
        os.close(fd)
    os.set_blocking(out_r, False)
    return Channel(
        pid, to_w, from_r, out_r, result_cap=int(limits["result_bytes"]), output_cap=int(limits["output_bytes"])
    )


def _load(channel: Channel, job: dict[str, Any], code: str, mode: str) -> dict[str, Any] | None:
    """Send the code; return a failure result, or None once the sample is ready."""
    try:
        reply = channel.request({"code": code, "entry": job["entry_point"], "seed": job["seed"], "mode": mode})
    except Stop:
        return None
    if "load_error" in reply:
        name = str(reply["load_error"])[:80]
        return {"status": "memory" if name == "MemoryError" else "failed", "detail": f"{name} while loading the sample"}
    if "tamper" in reply:
        channel.stop("tampered", str(reply["tamper"])[:200])
        return None
    if "ready" not in reply:
        channel.stop("tampered", "sample sent a malformed reply")
    return None


def _check(channel: Channel, job: dict[str, Any]) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    random.seed(job["seed"])
    try:
        exec(compile(job["prompt"] + "\n" + job["test"], "<test>", "exec"), namespace)
    except BaseException as exc:
        return {"status": "error", "detail": f"harness: the test does not load ({type(exc).__name__})"}
    check = namespace.get("check")
    if not callable(check):
        return {"status": "error", "detail": "harness: the test defines no check()"}
    failure = _load(channel, job, job["prompt"] + job["completion"] + "\n", "check")
    if failure is not None or channel.stopped is not None:
        return failure or _stopped(channel)
    candidate = _Candidate(channel, job["entry_point"])
    namespace[job["entry_point"]] = candidate
    outcome: dict[str, Any] | None = None
    try:
        check(candidate)
    except Stop:
        pass
    except AssertionError:
        outcome = {"status": "failed", "detail": f"AssertionError after call {candidate.calls}"}
    except BaseException as exc:
        outcome = {"status": "failed", "detail": f"{type(exc).__name__} on call {candidate.calls}"}
    if channel.stopped is not None:
        return _stopped(channel)
    if outcome is not None:
        if candidate.opaque:
            outcome["detail"] += f" ({candidate.opaque})"
        return outcome
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
        return {**result, "status": "error" if result["status"] == "failed" else result["status"], "outputs": [], "errors": []}
    per_call = float(job["timeout_s"])
    for call in job["calls"]:
        channel.deadline = time.monotonic() + per_call
        try:
            reply = channel.request({"call": call})
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


def run(job_fd: int, result_fd: int, slot: int, cfg: dict[str, Any]) -> None:
    """Run one job read from ``job_fd`` and write its result frame to ``result_fd``."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    channel = _start_sample(slot, cfg)
    try:
        job = _frames.read_frame(job_fd, JOB_CAP)
        os.close(job_fd)
        started = time.monotonic()
        channel.deadline = started + float(job["timeout_s"])
        result = _check(channel, job) if job["kind"] == "check" else _probe(channel, job)
        result["duration_ms"] = (time.monotonic() - started) * 1000.0
    finally:
        channel.kill()
        channel.reap(block=True)
        shutil.rmtree(_confine.scratch_dir(slot), ignore_errors=True)
    _frames.write_frame(result_fd, result)
