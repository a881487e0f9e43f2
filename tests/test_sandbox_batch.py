"""Batched calls: a verdict always comes from exactly the calls, in the order, of a call-by-call run.

The runner predicts a test's calls (the path on which every check holds),
sends them as one batch, and falls back to a call-by-call run on a fresh
sample whenever the real run leaves that path. These candidates keep a
history of their calls, so any call the sample ran out of order, or that the
test never made, shows in the verdict.
"""

from __future__ import annotations

import textwrap

import pytest

from azr_actors.sandbox import CheckJob, SandboxPool

pytestmark = pytest.mark.asyncio(loop_scope="module")

PROMPT = 'def f(x):\n    """Answer according to the calls made so far."""\n'


def _check(body: str) -> str:
    return "def check(candidate):\n" + textwrap.indent(textwrap.dedent(body), "    ")


def _stateful(body: str) -> str:
    """A candidate body with ``seen``: the arguments of every call so far, this one included."""
    return "    seen = f.__dict__.setdefault('seen', [])\n    seen.append(x)\n" + textwrap.indent(
        textwrap.dedent(body), "    "
    )


async def _verdict(pool: SandboxPool, completion: str, test: str) -> tuple[bool, str, str]:
    result = await pool.check(CheckJob(PROMPT, completion, test, "f", timeout_s=0.5))
    return result.passed, result.status, result.detail


async def test_a_branch_on_a_result_runs_the_calls_in_the_live_order(pool: SandboxPool) -> None:
    # The recorder assumes c(0) != "a" is False and predicts c(0), c(2); the real
    # run takes the branch and calls c(1) second. Had the sample run the batch,
    # its history would read [0, 2, ...] and c(2) would not answer 3.
    test = _check(
        """
        if candidate(0) != "a":
            assert candidate(1) == "live"
        assert candidate(2) == 3
        """
    )
    completion = _stateful(
        """
        if seen == [0]:
            return "b"
        if seen == [0, 1]:
            return "live"
        return 3 if seen == [0, 1, 2] else -1
        """
    )
    assert await _verdict(pool, completion, test) == (
        True,
        "passed",
        "3 calls checked by the trusted runner",
    )


async def test_a_pass_along_a_shorter_path_never_waits_on_calls_the_test_did_not_make(
    pool: SandboxPool,
) -> None:
    # Predicted: c(0), c(1). The real run stops after c(0), which c(1) would
    # never let happen in time: it loops forever.
    test = _check(
        """
        if candidate(0) == 5:
            assert candidate(1) == 1
        """
    )
    completion = _stateful(
        """
        while x == 1:
            pass
        return 4
        """
    )
    assert await _verdict(pool, completion, test) == (
        True,
        "passed",
        "1 calls checked by the trusted runner",
    )


async def test_calls_on_a_result_and_caught_errors_are_still_exact(pool: SandboxPool) -> None:
    test = _check(
        """
        assert candidate(candidate(2)) == 4
        try:
            candidate(-1)
        except ValueError:
            pass
        else:
            raise AssertionError("expected ValueError")
        assert candidate(5) == 7
        """
    )
    completion = _stateful(
        """
        if x < 0:
            raise ValueError(x)
        return x + 1 if len(seen) < 4 else x + 2
        """
    )
    passed, status, detail = await _verdict(pool, completion, test)
    assert (passed, status, detail) == (True, "passed", "4 calls checked by the trusted runner")


async def test_an_early_failure_in_a_batch_is_not_a_pass(pool: SandboxPool) -> None:
    test = _check(
        """
        for x in range(50):
            assert candidate(x) == x * x
        """
    )
    wrong_at_seven = _stateful("return x * x if x != 7 else 0\n")
    passed, status, detail = await _verdict(pool, wrong_at_seven, test)
    assert (passed, status) == (False, "failed")
    assert "after call 8" in detail
    right = await _verdict(pool, _stateful("return x * x\n"), test)
    assert right == (True, "passed", "50 calls checked by the trusted runner")


async def test_replies_beyond_the_batch_are_tampering(pool: SandboxPool) -> None:
    # The candidate answers correctly, then writes a spare, well-formed reply
    # frame on its own reply pipe (every descriptor it holds is open to it).
    forger = textwrap.dedent(
        """
            import json, os
            frame = json.dumps({"ok": "2"}).encode()
            if x == 1:
                for fd in range(3, 64):
                    try:
                        if os.fstat(fd).st_mode & 0o170000 == 0o010000 and fd != 0:
                            os.write(fd, len(frame).to_bytes(4, "big") + frame)
                    except OSError:
                        pass
            return x + 1
        """
    )
    test = _check("assert candidate(1) == 2\nassert candidate(2) == 3\n")
    passed, status, _detail = await _verdict(pool, forger, test)
    assert not passed
    assert status in {"tampered", "failed"}
