"""End to end on the real sandbox: plan a HumanEval prompt, probe samples in the pool, select.

Skips cleanly when the sandbox cannot start here.
"""

from __future__ import annotations

import pytest

from azr_actors.selection import Candidate, plan_evidence, select

PROMPT = '''

def how_many_times(string: str, substring: str) -> int:
    """ Find how many times a given substring can be found in the original string. Count overlaping cases.
    >>> how_many_times('', 'a')
    0
    >>> how_many_times('aaa', 'a')
    3
    >>> how_many_times('aaaa', 'aa')
    3
    """
'''
OVERLAPPING = """
    return sum(string[i:i + len(substring)] == substring for i in range(len(string) - len(substring) + 1))
"""
OVERLAPPING_LOOP = """
    count = 0
    for i in range(len(string) - len(substring) + 1):
        if string[i:i + len(substring)] == substring:
            count += 1
    return count
"""
NON_OVERLAPPING = "\n    return string.count(substring)\n"  # fails the third example
HANGS_ON_EMPTY = """
    count = 0
    while substring in string:
        count += 1
        string = string[1:]
    return count
"""  # passes every example, loops forever on an empty substring


async def test_probe_in_the_sandbox_then_select() -> None:
    sandbox = pytest.importorskip("azr_actors.sandbox")
    plan = plan_evidence(PROMPT, "how_many_times", seed=0, max_derived=12)
    bodies = [HANGS_ON_EMPTY, NON_OVERLAPPING, OVERLAPPING, OVERLAPPING_LOOP]
    limits = sandbox.Limits(wall_s=1.0)
    try:
        async with sandbox.SandboxPool(workers=2, limits=limits) as pool:
            results = [
                await pool.probe(sandbox.ProbeJob(PROMPT + body, "how_many_times", plan.calls, 1.0))
                for body in bodies
            ]
    except sandbox.SandboxError as exc:
        pytest.skip(f"sandbox unavailable here: {exc}")
    cands = [
        Candidate(i, r.outputs, PROMPT + b)
        for i, (r, b) in enumerate(zip(results, bodies, strict=True))
    ]
    assert results[2].outputs == results[3].outputs  # same behaviour, different code
    assert None in results[0].outputs  # the hang became a failed call, not a stuck probe
    sel = select(plan, cands, seed=0, task_key="HumanEval/18")
    assert sel.sample_idx in {2, 3}
    assert sel.scores["cluster_size"] == 2
    assert sel.scores["examples_passed"] == 3
