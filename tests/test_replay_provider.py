"""`replay:LOG[#MODEL]` serves an earlier run's generations again: the same samples give the same scores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azr_actors.cli import main


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_a_replayed_model_scores_exactly_like_the_original(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = tmp_path / "first.db"
    original = _run(capsys, "run", "--model", "sim:weak", "--model", "sim:strong", "--tasks", "3", "--budgets", "1,2",
                    "--suites", "code", "--stop-when-decided", "--log", str(first), "--json")
    replayed = _run(capsys, "run", "--model", f"replay:{first}#sim-weak", "--tasks", "3", "--budgets", "1",
                    "--suites", "code", "--log", str(tmp_path / "second.db"), "--json")
    pm = replayed["per_model"]["sim-weak"]
    assert replayed["simulated"] is True  # a replay of a simulated model stays simulated
    assert pm["pass_at_k"]["1"] is not None
    assert pm["selected_pass_at_1"]["1"] == original["per_model"]["sim-weak"]["selected_pass_at_1"]["1"]


def test_replay_needs_a_model_name_when_the_log_holds_several(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "two.db"
    _run(capsys, "run", "--model", "sim:weak", "--model", "sim:strong", "--tasks", "1", "--budgets", "1",
         "--suites", "code", "--log", str(log), "--json")
    assert main(["run", "--model", f"replay:{log}", "--log", str(tmp_path / "x.db")]) == 2
    assert "holds several models" in capsys.readouterr().err
    assert main(["run", "--model", f"replay:{log}#nobody", "--log", str(tmp_path / "y.db")]) == 2
    assert "has no model 'nobody'" in capsys.readouterr().err
