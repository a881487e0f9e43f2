"""``azr replay``: play a finished log back, at compressed time, in the monitor or as text.

The headless text is a pure function of the log: each line carries the event's
offset on the log's own clock, never the replay's, so two replays print the
same bytes. ``--headless --json`` ends with exactly ``azr metrics --json``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from ..eventlog import Event
from ..player import play, schedule, speed_for
from ..replay.metrics import run_metrics
from ..replay.projections import RunState, apply
from ..replay.views import describe
from ._common import log_location, opened_log, print_json, run_async
from .summary import print_summary

__all__ = ["add_parser", "handle", "load_events", "replay_headless"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "replay",
        help="replay a finished run at compressed time",
        description="Play a log back in the monitor (or as text with --headless), keeping the order and relative "
        "timing of its events, and end with the same metrics as the original run.",
    )
    p.add_argument("--log", type=log_location, required=True)
    pace = p.add_mutually_exclusive_group()
    pace.add_argument(
        "--duration",
        type=float,
        default=None,
        help="replay length in seconds (default 30; 0: at once)",
    )
    pace.add_argument(
        "--speed", type=float, default=None, help="speed factor over the original timing"
    )
    p.add_argument(
        "--headless", action="store_true", help="print the events as text instead of the TUI"
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="with --headless: end with the metrics JSON (event lines go to stderr)",
    )
    p.set_defaults(handler=handle)


async def load_events(log: Path) -> list[Event]:
    """Every event of the log, in seq order."""
    async with opened_log(log) as store:
        return [event async for event in store.iter()]


async def replay_headless(
    events: list[Event], speed: float, out: TextIO, *, log: str = ""
) -> dict[str, Any]:
    """Print one line per event as the schedule reaches it; return the final metrics (same fold)."""
    state = RunState()
    async for batch in play(schedule(events, speed)):
        for event in batch:
            apply(state, event)
            offset = event.ts - state.first_ts if event.ts and state.first_ts is not None else 0.0
            out.write(f"{event.seq:>7} +{offset:8.2f}s {describe(event)}\n")
        out.flush()
    metrics: dict[str, Any] = run_metrics(state, log=log)
    return metrics


def handle(args: argparse.Namespace) -> int:
    events = run_async(load_events(args.log))
    speed = speed_for(events, duration_s=args.duration, speed=args.speed)
    if args.headless:
        out = sys.stderr if args.json else sys.stdout
        metrics = run_async(replay_headless(events, speed, out, log=str(args.log)))
        if args.json:
            print_json(metrics)
        else:
            print_summary(metrics)
        return 0
    from ..tui import MonitorApp, replay_log

    MonitorApp(
        replay_log(events, speed),
        label=f"replay of {args.log} at {speed:g}x",
        log=str(args.log),
        title="azr replay",
    ).run()
    return 0
