"""``azr watch``: the plain-text status block, the log follower, and the command."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from azr_actors.eventlog import Alert
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import append_log, make_log, sample_events, write_log

from azr_actors.cli import main
from azr_actors.export import build_exports
from azr_actors.watch import follow_states, render_status


def _status(events: list) -> str:  # type: ignore[type-arg]
    state = fold(events)
    return render_status(state, build_exports(state, run_metrics(state)))


def test_status_block_shows_every_section() -> None:
    text = _status(sample_events())
    lines = text.splitlines()
    levels = {m: pm["success_level"] for m, pm in run_metrics(fold(sample_events()))["per_model"].items()}
    assert lines[0].startswith("azr watch  run-fixture  [SIMULATED]  status completed")
    assert lines[1].startswith("progress  4/4 tasks settled")
    for model, level in levels.items():
        row = next(line for line in lines if line.startswith(model + " "))
        assert row.endswith(level)
    for prefix in ("latency   p50", "harm      accuracy", "collusion risk LOW", "resources cpu", "alerts    "):
        assert any(line.startswith(prefix) for line in lines), prefix
    assert "(latency:normal, alpha)" in text


def test_status_lists_alerts_and_unmeasured_suites() -> None:
    events = [e for e in sample_events() if type(e).__name__ in ("RunStarted",)]
    events.append(Alert(key="alert:disk_low", level="critical", what="disk_low", message="free disk 10 MB, below 1024 MB"))
    text = _status(events)
    assert "latency   not measured" in text and "harm      not run" in text and "collusion not analysed" in text
    assert "code      no code results yet" in text
    assert "alerts    1" in text and "  [critical] free disk 10 MB, below 1024 MB" in text


async def test_follow_yields_as_the_log_grows_and_ends_with_the_run(tmp_path: Path) -> None:
    events = sample_events()
    cut = len(events) // 2
    log = await write_log(tmp_path / "live.db", events[:cut])
    seen: list[tuple[int, str | None]] = []

    async def grow() -> None:
        await asyncio.sleep(0.3)
        await append_log(log, events[cut:])

    grower = asyncio.create_task(grow())
    async for state in follow_states(log, interval_s=0.05):
        seen.append((state.events, state.finished.status if state.finished else None))
    await grower
    assert seen[0] == (cut, None)
    assert seen[-1] == (len(events), "completed")


async def test_follow_without_follow_yields_once_and_stop_ends_it(tmp_path: Path) -> None:
    events = sample_events()[:10]
    log = await write_log(tmp_path / "part.db", events)
    once = [s.events async for s in follow_states(log, follow=False)]
    assert once == [10]
    stop = asyncio.Event()
    count = 0
    async for _ in follow_states(log, interval_s=0.05, stop=stop):
        count += 1
        stop.set()
    assert count == 1
    with pytest.raises(ValueError, match="interval_s must be > 0, got 0"):
        async for _ in follow_states(log, interval_s=0):
            pass


def test_watch_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = make_log(tmp_path / "run.db")
    assert main(["watch", "--log", str(log), "--once"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("azr watch  run-fixture") and "\x1b[" not in out
    assert main(["watch", "--log", str(log)]) == 0  # a finished run: one block, then exit
    assert capsys.readouterr().out == out
    assert main(["watch", "--log", str(tmp_path / "none.db"), "--once"]) == 2
    assert "no such log" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["watch", "--log", str(log), "--max-p95-ms", "-5"])
    assert exc.value.code == 2
