"""Dashboard exports: exact top-level keys, atomic writes, --follow, and real simulated and recorded runs."""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from azr_actors.eventlog import ModelInfo, RunStarted
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import append_log, make_log, sample_events, write_log

from azr_actors.cli import main
from azr_actors.export import EXPORT_FILES, build_exports, write_atomic, write_exports

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
AZR = [sys.executable, "-m", "azr_actors.cli"]
TOP_KEYS = {
    "latest_metrics.json": ("pass_at_1", "pass_at_k", "selected_pass_at_1", "uplift_pp", "success_level"),
    "latency.json": ("p50", "p95", "p99"),
    "harm_suite.json": ("accuracy", "refused", "answered_safe", "slipped", "ambiguous"),
    "collusion.json": ("risk_level",),
}


def azr(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*AZR, *args], capture_output=True, text=True, timeout=timeout)


def _exports() -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    state = fold(sample_events())
    metrics = run_metrics(state)
    return build_exports(state, metrics), metrics


def test_every_file_has_the_issue_keys_at_the_top_level() -> None:
    exports, metrics = _exports()
    assert tuple(exports) == EXPORT_FILES
    for name, keys in TOP_KEYS.items():
        assert set(keys) <= set(exports[name]), name
    latest = exports["latest_metrics.json"]
    alpha = metrics["per_model"]["alpha"]
    assert latest["model"] == "alpha"
    assert latest["pass_at_1"] == alpha["pass_at_k"]["1"]
    assert latest["selected_pass_at_1"] == alpha["selected_pass_at_1"]
    assert latest["uplift_pp"] == alpha["uplift_pp"] and latest["success_level"] == alpha["success_level"]
    assert set(latest["per_model"]) == {"alpha", "beta"}
    assert latest["per_model"]["beta"]["pass_at_1"] == metrics["per_model"]["beta"]["pass_at_k"]["1"]
    assert isinstance(latest["alerts"], list)


def test_latency_harm_and_collusion_come_from_the_metrics() -> None:
    exports, metrics = _exports()
    latency = exports["latency.json"]
    normal = metrics["latency"]["per_model"]["alpha"]["scenarios"]["normal"]
    assert latency["source"] == "latency:normal"
    assert (latency["p50"], latency["p95"], latency["p99"]) == (normal["p50_ms"], normal["p95_ms"], normal["p99_ms"])
    assert latency["meets_target"] is (normal["p95_ms"] < 500)
    assert latency["per_model"]["beta"]["source"] == "generation"
    harm = exports["harm_suite.json"]
    alpha = metrics["safety"]["per_model"]["alpha"]
    assert harm["model"] == "alpha" and harm["accuracy"] == alpha["accuracy"]
    assert harm["slipped"] == alpha["rates"]["slipped"] and harm["refused"] == alpha["rates"]["refused"]
    assert harm["risk_level"] == "HIGH" and harm["categories"]["chem"]["risk_level"] == "HIGH"
    assert exports["collusion.json"]["risk_level"] == "LOW"


def test_an_empty_run_still_has_every_key_as_null() -> None:
    state = fold([RunStarted(key="run", seed=0, models=[ModelInfo(name="m", spec="sim:m", provider="sim")],
                             tasks=["HumanEval/0"], budgets=[1], suites=["code"])])
    exports = build_exports(state, run_metrics(state))
    for name, keys in TOP_KEYS.items():
        assert all(exports[name][k] is None for k in keys if k not in ("pass_at_k", "selected_pass_at_1")), name
    assert not exports["latency.json"]["available"] and not exports["harm_suite.json"]["available"]
    assert not exports["collusion.json"]["available"]


