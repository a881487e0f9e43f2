"""The pool's contract: verdicts, probes, time limits, statistics, hygiene."""

from __future__ import annotations

import asyncio
import contextlib
import textwrap

import psutil
import pytest

from azr_actors.sandbox import (
    CheckJob,
    ProbeJob,
    SandboxError,
    SandboxPool,
    values,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = 'def scale(xs: list, k: float) -> list:\n    """Multiply each element by k."""\n'
TEST = textwrap.dedent(
    """
    import random

    def check(candidate):
        assert candidate([1, 2], 2) == [2, 4]
        assert candidate([], 3) == []
        for _ in range(20):
            xs = [random.randint(-9, 9) for _ in range(5)]
            assert candidate(xs, 3) == [3 * x for x in xs]
    """
)
GOOD = "    return [x * k for x in xs]\n"


async def test_pass_and_fail_verdicts(pool: SandboxPool) -> None:
    good = await pool.check(CheckJob(PROMPT, GOOD, TEST, "scale"))
    assert good.passed and good.status == "passed" and good.duration_ms > 0
    wrong = await pool.check(CheckJob(PROMPT, "    return xs\n", TEST, "scale"))
    assert (wrong.passed, wrong.status) == (False, "failed")
    assert "AssertionError" in wrong.detail
    broken = await pool.check(CheckJob(PROMPT, "    return [x * k for x in xs\n", TEST, "scale"))
    assert (broken.passed, broken.status) == (False, "failed")
    assert "SyntaxError" in broken.detail


async def test_candidate_exceptions_reach_the_test_as_failures(pool: SandboxPool) -> None:
    result = await pool.check(CheckJob(PROMPT, "    raise ValueError('no')\n", TEST, "scale"))
    assert result.status == "failed"
    assert "ValueError" in result.detail


async def test_probe_returns_type_exact_outputs_and_errors(pool: SandboxPool) -> None:
    calls = ["scale([1, 2], 2)", "scale([1.0], 2)", "scale(None, 1)", "scale((1,), 2)"]
    result = await pool.probe(ProbeJob(PROMPT + GOOD, "scale", calls))
    assert result.status == "ok"
    assert [values.decode(o) if o else None for o in result.outputs] == [[2, 4], [2.0], None, [2]]
    assert result.outputs[1] == '[{"float":"2.0"}]'  # 2.0 is not 2
    assert result.errors == ["", "", "TypeError", ""]


async def test_a_looping_probe_call_costs_only_itself(pool: SandboxPool) -> None:
    code = PROMPT + "    while k < 0:\n        pass\n    return [x * k for x in xs]\n"
    calls = ["scale([1], 2)", "scale([1], -1)", "scale([2], 3)"]
    result = await pool.probe(ProbeJob(code, "scale", calls, timeout_s=0.3))
    assert result.outputs[0] == "[2]" and result.outputs[2] == "[6]"
    assert result.outputs[1] is None and result.errors[1] == "timeout"
    assert result.status == "timeout"


async def test_seeded_random_is_reproducible(pool: SandboxPool) -> None:
    code = "import random\ndef draw():\n    return [random.random() for _ in range(3)]\n"
    first = await pool.probe(ProbeJob(code, "draw", ["draw()"], seed=7))
    again = await pool.probe(ProbeJob(code, "draw", ["draw()"], seed=7))
    other = await pool.probe(ProbeJob(code, "draw", ["draw()"], seed=8))
    assert first.outputs == again.outputs != other.outputs


async def test_timeouts_are_not_retried_and_are_counted(pool: SandboxPool) -> None:
    before = pool.stats()
    result = await pool.check(
        CheckJob(PROMPT, "    while True:\n        pass\n", TEST, "scale", timeout_s=0.25)
    )
    after = pool.stats()
    assert result.status == "timeout"
    assert 200 <= result.duration_ms < 1500
    assert after.completed == before.completed + 1
    assert after.timeouts == before.timeouts + 1
    assert after.restarts == before.restarts


async def test_concurrent_jobs_keep_their_own_results(pool: SandboxPool) -> None:
    bodies = [GOOD if i % 3 else "    return []\n" for i in range(24)]
    results = await asyncio.gather(
        *(pool.check(CheckJob(PROMPT, b, TEST, "scale")) for b in bodies)
    )
    assert [r.passed for r in results] == [bool(i % 3) for i in range(24)]
    stats = pool.stats()
    assert stats.busy == 0 and stats.idle == stats.workers == 2 and stats.queued == 0


async def test_samples_never_see_the_tests_of_earlier_jobs(pool: SandboxPool) -> None:
    marker = "AZR_HIDDEN_MARKER_5b1f"
    test = TEST + f"\nSECRET_EXPECTED = {marker!r}\n"
    assert (await pool.check(CheckJob(PROMPT, GOOD, test, "scale"))).passed
    head, tail = marker[:8], marker[8:]  # the probe must not carry the marker itself
    code = textwrap.dedent(
        f"""
        import gc
        def seen():
            needle = "".join([{head!r}, {tail!r}])
            for obj in gc.get_objects():
                items = obj.values() if isinstance(obj, dict) else obj if isinstance(obj, (list, tuple)) else ()
                if any(isinstance(x, str) and needle in x for x in items):
                    return True
            return False
        """
    )
    result = await pool.probe(ProbeJob(code, "seen", ["seen()"]))
    assert result.outputs == ["false"]
    control = await pool.probe(ProbeJob(code + f"KEEP = [{marker!r}]\n", "seen", ["seen()"]))
    assert control.outputs == ["true"]  # the search does find the marker where it is


async def test_scratch_space_is_private_and_cleaned(pool: SandboxPool) -> None:
    write = "def w():\n    open('junk.bin', 'wb').write(b'x' * 1000000)\n    import os\n    return os.getcwd()\n"
    first = await pool.probe(ProbeJob(write, "w", ["w()"]))
    assert first.errors == [""]
    listing = "import os\ndef ls():\n    return sorted(os.listdir('/tmp'))\n"
    for _ in range(4):
        await pool.probe(ProbeJob(write, "w", ["w()"]))
    first_dir = values.decode(first.outputs[0] or "null")
    # A used sample's scratch goes once the zygote reports it dead, which a loaded machine
    # delays: list until it has gone (each job sweeps), never past the documented bound.
    for _ in range(50):
        result = await pool.probe(ProbeJob(listing, "ls", ["ls()"]))
        entries = ["/tmp/" + e for e in values.decode(result.outputs[0] or "null")]
        if pool.isolation_report.get("level") == "none":
            break
        # Per slot: the running sample's, the next one's (forked ahead), at most 8 awaiting
        # their reaping (a ninth removes them all), and one more while a job retries.
        assert len(entries) <= 11 * pool.workers
        if first_dir not in entries:
            break
    else:
        pytest.fail(f"{first_dir} was never cleaned")
    big = "def big():\n    open('big.bin', 'wb').write(b'x' * (64 << 20))\n"
    refused = await pool.probe(ProbeJob(big, "big", ["big()"]))
    assert refused.outputs == [None]  # RLIMIT_FSIZE (16 MiB by default)


async def test_pool_memory_stays_flat(pool: SandboxPool) -> None:
    assert pool._process is not None
    tree = psutil.Process(pool._process.pid)

    def rss() -> dict[int, float]:
        sizes = {}
        for proc in [tree, *tree.children()]:
            with contextlib.suppress(psutil.NoSuchProcess):
                sizes[proc.pid] = proc.memory_info().rss / 2**20
        return sizes

    job = CheckJob(PROMPT, GOOD, TEST, "scale")
    await asyncio.gather(*(pool.check(job) for _ in range(100)))
    warm = rss()
    await asyncio.gather(*(pool.check(job) for _ in range(300)))
    now = rss()
    # Samples live for one job each: what is there at both times is the zygote and its runners.
    lasting = warm.keys() & now.keys()
    assert len(lasting) == pool.workers + 1
    assert sum(now[p] - warm[p] for p in lasting) < 8.0


async def test_calibrate_from_the_reference_solution(pool: SandboxPool) -> None:
    limit = await pool.calibrate(
        CheckJob(PROMPT, GOOD, TEST, "scale"), runs=2, floor_s=0.2, factor=5.0
    )
    assert limit >= 0.2
    with pytest.raises(SandboxError, match="does not pass"):
        await pool.calibrate(CheckJob(PROMPT, "    return 0\n", TEST, "scale"), runs=1)


async def test_jobs_on_other_slots_survive_a_restart() -> None:
    """A runner that dies restarts the pool; jobs running on or waiting for other slots
    run again on the new runners instead of failing or reading a stale stream."""
    short_test = "def check(candidate):\n    assert candidate([1, 2], 2) == [2, 4]\n"
    slow = CheckJob(PROMPT, "    import time\n    time.sleep(0.05)\n" + GOOD, short_test, "scale")
    async with SandboxPool(3) as fresh:
        assert fresh._process is not None
        zygote = psutil.Process(fresh._process.pid)
        runners = [c for c in zygote.children() if c.uids().real == zygote.uids().real]
        jobs = [asyncio.create_task(fresh.check(slow)) for _ in range(24)]
        await asyncio.sleep(0.1)
        runners[0].kill()  # as if a sample had crashed its trusted runner
        results = await asyncio.gather(*jobs, return_exceptions=True)
        assert not [r for r in results if isinstance(r, BaseException)]
        failed = [r for r in results if not r.passed]
        assert len(failed) <= 1 and all(r.status == "error" for r in failed), failed
        assert fresh.stats().restarts == 1
        assert (await fresh.check(CheckJob(PROMPT, GOOD, TEST, "scale"))).passed


async def test_integers_past_the_decimal_digit_limit_cross_both_ways(pool: SandboxPool) -> None:
    """Python refuses to print ints over 4,300 digits in decimal; the wire sends them as hex."""
    prompt = 'def f(n: int) -> int:\n    """n! for small n, 7 n for huge n."""\n'
    test = (
        "import math\n\ndef check(candidate):\n"
        "    assert candidate(2000) == math.factorial(2000)\n"  # a 5,736-digit answer
        "    assert candidate(10**5000) == 7 * 10**5000\n"  # a 5,001-digit argument and answer
    )
    body = "    import math\n    return math.factorial(n) if n < 10**6 else n * 7\n"
    result = await pool.check(CheckJob(prompt, body, test, "f"))
    assert result.passed, result
    wrong = await pool.check(CheckJob(prompt, "    return 1\n", test, "f"))
    assert wrong.status == "failed", wrong
