"""``azr tui``: the live Textual monitor of a running or finished log."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import BadInput

__all__ = ["add_parser", "handle", "newest_log"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "tui",
        help="live monitor of a run's log",
        description="Follow a log (another process may be writing it) in a Textual dashboard. Keys: o t m e q.",
    )
    p.add_argument(
        "--log", type=Path, default=None, help="the log to follow (default: the newest runs/*.db)"
    )
    p.add_argument(
        "--poll", type=float, default=0.25, help="seconds between polls of the log for new events"
    )
    p.set_defaults(handler=handle)


def newest_log(runs_dir: Path = Path("runs")) -> Path:
    """The most recently modified ``*.db`` under ``runs_dir``."""
    logs = sorted(runs_dir.glob("*.db"), key=lambda p: (p.stat().st_mtime, p.name))
    if not logs:
        raise BadInput(f"no --log given and no {runs_dir}/*.db to monitor")
    return logs[-1]


def handle(args: argparse.Namespace) -> int:
    from ..tui import MonitorApp, follow_log

    log = args.log if args.log is not None else newest_log()
    if not log.is_file():
        raise BadInput(f"{log}: no such log")
    if not args.poll > 0:
        raise BadInput(f"--poll must be > 0, got {args.poll}")
    MonitorApp(
        follow_log(log, poll_s=args.poll), label=str(log), log=str(log), title="azr monitor"
    ).run()
    return 0
