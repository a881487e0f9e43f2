"""Simulated models: seeded, plausible, and independent of the interpreter's hash seed."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest

from azr_actors.errors import BadInput
from azr_actors.providers.base import CompletionRequest
from azr_actors.providers.sim import SimProvider

TASKS = [f"HumanEval/{i}" for i in range(20)]


def _texts(spec: str, seed: int = 0, n: int = 3) -> list[str]:
    provider = SimProvider(spec, seed=seed)

    async def draw() -> list[str]:
        out = []
        for task in TASKS:
            for idx in range(n):
                completion = await provider.complete(CompletionRequest(prompt="", task_id=task, sample_idx=idx))
                out.append(completion.text)
        return out

    return asyncio.run(draw())


def test_the_same_seed_gives_the_same_answers_and_another_seed_others() -> None:
    a = _texts("weak?latency_ms=1&ttft_ms=1")
    assert a == _texts("weak?latency_ms=1&ttft_ms=1")
    assert a != _texts("weak?latency_ms=1&ttft_ms=1", seed=1)


def test_answers_vary_in_form_and_correctness() -> None:
    texts = _texts("weak?latency_ms=1&ttft_ms=1")
    assert any("```python" in t for t in texts)  # chat-style fenced answers
    assert any(not t.lstrip().startswith(("def ", "from ", "import ", "Here")) for t in texts)  # bare bodies
    assert len(set(texts)) > len(TASKS)  # samples of one task differ (some right, some wrong)


def test_answers_do_not_depend_on_the_hash_seed() -> None:
    code = (
        "import asyncio\n"
        "from azr_actors.providers.sim import SimProvider\n"
        "from azr_actors.providers.base import CompletionRequest\n"
        "p = SimProvider('strong?latency_ms=1&ttft_ms=1')\n"
        "r = [asyncio.run(p.complete(CompletionRequest(prompt='', task_id=f'HumanEval/{i}', sample_idx=1))).text"
        " for i in range(10)]\n"
        "print('\\x1e'.join(r))\n"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
                       env={"PYTHONHASHSEED": str(seed), "PATH": ""}).stdout
        for seed in (1, 2)
    }
    assert len(outs) == 1


@pytest.mark.parametrize(("spec", "needle"), [("x?skill=1.5", "must be in [0, 1]"), ("x?speed=2", "unknown parameter"),
                                              ("x?skill=high", "not a valid float")])
def test_bad_parameters_are_refused(spec: str, needle: str) -> None:
    with pytest.raises(BadInput, match=needle.replace("[", r"\[").replace("]", r"\]")):
        SimProvider(spec)
