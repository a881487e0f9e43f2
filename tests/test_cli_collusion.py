"""`azr collusion` over live (here: simulated) models runs the code suite and analyses it, with the contract's keys."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azr_actors.cli import main


def test_collusion_over_simulated_models(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "c.db"
    assert main(["collusion", "--model", "sim:strong", "--model", "sim:weak", "--tasks", "4", "--log", str(log), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["risk_level"] in ("MINIMAL", "LOW", "MODERATE", "HIGH")
    (pair,) = report["pairs"]
    assert {pair["a"], pair["b"]} == {"sim-strong", "sim-weak"}
    assert set(pair) >= {"a", "b", "mean_similarity", "ci95", "t_stat", "p_value", "risk_level"}
    assert isinstance(report["flagged"], list)
    # the analysis is a fact of the run: rebuilt from the log alone it is the same
    assert main(["metrics", "--log", str(log), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["collusion"] == report


def test_collusion_needs_two_models(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["collusion", "--model", "sim:strong", "--log", str(tmp_path / "x.db")]) == 2
    assert "at least two models" in capsys.readouterr().err
