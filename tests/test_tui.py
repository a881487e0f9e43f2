"""The monitor, driven with Pilot on the fixed log: views, keys, widget content and looks at 80x24."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import sample_events, write_log
from rich.console import Console

from azr_actors.tui import MonitorApp, follow_log, replay_log
from azr_actors.tui.screens import EventsScreen, ModelsScreen, OverviewScreen, TasksScreen
from azr_actors.tui.widgets import (
    HarmPanel,
    HealthPanel,
    ModelTable,
    RunProgress,
    TaskDetailPanel,
    TaskTable,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
SIZE = (80, 24)


def screen_text(app: MonitorApp) -> str:
    """The screen as plain text, exactly as drawn (what an SVG screenshot shows, without colours)."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        record=True,
        legacy_windows=False,
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return "\n".join(line.rstrip() for line in console.export_text(styles=False).splitlines())


def check_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/NAME.txt; AZR_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("AZR_UPDATE_SNAPSHOTS") or not path.exists():
        path.write_text(text + "\n", encoding="utf-8")
    assert text + "\n" == path.read_text(encoding="utf-8")


def content(widget: object) -> str:
    """A Static widget's content as plain text (a rich Table is rendered at 78 columns)."""
    value = widget.content  # type: ignore[attr-defined]
    if hasattr(value, "plain"):
        return str(value.plain)
    if isinstance(value, str):
        return value
    console = Console(width=78, file=io.StringIO(), record=True)
    console.print(value)
    return console.export_text(styles=False)


@pytest.fixture
async def log(tmp_path: Path) -> Path:
    return await write_log(tmp_path / "run.db", sample_events())


async def settle(app: MonitorApp, pilot: object) -> None:
    for _ in range(200):
        await pilot.pause(0.02)  # type: ignore[attr-defined]
        if app.settled:
            break
    assert app.settled
    app.refresh_views()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_overview_shows_every_panel_at_80x24(log: Path) -> None:
    app = MonitorApp(follow_log(log, poll_s=0.05), label="run.db", log=str(log), refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, OverviewScreen)
        progress = content(app.screen.query_one(RunProgress))
        assert "tasks 4/4 100%" in progress and "completed" in progress and "SIMULATED" in progress
        models = content(app.screen.query_one(ModelTable))
        expected = run_metrics(fold(sample_events()), log=str(log))
        assert expected["per_model"]["alpha"]["selected_pass_at_1"]["4"] == 1.0
        assert (
            "alpha*" in models
            and "judge@4" in models
            and "+50.0pp" in models
            and "PRIMARY" in models
        )
        assert app.metrics == expected  # the monitor's figures are azr metrics' figures
        assert "1/1/1/0" in content(
            app.screen.query_one(HarmPanel)
        )  # refused/safe/slipped/ambiguous
        health = content(app.screen.query_one(HealthPanel))
        assert "failures 1" in health and "retries 1" in health and "executor:6/6" in health
        check_snapshot("overview", screen_text(app))


async def test_keys_switch_views_and_task_view_explains_the_pick(log: Path) -> None:
    app = MonitorApp(follow_log(log, poll_s=0.05), label="run.db", log=str(log), refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, ModelsScreen)
        assert "McNemar 1->4 p=0.5" in content(app.screen.query_one("#model-tests"))
        check_snapshot("models", screen_text(app))

        await pilot.press("t")
        await pilot.pause()
        assert isinstance(app.screen, TasksScreen)
        table = app.screen.query_one(TaskTable)
        assert table.row_count == 4 and table.current_task == "HumanEval/0"
        await pilot.press("down")
        await pilot.pause()
        detail = content(app.screen.query_one(TaskDetailPanel))
        assert "HumanEval/1  alpha" in detail
        assert "judge@4: sample 1: agrees with the docstring examples" in detail
        assert "#0  failed" in detail and "*#1  passed" in detail
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert "model beta (2/2)" in content(app.screen.query_one("#task-model"))
        assert "HumanEval/1  beta" in content(app.screen.query_one(TaskDetailPanel))
        check_snapshot("tasks", screen_text(app))

        await pilot.press("e")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        text = screen_text(app)
        assert "run finished: completed, 4 tasks" in text
        check_snapshot("events", text)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)


async def test_live_log_updates_as_another_writer_appends(tmp_path: Path) -> None:
    events = sample_events()
    cut = next(i for i, e in enumerate(events) if type(e).__name__ == "ResourceSampled") + 1
    log = await write_log(tmp_path / "live.db", events[:cut])
    app = MonitorApp(follow_log(log, poll_s=0.05), label="live.db", log=str(log), refresh_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "tasks 1/4" in content(app.screen.query_one(RunProgress))
        from azr_actors.eventlog import open_store

        async with open_store(log, create=False) as writer:
            await writer.append(events[cut:])
        for _ in range(100):
            await pilot.pause(0.05)
            if app.state.last_seq == len(events) and app.settled:
                break
        app.refresh_views()
        await pilot.pause()
        assert "tasks 4/4" in content(app.screen.query_one(RunProgress))


async def test_replay_in_the_tui_ends_with_the_original_metrics(log: Path) -> None:
    events = sample_events()
    app = MonitorApp(
        replay_log(fold_order(events), float("inf")), label="replay", log=str(log), refresh_s=0.1
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.ended and "replay finished" in content(app.screen.query_one(RunProgress))
        assert app.metrics == run_metrics(fold(fold_order(events)), log=str(log))


def fold_order(events: list) -> list:  # type: ignore[type-arg]
    """The fixture's events with the seqs a store would give them."""
    import msgspec

    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events, 1)]


def test_cli_saves_a_screenshot_of_the_newest_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fixtures_log import make_log

    from azr_actors.cli import main
    from azr_actors.commands.tui import newest_log

    runs = tmp_path / "runs"
    runs.mkdir()
    make_log(runs / "run.db")
    monkeypatch.chdir(tmp_path)
    assert newest_log() == Path("runs/run.db")
    svg = tmp_path / "shot" / "tui.svg"
    assert main(["tui", "--screenshot", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert text.startswith("<svg") and "run-fixture" in text and "PRIMARY" in text
    assert main(["tui", "--log", str(tmp_path / "none.db")]) == 2
    assert main(["tui", "--log", "runs/run.db", "--screenshot", str(svg), "--size", "80"]) == 2
