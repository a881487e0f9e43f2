"""Audit of the live monitor (``azr tui``) and ``azr watch``: each test pins one defect that was found and fixed."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from pathlib import Path

import pytest
from azr_actors.eventlog import Event, LogFormatError
from fixtures_log import make_log, renamed, sample_events, write_log
from test_tui import screen_text, settle
from textual.app import App
from textual.worker import WorkerFailed

from azr_actors.cli import main
from azr_actors.commands.tui import save_screenshot
from azr_actors.tui import MonitorApp, follow_log
from azr_actors.tui.widgets import TaskTable

SIZE = (100, 30)


def _hostile(model: str, task: str) -> list[Event]:
    """The fixture with model ``alpha`` called ``model`` and task ``HumanEval/0`` called ``task``."""
    return renamed(renamed(sample_events(), "alpha", model), "HumanEval/0", task)  # type: ignore[return-value]


async def _app(path: Path, events: list[Event]) -> MonitorApp:
    log = await write_log(path, events)
    return MonitorApp(follow_log(log, poll_s=0.05), label="run.db", log=str(log), refresh_s=0.1)


async def test_markup_in_model_names_and_task_ids_is_shown_as_text(tmp_path: Path) -> None:
    # Model names (a samples file's stem, a provider's model id) and task ids (a user's task
    # file) are data. As markup, "[/]" crashed the monitor with a MarkupError and "[b]" vanished.
    model, task = "al[/]pha[b]", "[i]Task[/i]/0"
    app = await _app(tmp_path / "run.db", _hostile(model, task))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert model + "*" in screen_text(app)  # the overview's model table
        await pilot.press("m")
        await pilot.pause()
        assert model + "*" in screen_text(app)  # the models view: a column per model
        await pilot.press("t")
        await pilot.pause()
        text = screen_text(app)
        assert f"model {model} (1/2)" in text
        table = app.screen.query_one(TaskTable)
        tasks = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert task in [str(getattr(t, "plain", t)) for t in tasks]
        assert task in text


async def test_a_model_name_cannot_become_an_action_link(tmp_path: Path) -> None:
    # "[@click=app.quit]" in a model's name made the task view's label a link that quit the app.
    model = "[@click=app.quit]clickme[/]"
    app = await _app(tmp_path / "run.db", _hostile(model, "HumanEval/0"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert f"model {model}" in screen_text(app)
        for x in range(7, 30):
            await pilot.click("#task-model", offset=(x, 0))
        await pilot.pause()
        assert app.is_running and app.return_code is None


def _failing_source(
    *args: object, polls: int = 1, **kwargs: object
) -> Callable[[], AsyncGenerator[list[Event], None]]:
    """A followed log that cannot be read after ``polls`` polls (damaged, unreachable, newer schema)."""

    async def batches() -> AsyncGenerator[list[Event], None]:
        for _ in range(polls):
            yield []
        raise LogFormatError("run.db is damaged: database disk image is malformed")

    return batches


def test_tui_on_a_file_that_is_not_a_log_is_bad_input(tmp_path: Path) -> None:
    # It waited out the 60 s catch-up, printed a traceback and exited 1 (a runtime failure);
    # `azr watch` on the same file exits 2 with one line.
    bad = tmp_path / "notes.db"
    bad.write_text("not a log\n", encoding="utf-8")
    svg = tmp_path / "shot.svg"
    assert main(["tui", "--log", str(bad), "--screenshot", str(svg)]) == 2
    assert not svg.exists()
    assert main(["watch", "--once", "--log", str(bad)]) == 2


def test_tui_exits_non_zero_when_the_monitor_stops_on_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app died (its traceback on the terminal) but `azr tui` exited 0.
    log = make_log(tmp_path / "run.db")
    monkeypatch.setattr("azr_actors.tui.follow_log", _failing_source)
    monkeypatch.setattr(MonitorApp, "run", lambda self: App.run(self, headless=True))
    assert main(["tui", "--log", str(log)]) == 1


async def test_screenshot_stops_waiting_when_the_fold_fails(tmp_path: Path) -> None:
    # save_screenshot kept polling for a catch-up until its timeout (60 s from the CLI) after the
    # worker had died before its first page, then saved a picture of the dead monitor.
    app = MonitorApp(_failing_source(polls=0), label="run.db", log="run.db", refresh_s=0.1)
    with pytest.raises(WorkerFailed):
        await save_screenshot(app, tmp_path / "shot.svg", (80, 24), timeout_s=3.0)
    assert not (tmp_path / "shot.svg").exists()
