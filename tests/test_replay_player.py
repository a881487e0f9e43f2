"""Replay: the schedule keeps order and relative timing; two replays print the same; the end is `azr metrics`."""

from __future__ import annotations

import io
import json
from pathlib import Path

import msgspec
import pytest
from azr_actors.eventlog import RunFinished, RunStarted
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import RUN_ID, make_log, sample_events

from azr_actors.cli import main
from azr_actors.commands.replay import replay_headless
from azr_actors.errors import BadInput
from azr_actors.player import DEFAULT_DURATION_S, play, schedule, speed_for


def stored(events: list) -> list:  # type: ignore[type-arg]
    return [msgspec.structs.replace(e, seq=i) for i, e in enumerate(events, 1)]


def test_schedule_keeps_order_and_scales_relative_timing() -> None:
    events = stored(sample_events())
    span = events[-1].ts - events[0].ts
    ticks = schedule(events, speed=2.0)
    assert [t.event.seq for t in ticks] == list(range(1, len(events) + 1))
    assert ticks[0].at_s == 0.0
    assert ticks[-1].at_s == pytest.approx(span / 2)
    for a, b, ea, eb in zip(ticks, ticks[1:], events, events[1:], strict=False):
        assert b.at_s - a.at_s == pytest.approx((eb.ts - ea.ts) / 2)


def test_schedule_never_goes_back_in_time() -> None:
    start = RunStarted(
        key="r", ts=100.0, seq=1, seed=0, models=[], tasks=[], budgets=[1], suites=[]
    )
    unstamped = RunFinished(key="f1", ts=0.0, seq=2, status="x")
    early = RunFinished(key="f2", ts=90.0, seq=3, status="x")
    late = RunFinished(key="f3", ts=110.0, seq=4, status="x")
    assert [t.at_s for t in schedule([late, early, unstamped, start], speed=1.0)] == [
        0.0,
        0.0,
        0.0,
        10.0,
    ]


def test_speed_for_duration_speed_and_default() -> None:
    events = stored(sample_events())
    span = events[-1].ts - events[0].ts
    assert speed_for(events, duration_s=5.0) == pytest.approx(span / 5.0)
    assert speed_for(events, speed=3.0) == 3.0
    assert speed_for(events) == max(1.0, span / DEFAULT_DURATION_S)
    assert speed_for(events, duration_s=0) == float("inf")
    with pytest.raises(BadInput, match="--speed must be > 0"):
        speed_for(events, speed=0)
    with pytest.raises(BadInput, match="not both"):
        speed_for(events, duration_s=1, speed=1)


async def test_play_sleeps_the_schedule_and_yields_every_event_once() -> None:
    events = stored(sample_events())
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    ticks = schedule(events, speed_for(events, duration_s=10.0))
    seen = [e async for batch in play(ticks, frame_s=0.1, sleep=fake_sleep) for e in batch]
    assert seen == events
    assert sum(slept) == pytest.approx(10.0, abs=0.1)


async def test_two_headless_replays_print_the_same_and_end_with_the_same_metrics(
    tmp_path: Path,
) -> None:
    events = stored(sample_events())
    outputs, results = [], []
    for _ in range(2):
        out = io.StringIO()
        results.append(await replay_headless(events, float("inf"), out, log="x.db"))
        outputs.append(out.getvalue())
    assert outputs[0] == outputs[1]
    assert len(outputs[0].splitlines()) == len(events)
    assert f"run {RUN_ID} started" in outputs[0] and "run finished: completed" in outputs[0]
    assert results[0] == results[1] == run_metrics(fold(events), log="x.db")


def test_cli_headless_json_is_azr_metrics_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = make_log(tmp_path / "run.db")
    assert main(["metrics", "--log", str(log), "--json"]) == 0
    metrics = capsys.readouterr().out
    texts = []
    for _ in range(2):
        assert main(["replay", "--log", str(log), "--headless", "--json", "--duration", "0.2"]) == 0
        captured = capsys.readouterr()
        assert captured.out == metrics
        texts.append(captured.err)
    assert texts[0] == texts[1]  # the event lines carry log time, never the replay's clock
    assert json.loads(metrics)["run_id"] == RUN_ID


def test_cli_rejects_a_missing_log_and_bad_speed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", "--log", str(tmp_path / "none.db"), "--headless"]) == 2
    log = make_log(tmp_path / "run.db")
    assert main(["replay", "--log", str(log), "--headless", "--speed", "-1"]) == 2
    assert "--speed must be > 0" in capsys.readouterr().err
