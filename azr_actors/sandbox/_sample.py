"""The untrusted side: runs inside the confined sample process.

Everything in this module runs where the sample can reach it, so nothing it
says is believed: the runner treats every reply as a claim about the
candidate's return value, decodes it type-exactly, and does the comparison
itself. The tamper checks here are best-effort reporting (a sample that
defeats them still cannot forge a pass, only fail to be flagged).

Protocol (frames, see :mod:`._frames`), runner -> sample then replies:

* ``{"code", "entry", "seed", "mode"}`` -> ``{"ready": true}`` |
  ``{"load_error": NAME, "msg"}`` | ``{"tamper": REASON}``
* check mode: ``{"batch": [[ARGS_WIRE, KWARGS_WIRE], ...]}`` -> one reply per
  call, in order: ``{"ok": WIRE}`` | ``{"raise": NAME, "msg"}`` |
  ``{"tamper": REASON}`` (the last one sent); ``{"end": true}`` ->
  ``{"end": ""}`` or ``{"end": REASON}``
* probe mode: ``{"calls": [EXPR, ...]}`` -> the same replies, one per expression.
"""

from __future__ import annotations

import builtins
import operator
import os
import random
import sys
from typing import Any

from . import _frames, values

__all__ = ["serve"]

# Bound at import (in the zygote), so the checks still work after a sample rewrites builtins.
_len, _all, _map, _getattr, _type, _str = len, all, map, getattr, type, str
_is = operator.is_


def _tamper_signs(snapshot: dict[str, Any]) -> str:
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return "installed a trace or profile hook"
    threading = sys.modules.get("threading")
    if threading is not None and (
        _getattr(threading, "_trace_hook", None) or _getattr(threading, "_profile_hook", None)
    ):
        return "installed a thread trace hook"
    current = builtins.__dict__
    # Every name still bound to the very same object (compared in C: this runs after each call).
    if _len(current) != _len(snapshot) or not _all(
        _map(_is, _map(current.get, snapshot), snapshot.values())
    ):
        return "rewrote builtins"
    return ""


def _plain(value: Any, depth: int = 0) -> Any:
    """Numpy scalars and arrays as the plain values they stand for (honest numeric code)."""
    numpy = sys.modules.get("numpy")
    if numpy is None or depth > values.MAX_DEPTH:
        return value
    t = type(value)
    if isinstance(value, numpy.generic) or t is numpy.ndarray:
        return value.tolist()
    if t is list:
        return [_plain(v, depth + 1) for v in value]
    if t is tuple:
        return tuple(_plain(v, depth + 1) for v in value)
    if t is dict:
        return {_plain(k, depth + 1): _plain(v, depth + 1) for k, v in value.items()}
    return value


def _encode(value: Any) -> str:
    text = values.encode(value)
    if '{"other":' in text and "numpy" in sys.modules:
        text = values.encode(_plain(value))
    return text


def _short(exc: BaseException) -> str:
    try:
        return str(exc)[:200]
    except BaseException:  # a hostile __str__
        return ""


def _evaluate(expr: str, namespace: dict[str, Any]) -> Any:
    return eval(compile(expr, "<call>", "eval"), namespace)


def _outcome(
    function: Any, args: tuple[Any, ...], kwargs: dict[str, Any], snapshot: dict[str, Any]
) -> dict[str, Any]:
    try:
        result = function(*args, **kwargs)
    except BaseException as exc:
        sign = _tamper_signs(snapshot)
        return {"tamper": sign} if sign else {"raise": _type(exc).__name__, "msg": _short(exc)}
    sign = _tamper_signs(snapshot)
    if sign:
        return {"tamper": sign}
    try:
        return {"ok": _encode(result)}
    except BaseException as exc:
        return {"raise": f"unencodable result ({_type(exc).__name__})", "msg": ""}


def serve(rpc_in: int, rpc_out: int, cap: int) -> None:
    """Load the sample and answer the runner until it ends the session."""
    job = _frames.read_frame(rpc_in, cap)
    random.seed(job["seed"])
    snapshot = dict(builtins.__dict__)
    namespace: dict[str, Any] = {}
    try:
        exec(compile(job["code"], "<sample>", "exec"), namespace)
    except BaseException as exc:
        _frames.write_frame(rpc_out, {"load_error": type(exc).__name__, "msg": _short(exc)})
        return
    sign = _tamper_signs(snapshot)
    if sign:
        _frames.write_frame(rpc_out, {"tamper": sign})
        return
    entry = namespace.get(job["entry"]) if job["mode"] == "check" else None
    if job["mode"] == "check" and entry is None:
        _frames.write_frame(
            rpc_out, {"load_error": "NameError", "msg": f"{job['entry']} is not defined"}
        )
        return
    _frames.write_frame(rpc_out, {"ready": True})
    while True:
        request = _frames.read_frame(rpc_in, cap)
        if "end" in request:
            _frames.write_frame(rpc_out, {"end": _tamper_signs(snapshot)})
            return
        if "batch" in request:
            replies = (
                _outcome(entry, tuple(values.decode(args)), dict(values.decode(kwargs)), snapshot)
                for args, kwargs in request["batch"]
            )
        else:
            replies = (
                _outcome(_evaluate, (str(expr), namespace), {}, snapshot) for expr in request["calls"]
            )
        for reply in replies:  # each written as soon as it is computed
            _frames.write_frame(rpc_out, reply)
            if "tamper" in reply:
                break  # the runner stops at this reply


_WARM_CODE = '''from typing import List, Optional, Tuple
import math


def warm(xs: List[int], k: float = 1.0) -> List[float]:
    """Scale, sort and deduplicate: a stand-in that exercises common syntax."""
    seen = {x: i for i, x in enumerate(xs)}
    out: List[float] = []
    for x in sorted(set(xs)):
        if x % 2 == 0 and x not in out:
            out.append(math.sqrt(abs(x)) * k)
        elif seen.get(x, -1) >= 0:
            out.append(float(x) * k)
    label = f"{len(out)}:{'-'.join(str(v) for v in out)}"
    return out if label else []
'''


def warm_up(rounds: int = 12) -> None:
    """Run synthetic sessions in this process (the zygote, before it freezes its heap).

    The first ``compile``, JSON round trip and call through this module in a
    process initialise interpreter state and specialise bytecode; done once in
    the zygote, no forked sample pays for them again (or copies the pages they
    write). The code is a fixed stand-in: the zygote still holds no problem,
    test or answer.
    """
    calls = [([[3, 1, 2, 2, 8]], {}), ([[], 2.5], {}), ([[5, -4, 4]], {"k": 0.5})]
    wire = [[values.encode(args), values.encode(kwargs)] for args, kwargs in calls]
    frames = [
        _frames.pack({"code": _WARM_CODE, "entry": "warm", "seed": 0, "mode": "check"}),
        _frames.pack({"batch": wire}),
        *(_frames.pack({"batch": [call]}) for call in wire),
        _frames.pack({"end": True}),
    ]
    probe = [
        _frames.pack({"code": _WARM_CODE, "entry": "warm", "seed": 0, "mode": "probe"}),
        _frames.pack({"calls": ["warm([2, 7, 7], 3.0)", "warm([1])", "warm([], k=2.0)"]}),
        _frames.pack({"end": True}),
    ]
    for index in range(rounds):
        session = probe if index % 4 == 3 else frames
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        try:
            os.write(to_w, b"".join(session))
            serve(to_r, from_w, 1 << 20)  # its few small replies fit in the pipe; discarded
        finally:
            for fd in (to_r, to_w, from_r, from_w):
                os.close(fd)
