"""`azr report`: report.md, a self-contained report.html embedding every plot, and the simulated stamp."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest
from azr_actors.eventlog import Alert, Event, ModelInfo, RunStarted
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import RUN_ID, T0, make_log, sample_events

from azr_actors.cli import main
from azr_actors.operator_report import operator_sections
from azr_actors.reporting import Figure_, Heading, Table, build_report, render_markdown

PNG = b"\x89PNG\r\n\x1a\n"
PLOTS = {"pass_at_k.png", "uplift.png", "latency.png", "harm.png", "collusion.png"}
ALERT = "free disk 400 MB under the 500 MB floor"


def _with_alert() -> list[Event]:
    """The fixture run with one alert raised before it finished."""
    events = sample_events()
    alert = Alert(
        key="alert:disk",
        run_id=RUN_ID,
        actor="watcher",
        ts=T0 + 1,
        level="warning",
        what="disk_free_mb",
        message=ALERT,
        value=400.0,
        threshold=500.0,
    )
    return [*events[:-1], alert, events[-1]]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    log = make_log(tmp / "run.db", _with_alert())
    assert main(["report", "--log", str(log), "--out", str(tmp / "out")]) == 0
    return tmp / "out"


def test_files_exist_and_plots_are_pngs(report_dir: Path) -> None:
    names = {p.name for p in report_dir.iterdir()}
    assert {"report.md", "report.html"} | PLOTS <= names
    for name in PLOTS:
        assert (report_dir / name).read_bytes().startswith(PNG)


def test_html_embeds_every_plot_and_is_self_contained(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(embedded) == len(PLOTS)
    assert {base64.b64decode(e) for e in embedded} == {(report_dir / n).read_bytes() for n in PLOTS}
    assert not re.search(r'(src|href)="(?!data:)', html)  # nothing outside the file


def test_markdown_links_plots_and_has_assessment_and_tests(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    for name in PLOTS:
        assert f"]({name})" in md
    assert "## Success assessment" in md and "| alpha (simulated) | PRIMARY | +50.0 pp |" in md
    assert "## Statistical tests" in md and "exact McNemar | 0.5 |" in md
    assert "| chem | 1 | 0 | 1 | 0 |" in md  # harm breakdown per category


def test_simulated_is_stamped_wherever_a_simulated_model_took_part(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    assert "**SIMULATED**" in md and "(alpha)" in md.split("\n")[2]
    assert (
        'class="simulated"' in html and "<title>azr report run-fixture (simulated)</title>" in html
    )


def test_a_run_without_simulated_models_says_nothing_of_the_kind() -> None:
    events = sample_events()
    run = events[0]
    assert isinstance(run, RunStarted)
    real = [ModelInfo(name=m.name, spec=m.spec, provider=m.provider) for m in run.models]
    events[0] = RunStarted(
        **{f: getattr(run, f) for f in run.__struct_fields__ if f != "models"}, models=real
    )
    state = fold(events)
    blocks = build_report(state, run_metrics(state))
    text = " ".join(str(b) for b in blocks if not isinstance(b, Figure_))
    assert "simulated" not in text.lower()
    assert any(isinstance(b, Table) and b.rows and b.rows[0][0] == "alpha" for b in blocks)


def test_operator_sections_sit_between_collusion_and_actor_failures() -> None:
    state = fold(_with_alert())
    metrics = run_metrics(state)
    blocks = build_report(state, metrics)
    operator = operator_sections(state, metrics)
    headings = [b.text for b in blocks if isinstance(b, Heading)]
    assert [b.text for b in operator if isinstance(b, Heading)] == [
        "Cost: estimate vs actual",
        "Risk assessment",
        "Operations",
        "Alerts",
    ]
    start = blocks.index(operator[0])
    assert blocks[start : start + len(operator)] == operator  # included whole, in order
    assert headings.index("Collusion") < headings.index("Cost: estimate vs actual")
    assert headings.index("Alerts") < headings.index("Actor failures")


def test_markdown_and_html_show_alerts_estimate_risk_and_operations(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text(encoding="utf-8")
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    for heading in ("Cost: estimate vs actual", "Risk assessment", "Operations", "Alerts"):
        assert f"## {heading}\n" in md and f"<h2>{heading}</h2>" in html
    assert f"| warning | disk_free_mb | {ALERT} | 400 | 500 |" in md and ALERT in html
    # alpha slipped on its one chem prompt: a 100% slip rate is HIGH risk, with a recommendation
    assert "| chem | HIGH | 1/2 | 50.0% |" in md
    assert re.search(r"^- chem: .+", md, re.M) and "<ul><li>" in html
    assert "| rate limits (429) | 1 |" in md and "| actor failures | 1 |" in md
    # estimate vs actual: the actual calls are the samples the model generated
    samples = run_metrics(fold(_with_alert()))["per_model"]["alpha"]["cost"]["samples"]
    assert re.search(rf"^\| alpha \| [\d.]+ \| {samples} \|", md, re.M)


def test_report_of_a_missing_log_is_bad_input(tmp_path: Path) -> None:
    assert main(["report", "--log", str(tmp_path / "none.db"), "--out", str(tmp_path / "out")]) == 2


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "-"),
        (0.0, "<1e-06"),
        (4e-7, "<1e-06"),
        (1e-6, "1e-06"),
        (0.000244, "0.000244"),
        (0.5, "0.5"),
    ],
)
def test_p_values_below_the_metrics_resolution_are_never_shown_as_zero(
    value: float | None, shown: str
) -> None:
    from azr_actors.text_format import p_value

    assert p_value(value) == shown


def test_the_report_shows_a_rounded_away_p_value_as_a_bound() -> None:
    state = fold(sample_events())
    metrics = run_metrics(state)
    pm = next(iter(metrics["per_model"].values()))
    pm["uplift_p_value"] = 0.0  # what replay.stats.clean makes of p < 5e-7
    text = render_markdown(build_report(state, metrics))
    uplift_row = next(line for line in text.splitlines() if "uplift selected@" in line)
    assert uplift_row.endswith("| exact McNemar | <1e-06 |")