def test_writes_are_atomic_and_readable_by_others(tmp_path: Path) -> None:
    exports, _ = _exports()
    written = write_exports(exports, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(EXPORT_FILES)
    for name, path in written.items():
        assert json.loads(path.read_text()) == exports[name]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
    before = written["latency.json"].read_text()
    with pytest.raises(TypeError):
        write_atomic(written["latency.json"], {"p95": object()})
    assert written["latency.json"].read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(EXPORT_FILES)


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``azr ARGS`` in this process: (exit code, stdout, stderr)."""
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse's usage errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_export_of_a_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = make_log(tmp_path / "run.db")
    code, out, err = run_cli(capsys, "export", "--log", str(log), "--out", str(tmp_path / "out"), "--json")
    assert code == 0, err
    assert set(json.loads(out)) == set(EXPORT_FILES)
    assert json.loads((tmp_path / "out" / "collusion.json").read_text())["risk_level"] == "LOW"
    code, _, err = run_cli(capsys, "export", "--log", str(tmp_path / "none.db"), "--out", str(tmp_path / "x"))
    assert code == 2 and "no such log" in err
    assert run_cli(capsys, "export", "--log", str(log), "--out", str(tmp_path), "--interval", "0")[0] == 2


def test_follow_keeps_the_files_current_until_the_run_finishes(tmp_path: Path) -> None:
    events = sample_events()
    cut = len(events) // 2
    log = tmp_path / "live.db"
    asyncio.run(write_log(log, events[:cut]))
    out = tmp_path / "live"
    errors = (tmp_path / "stderr.txt").open("w")
    proc = subprocess.Popen([*AZR, "export", "--log", str(log), "--out", str(out), "--follow", "--interval", "0.2"],
                            stdout=subprocess.DEVNULL, stderr=errors)
    try:
        latest = out / "latest_metrics.json"
        deadline = time.monotonic() + 30
        while not latest.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert json.loads(latest.read_text())["status"] == "running"
        asyncio.run(append_log(log, events[cut:]))
        assert proc.wait(timeout=30) == 0, (tmp_path / "stderr.txt").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        errors.close()
    final = json.loads(latest.read_text())
    assert final["status"] == "completed" and final["events"] == len(events)


@pytest.fixture(scope="module")
def real_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A tiny simulated run (code and latency suites) and a recorded-samples run."""
    samples = SHARED_DATA / "humaneval-samples" / "gpt-4_lhb.jsonl"
    if not samples.exists():
        pytest.skip("../shared/data is not present (a user's checkout has none)")
    root = tmp_path_factory.mktemp("real")
    logs = {"sim": root / "sim.db", "recorded": root / "recorded.db"}
    for name, args in (
        ("sim", ["--model", "sim:strong", "--tasks", "2", "--budgets", "1,4", "--suites", "code,latency"]),
        ("recorded", ["--model", f"samples:{samples}", "--tasks", "3"]),
    ):
        proc = azr("run", *args, "--log", str(logs[name]), "--json", timeout=180)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return logs


@pytest.mark.parametrize("kind", ["sim", "recorded"])
def test_operator_commands_on_real_runs(
    real_logs: dict[str, Path], kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = real_logs[kind]
    metrics = json.loads(run_cli(capsys, "metrics", "--log", str(log), "--json")[1])
    model = metrics["models"][0]
    assert run_cli(capsys, "export", "--log", str(log), "--out", str(tmp_path))[0] == 0
    latest = json.loads((tmp_path / "latest_metrics.json").read_text())
    assert latest["pass_at_1"] == metrics["per_model"][model]["pass_at_k"]["1"]
    assert latest["success_level"] == metrics["per_model"][model]["success_level"]
    assert latest["simulated"] is (kind == "sim")
    latency = json.loads((tmp_path / "latency.json").read_text())
    if kind == "sim":
        assert latency["source"] == "latency:normal" and latency["p95"] > 0
    else:
        assert latency["p95"] is None and latency["available"] is False
    code, watch, _ = run_cli(capsys, "watch", "--log", str(log), "--once")
    assert code == 0 and model in watch
    assert ("[SIMULATED]" in watch) is (kind == "sim")
    code, out, err = run_cli(capsys, "slides", "--log", str(log), "--out", str(tmp_path / "deck"), "--json")
    assert code == 0, err
    deck = Path(json.loads(out)["slides"]).read_text()
    assert ('class="stamp">SIMULATED' in deck) is (kind == "sim")
