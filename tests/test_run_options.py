"""`azr run --estimate` calls no model; `--stop-when-decided` stops at a boundary and stays deterministic."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from azr_actors.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_estimate_prices_live_models_without_a_key_or_a_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    log = tmp_path / "never.db"
    out = _run(capsys, "run", "--estimate", "--model", "openai:gpt-4o-mini", "--tasks", "10", "--budgets", "1,4",
               "--suites", "code", "--log", str(log), "--json")
    full = out["estimate"]["scenarios"]["full"]
    assert full["total"]["calls"] == 10 * 4
    assert full["lines"][0]["model"] == "gpt-4o-mini" and full["lines"][0]["priced"] is True
    assert out["estimate"]["scenarios"]["early_stopping"]["total"]["calls"] <= full["total"]["calls"]
    assert not log.exists()


def test_stop_when_decided_stops_at_a_boundary_and_replays_exactly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "decided.db"
    args = ["run", "--model", "sim:strong", "--tasks", "12", "--budgets", "1,4,16", "--suites", "code",
            "--stop-when-decided", "--log", str(log), "--json"]
    metrics = _run(capsys, *args)
    decided = metrics["run_decided"]
    assert decided["budget"] in (1, 4)
    pm = metrics["per_model"]["sim-strong"]
    assert pm["early_stopping"]["samples_generated"] <= 12 * decided["budget"]
    assert pm["timing"]["samples_after_decision"] == 0  # the boundary held: nothing was drawn in vain
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        biggest = conn.execute("SELECT max(json_extract(payload, '$.sample_idx')) FROM events WHERE kind='sample_generated'").fetchone()[0]
    assert biggest < decided["budget"]
    assert _run(capsys, "metrics", "--log", str(log), "--json") == metrics


def test_a_stalled_run_that_a_resume_completes_reports_completed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import azr_actors.run as run_module

    real_watch = run_module._watch

    async def stall_at_once(store, stall_timeout_s, progress, on_tick):  # type: ignore[no-untyped-def]
        return "stalled", await run_module.fold_log(store)

    log = tmp_path / "stalled.db"
    args = ["run", "--model", "sim:strong", "--tasks", "3", "--budgets", "1,2", "--suites", "code",
            "--log", str(log), "--json"]
    monkeypatch.setattr(run_module, "_watch", stall_at_once)
    assert main(args) == 1
    capsys.readouterr()
    monkeypatch.setattr(run_module, "_watch", real_watch)
    resumed = _run(capsys, *args)
    assert resumed["status"] == "completed" and resumed["tasks"] == 3
    assert _run(capsys, "metrics", "--log", str(log), "--json")["status"] == "completed"
    with closing(sqlite3.connect(log)) as conn:
        finished = conn.execute("SELECT count(*) FROM events WHERE kind = 'run_finished'").fetchone()[0]
    assert finished == 2
    _run(capsys, *args)  # rerunning the finished log records nothing new
    with closing(sqlite3.connect(log)) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE kind = 'run_finished'").fetchone()[0] == 2
