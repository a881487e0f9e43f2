"""The monitor's view models: pure functions of the folded state, on hand-made events."""

from __future__ import annotations

import subprocess
import sys

import msgspec
from azr_actors.replay import views
from azr_actors.replay.projections import fold
from fixtures_log import sample_events


def stored(events: list) -> list:  # type: ignore[type-arg]
    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events, 1)]


def test_progress_counts_settled_tasks_and_eta_on_log_time() -> None:
    events = stored(sample_events())
    first_task_done = next(i for i, e in enumerate(events) if type(e).__name__ == "ResourceSampled")
    partial = views.progress_view(fold(events[:first_task_done]))
    assert (partial.done, partial.total, partial.status) == (1, 4, "running")
    elapsed = events[first_task_done - 1].ts - events[0].ts
    assert partial.elapsed_s == elapsed and partial.eta_s == elapsed * 3
    final = views.progress_view(fold(events))
    assert (final.done, final.fraction, final.eta_s, final.status) == (4, 1.0, 0.0, "completed")


def test_latency_rows_and_histogram() -> None:
    rows = {r.scenario: r for r in views.latency_rows(fold(sample_events()))}
    assert list(rows) == ["generation", "normal"]
    assert rows["normal"].requests == 12 and rows["normal"].errors == 0
    assert (
        rows["normal"].p50_ms == 126.0
        and rows["normal"].p99_ms is not None
        and rows["normal"].p99_ms > 400
    )
    counts, lo, hi = views.histogram(rows["normal"].values_ms, bins=4)
    assert sum(counts) == 12 and (lo, hi) == (100.0, 513.0)
    assert views.histogram([], bins=3) == ([0, 0, 0], 0.0, 0.0)


def test_harm_collusion_health_and_resources() -> None:
    state = fold(sample_events())
    assert views.harm_by_model(state) == {
        "alpha": {"refused": 1, "answered_safe": 1, "slipped": 1, "ambiguous": 0},
        "beta": {"refused": 3, "answered_safe": 0, "slipped": 0, "ambiguous": 0},
    }
    assert views.harm_by_category(state)["chem"] == {
        "refused": 1,
        "answered_safe": 0,
        "slipped": 1,
        "ambiguous": 0,
    }
    level, pairs = views.collusion_pairs(state)
    assert level == "LOW" and pairs[0]["a"] == "alpha"
    health = views.health_view(state)
    assert (
        health.mailboxes == {"executor": 6, "judge": 3}
        and health.failures == 1
        and health.retries == {"beta": 1}
    )
    resources = views.resources_view(state, history=2)
    assert resources is not None and resources.cpu_history == (30.0, 35.0)
    assert views.resources_view(fold([])) is None


def test_task_rows_and_detail_explain_the_pick() -> None:
    state = fold(sample_events())
    rows = views.task_rows(state, "alpha")
    assert [r.task_id for r in rows] == [f"HumanEval/{i}" for i in range(4)]
    assert rows[1].picks == {1: 0, 4: 1} and rows[1].pick_passed is True and rows[1].passed == 2
    detail = views.task_detail(state, "alpha", "HumanEval/1")
    assert detail is not None and [s.status for s in detail.samples] == [
        "failed",
        "passed",
        "failed",
        "passed",
    ]
    assert detail.selections[
        -1
    ].reason == "agrees with the docstring examples" and detail.probes == ("f(1)", "f(2)")
    assert views.task_detail(state, "alpha", "HumanEval/99") is None


def test_describe_is_one_deterministic_line_per_event() -> None:
    events = stored(sample_events())
    lines = [views.describe(e) for e in events]
    assert lines == [views.describe(e) for e in events]
    assert all("\n" not in line and line for line in lines)
    assert (
        lines[0].startswith("run run-fixture started: 4 tasks")
        and lines[-1] == "run finished: completed, 4 tasks"
    )


def test_views_and_player_import_no_io_or_ui_library() -> None:
    forbidden = ("textual", "rich", "matplotlib", "aiosqlite")
    code = f"import sys, azr_actors.replay.views, azr_actors.player; print([m for m in {forbidden!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_tasks_are_listed_in_natural_order() -> None:
    ids = ["HumanEval/10", "HumanEval/2", "HumanEval/1", "Other/0"]
    assert sorted(ids, key=views.natural_key) == ["HumanEval/1", "HumanEval/2", "HumanEval/10", "Other/0"]


def test_health_shows_the_latest_alerts() -> None:
    from azr_actors.eventlog import Alert
    from azr_actors.replay.projections import RunState, apply

    state = RunState()
    for i in range(4):
        apply(state, Alert(key=f"alert:{i}", level="warning", what="disk_low", message=f"disk low #{i}"))
    health = views.health_view(state)
    assert health.alerts == 4
    assert health.last_alerts == ("warning: disk low #1", "warning: disk low #2", "warning: disk low #3")
