"""``azr tui``: the live Textual monitor of a running or finished log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import BadInput
from ._common import log_location, opened_log, run_async

if TYPE_CHECKING:
    from ..tui import MonitorApp

__all__ = ["add_parser", "handle", "newest_log", "save_screenshot"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "tui",
        help="live monitor of a run's log",
        description="Follow a log (another process may be writing it) in a Textual dashboard. "
        "Keys: o overview, t tasks, m models, e events, q quit.",
    )
    p.add_argument("--log", type=log_location, default=None, help="the log to follow (default: the newest runs/*.db)")
    p.add_argument("--poll", type=float, default=0.25, help="seconds between polls of the log for new events")
    p.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="SVG",
        help="save an SVG of the overview once caught up with the log, and exit",
    )
    p.add_argument("--size", default="80x24", help="terminal size for --screenshot, COLSxROWS (default 80x24)")
    p.set_defaults(handler=handle)


def newest_log(runs_dir: Path = Path("runs")) -> Path:
    """The most recently modified ``*.db`` under ``runs_dir``."""
    logs = sorted(runs_dir.glob("*.db"), key=lambda p: (p.stat().st_mtime, p.name))
    if not logs:
        raise BadInput(f"no --log given and no {runs_dir}/*.db to monitor")
    return logs[-1]


def _size(text: str) -> tuple[int, int]:
    try:
        cols, rows = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise BadInput(f"--size must be COLSxROWS, e.g. 80x24, got {text!r}") from None
    if cols < 40 or rows < 12:
        raise BadInput(f"--size must be at least 40x12, got {text!r}")
    return cols, rows


async def save_screenshot(app: MonitorApp, path: Path, size: tuple[int, int], *, timeout_s: float = 60.0) -> None:
    """Run ``app`` headless at ``size`` until it has caught up with its source, then save an SVG of the screen."""
    async with app.run_test(size=size) as pilot:
        waited = 0.0
        # A failed fold sets the return code: stop waiting for a catch-up that will not come.
        while not app.settled and app.return_code is None and waited < timeout_s:
            await pilot.pause(0.05)
            waited += 0.05
        if app.return_code is not None:
            return  # leaving run_test raises the worker's error; no picture of a dead monitor
        app.refresh_views()
        await pilot.pause()
        path.parent.mkdir(parents=True, exist_ok=True)
        app.save_screenshot(filename=path.name, path=str(path.parent))


async def _check_log(log: Path | str) -> None:
    """Open the log once, so a file that is not a log is bad input (exit 2), not a crash of the app."""
    async with opened_log(log):
        pass


def handle(args: argparse.Namespace) -> int:
    from ..eventlog import printable_location
    from ..tui import MonitorApp, follow_log

    log = args.log if args.log is not None else newest_log()
    if not isinstance(log, str) and not log.is_file():
        raise BadInput(f"{log}: no such log")
    if not args.poll > 0:
        raise BadInput(f"--poll must be > 0, got {args.poll}")
    run_async(_check_log(log))
    shown = printable_location(log)  # a log URL's password stays off the screen
    app = MonitorApp(follow_log(log, poll_s=args.poll), label=shown, log=shown, title="azr monitor")
    if args.screenshot is not None:
        run_async(save_screenshot(app, args.screenshot, _size(args.size)))
        print(f"azr: saved {args.screenshot}", file=sys.stderr)
        return 0
    app.run()
    return 1 if app.return_code else 0  # the app stopped on an error (its traceback is printed)
