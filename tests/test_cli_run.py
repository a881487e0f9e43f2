"""`azr run` end to end through the installed command: JSON contract, metrics from the log, resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

AZR = [sys.executable, "-m", "azr_actors.cli"]
SMALL = ["--model", "sim:weak", "--tasks", "4", "--budgets", "1,4", "--suites", "code", "--seed", "3"]


def azr(*args: str, cwd: Path | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AZR, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd)


def deterministic(obj: Any) -> Any:
    """Drop what depends on wall-clock time or on where the log lives."""
    if isinstance(obj, dict):
        return {
            k: deterministic(v)
            for k, v in obj.items()
            if k not in ("latency", "timing", "resources", "log", "pipeline_overhead_p95_ms")
        }
    if isinstance(obj, list):
        return [deterministic(v) for v in obj]
    return obj


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    log = tmp_path_factory.mktemp("run") / "run.db"
    done = azr("run", *SMALL, "--log", str(log), "--json")
    assert done.returncode == 0, done.stderr
    return log, json.loads(done.stdout)


def test_run_json_follows_the_contract(finished_run: tuple[Path, dict[str, Any]]) -> None:
    _, metrics = finished_run
    assert metrics["simulated"] is True
    assert metrics["models"] == ["sim-weak"]
    assert metrics["tasks"] == 4
    pm = metrics["per_model"]["sim-weak"]
    for key in ("pass_at_k", "pass_at_k_tasks", "selected_pass_at_1", "oracle_pass_at_n", "uplift_pp",
                "uplift_p_value", "pass_at_k_uplift_pp", "budget_p_values", "ci95", "success_level"):
        assert key in pm, key
    assert set(pm["selected_pass_at_1"]) == {"1", "4"}
    assert pm["success_level"] in ("PRIMARY", "FALLBACK", "UPLIFT", "FAILED")
    for value in pm["selected_pass_at_1"].values():
        assert 0.0 <= value <= 1.0


def test_metrics_rebuilt_from_the_log_equal_the_run(finished_run: tuple[Path, dict[str, Any]]) -> None:
    log, metrics = finished_run
    rebuilt = azr("metrics", "--log", str(log), "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert json.loads(rebuilt.stdout) == metrics


def test_rerun_of_a_finished_run_adds_nothing(finished_run: tuple[Path, dict[str, Any]]) -> None:
    log, metrics = finished_run
    before = _count(log)
    again = azr("run", *SMALL, "--log", str(log), "--json")
    assert again.returncode == 0, again.stderr
    assert deterministic(json.loads(again.stdout)) == deterministic(metrics)
    assert _count(log, "sample_generated") == before["sample_generated"]
    assert _count(log, "hidden_verdict_posted") == before["hidden_verdict_posted"]


def test_log_of_another_run_is_refused(finished_run: tuple[Path, dict[str, Any]]) -> None:
    log, _ = finished_run
    other = azr("run", "--model", "sim:weak", "--tasks", "2", "--suites", "code", "--log", str(log))
    assert other.returncode == 2
    assert "other settings" in other.stderr
    assert len(other.stderr.strip().splitlines()) == 1


def _count(log: Path, kind: str | None = None) -> Any:
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        if kind is None:
            return dict(conn.execute("SELECT kind, count(*) FROM events GROUP BY kind").fetchall())
        return conn.execute("SELECT count(*) FROM events WHERE kind = ?", (kind,)).fetchone()[0]


def _dup_keys(log: Path) -> int:
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        return conn.execute("SELECT count(*) - count(DISTINCT key) FROM events").fetchone()[0]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_run_resumes_to_the_same_metrics(
    sig: signal.Signals, finished_run: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, reference = finished_run
    log = tmp_path / "interrupted.db"
    proc = subprocess.Popen([*AZR, "run", *SMALL, "--log", str(log)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if log.exists():
            try:
                if _count(log, "hidden_verdict_posted") >= 3:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    else:
        proc.kill()
        pytest.fail("the run produced no verdicts in time")
    os.killpg(proc.pid, sig) if sig == signal.SIGKILL else proc.send_signal(sig)
    proc.wait(timeout=60)
    assert _count(log, "run_finished") == 0, "the run finished before it was interrupted"
    assert _count(log, "hidden_verdict_posted") < reference["per_model"]["sim-weak"]["cost"]["samples"]

    resumed = azr("run", *SMALL, "--log", str(log), "--json")
    assert resumed.returncode == 0, resumed.stderr
    assert deterministic(json.loads(resumed.stdout)) == deterministic(reference)
    assert _dup_keys(log) == 0
    assert _count(log, "hidden_verdict_posted") == _count(log, "sample_generated")
