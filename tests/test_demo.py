"""`azr demo`: an asciicast v2 recording of at most 45 s, the narrated script, metadata and flow."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from azr_actors.eventlog import (
    CollusionAnalyzed,
    Event,
    LatencyRecorded,
    RunStarted,
    SafetyClassified,
)
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import RUN_ID, make_log, sample_events
from scipy.stats import binomtest

from azr_actors.cli import main
from azr_actors.demo import MAX_S, SHORT_CAST, SHORT_CUT, STEPS, build_flow, build_qa
from azr_actors.risk import assess_operations

FILES = {"demo.cast", SHORT_CAST, "script.md", "metadata.json", "flow.json"}
SANDBOX = {"level": "namespaces", "layers": ["netns", "pidns", "rlimits"], "warnings": []}


def _events() -> list[Event]:
    """The fixture run, its RunStarted carrying a sandbox probe (as a real run's does)."""
    events = sample_events()
    run = events[0]
    assert isinstance(run, RunStarted)
    fields = {f: getattr(run, f) for f in run.__struct_fields__ if f != "sandbox"}
    return [RunStarted(**fields, sandbox=SANDBOX), *events[1:]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("demo")
    log = make_log(tmp / "run.db", _events())
    assert main(["demo", "--log", str(log), "--out", str(tmp / "a")]) == 0
    return log, tmp / "a"


def test_files_exist(demo: tuple[Path, Path]) -> None:
    assert {p.name for p in demo[1].iterdir()} >= FILES


def test_cast_parses_as_asciicast_v2_and_lasts_30_to_45_s(demo: tuple[Path, Path]) -> None:
    lines = (demo[1] / "demo.cast").read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and header["width"] == 80 and header["height"] == 24
    events = [json.loads(line) for line in lines[1:]]
    times = [e[0] for e in events]
    assert all(
        isinstance(e, list) and len(e) == 3 and e[1] == "o" and isinstance(e[2], str)
        for e in events
    )
    assert times == sorted(times) and times[0] == 0
    assert 30 <= times[-1] <= MAX_S == 45
    text = "".join(e[2] for e in events)
    for _, title, _, _ in STEPS[:2]:
        assert title in text
    assert "Progressive sampling n=1/4" in text and "SIMULATED" in text
    plain = re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)
    assert max(len(line) for line in plain.split("\r\n")) <= 80


def test_script_has_every_step_with_timings_and_a_fallback(demo: tuple[Path, Path]) -> None:
    script = (demo[1] / "script.md").read_text(encoding="utf-8")
    starts = 0.0
    for n, (_, title, seconds, _) in enumerate(STEPS, 1):
        if not title.startswith("Progressive"):
            assert (
                f"## {n}. {title} ({starts:.0f}-{starts + seconds:.0f} s, {seconds:.0f} s)"
                in script
            )
        starts += seconds
    assert "## If the live demo fails" in script and "asciinema play demo.cast" in script
    assert [s for _, _, s, _ in STEPS] == [5, 3, 8, 5, 4, 3, 3, 2, 5]


def test_metadata_and_flow(demo: tuple[Path, Path]) -> None:
    _log, out = demo
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["run_id"] == RUN_ID and meta["seeds"] == {"run": 7} and meta["simulated"] is True
    assert [m["name"] for m in meta["models"]] == ["alpha", "beta"]
    assert {"azr_actors", "python"} <= set(meta["versions"])
    assert meta["metrics"]["per_model"]["alpha"]["uplift_pp"] == 50.0
    flow = json.loads((out / "flow.json").read_text(encoding="utf-8"))
    assert [s["step"] for s in flow["steps"]] == [name for name, *_ in STEPS]
    sampling = next(s for s in flow["steps"] if s["step"] == "progressive_sampling")
    assert sampling["data"]["rounds"] == [
        {"budget": 1, "samples": [0]},
        {"budget": 4, "samples": [1, 2, 3]},
    ]
    picks = next(s for s in flow["steps"] if s["step"] == "best_selection")["data"]["picks"]
    assert (
        picks[0]["passed"] is False and picks[-1]["passed"] is True
    )  # the featured task shows the judge's uplift
    assert any(
        "selection_made" in line
        for line in next(s for s in flow["steps"] if s["step"] == "best_selection")["events"]
    )


def test_same_log_same_bytes(demo: tuple[Path, Path], tmp_path: Path) -> None:
    log, first = demo
    assert main(["demo", "--log", str(log), "--out", str(tmp_path / "b")]) == 0
    for name in FILES:
        assert (tmp_path / "b" / name).read_bytes() == (first / name).read_bytes()


def _sections(script: str) -> dict[str, str]:
    """The script's ``###`` sections by title."""
    parts = re.split(r"^### ", script, flags=re.M)[1:]
    return {p.split("\n", 1)[0]: p for p in parts}


def test_fallbacks_give_exact_commands_on_the_log(demo: tuple[Path, Path]) -> None:
    log, out = demo
    script = (out / "script.md").read_text(encoding="utf-8")
    fallback = script.split("## If the live demo fails", 1)[1].split("## Q&A sheet", 1)[0]
    sections = _sections(fallback)
    network = sections["(a) Failed network"]
    api = sections["(b) Failed API (provider errors, 429 rate limits)"]
    short = sections["(c) Short time slot (15 s)"]
    path = shlex.quote(str(log))
    replayed = shlex.quote(str(log.with_name("run-replayed.db")))
    replay = f"azr run --model {shlex.quote(f'replay:{log}#alpha')} --tasks all --log {replayed}"
    assert f"`azr replay --log {path} --duration 30`" in network
    assert f"`azr metrics --log {path}`" in network and f"`{replay}`" in network
    assert f"`azr tui --log {replayed}`" in network
    ops = assess_operations(fold(_events()))
    assert ops.rate_limited == 1  # the fixture's one 429
    assert (
        f"In this log: retries {sum(ops.retries.values())} (rate limits {ops.rate_limited}, " in api
    )
    assert f"`{replay}`" in api and f"`azr watch --log {path}`" in api
    assert "--model samples:beta.jsonl --tasks all" in api  # the run's own samples file
    assert f"`azr replay --log {path} --duration 15`" in short
    assert f"`asciinema play {SHORT_CAST}`" in short


def test_short_slot_keeps_fifteen_seconds_of_steps(demo: tuple[Path, Path]) -> None:
    _log, out = demo
    script = (out / "script.md").read_text(encoding="utf-8")
    titles = {name: title for name, title, _, _ in STEPS}
    assert {name for name, _ in SHORT_CUT} <= set(titles)
    assert sum(seconds for _, seconds in SHORT_CUT) == 15
    start = 0.0
    for name, seconds in SHORT_CUT:
        window = f"{start:.0f}-{start + seconds:.0f} s, "
        line = next(line for line in script.splitlines() if window in line)
        assert f"({seconds:.0f} s): " in line and (
            titles[name] in line or name == "progressive_sampling"
        )
        start += seconds
    lines = (out / SHORT_CAST).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["version"] == 2
    assert json.loads(lines[-1])[0] == 15


def _at(obj: Any, path: list[str | int]) -> Any:
    for key in path:
        obj = obj[key]
    return obj


def test_qa_sheet_numbers_equal_the_metrics(demo: tuple[Path, Path]) -> None:
    log, out = demo
    metrics = json.loads((out / "metadata.json").read_text(encoding="utf-8"))["metrics"]
    qa = json.loads((out / "flow.json").read_text(encoding="utf-8"))["qa"]
    script = (out / "script.md").read_text(encoding="utf-8").split("## Q&A sheet", 1)[1]
    by_question = {a["question"]: a for a in qa}
    assert set(by_question) >= {
        "pass@1",
        "judge pick at n=1",
        "judge pick at n=4",
        "uplift",
        "uplift p-value (exact McNemar)",
        "oracle (any sample passes)",
        "latency p95",
        "harm breakdown",
        "slipped rate, 95% upper bound",
        "collusion risk",
        "sandbox isolation level",
    }
    for a in qa:
        assert _at(metrics, a["path"]) == a["value"]
        if a["ci_path"] is not None:
            assert _at(metrics, a["ci_path"]) == a["ci95"]
        assert f"### {a['question']}: {a['figure']}\n" in script
        assert a["command"].startswith(f"azr metrics --log {shlex.quote(str(log))} --json | jq")
        assert f"`{a['command']}`" in script and f"`{a['query']}`" in script
    pm = metrics["per_model"]["alpha"]
    assert by_question["pass@1"]["figure"].startswith(f"{pm['pass_at_k']['1'] * 100:.1f}%, 95% CI")
    assert by_question["uplift"]["figure"].startswith(f"{pm['uplift_pp']:+.1f} pp")
    assert by_question["uplift p-value (exact McNemar)"]["figure"] == (
        f"p = {pm['uplift_p_value']:.3g}"
    )
    p95 = metrics["latency"]["per_model"]["alpha"]["scenarios"]["normal"]["p95_ms"]
    assert by_question["latency p95"]["figure"] == f"{p95:.0f} ms"
    assert by_question["collusion risk"]["figure"] == metrics["collusion"]["risk_level"]
    assert by_question["sandbox isolation level"]["value"] == SANDBOX["level"]
    upper = metrics["safety"]["per_model"]["alpha"]["slipped_upper95"]
    assert f"at most {upper * 100:.1f}%" in by_question["slipped rate, 95% upper bound"]["figure"]


def test_qa_technical_data_reproduce_the_figures() -> None:
    state = fold(_events())
    metrics = run_metrics(state, log="run.db")
    pm = metrics["per_model"]["alpha"]
    answers = {a.question: a for a in build_qa(state, metrics)}
    fixed, broken, n = map(
        int,
        re.search(  # type: ignore[union-attr]
            r"(\d+) tasks fixed .* and (\d+) broken, over (\d+) tasks",
            answers["uplift"].computation,
        ).groups(),
    )
    assert 100 * (fixed - broken) / n == pm["uplift_pp"]
    assert binomtest(fixed, fixed + broken, 0.5).pvalue == pytest.approx(pm["uplift_p_value"])
    k = int(re.search(r"\((\d+)/", answers["judge pick at n=4"].figure).group(1))  # type: ignore[union-attr]
    assert k / n == pm["selected_pass_at_1"]["4"]
    assert build_qa(state, metrics) == build_qa(fold(_events()), metrics)  # pure
    # every number the results step shows is one the sheet explains
    results = next(s for s in build_flow(state, metrics) if s.name == "results")
    assert results.data["alpha"]["oracle_pass_at_n"] == answers["oracle (any sample passes)"].value
    assert results.data["alpha"]["latency_p95_ms"] == answers["latency p95"].value


def test_qa_of_a_code_only_run_explains_the_generation_latency() -> None:
    other_suites = (SafetyClassified, CollusionAnalyzed, LatencyRecorded)
    state = fold([e for e in _events() if not isinstance(e, other_suites)])
    metrics = run_metrics(state, log="run.db")
    answers = {a.question: a for a in build_qa(state, metrics)}
    latency = answers["latency p95"]
    assert latency.path == ("per_model", "alpha", "latency", "p95_ms")
    assert latency.value == metrics["per_model"]["alpha"]["latency"]["p95_ms"]
    assert "sample_generated" in latency.events and latency.ci95 is None
    assert not {"harm breakdown", "collusion risk"} & set(answers)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed")
def test_qa_jq_filters_print_the_figures(demo: tuple[Path, Path]) -> None:
    _log, out = demo
    metrics = (out / "metadata.json").read_text(encoding="utf-8")
    document = json.dumps(json.loads(metrics)["metrics"])
    for a in json.loads((out / "flow.json").read_text(encoding="utf-8"))["qa"]:
        jq = shlex.split(a["command"].split("|", 1)[1])
        printed = subprocess.run(
            jq, input=document, capture_output=True, text=True, check=True, timeout=10
        ).stdout.split("\n")
        expected = [a["value"]] + ([a["ci95"]] if a["ci_path"] is not None else [])
        assert [json.loads(line) for line in printed if line] == expected
