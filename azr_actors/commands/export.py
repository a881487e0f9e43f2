"""``azr export``: JSON files for dashboards (``latest_metrics.json``, ``latency.json``,
``harm_suite.json``, ``collusion.json``), optionally kept current while a run is live."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..alerts import AlertThresholds
from ._common import (
    check_out_dir,
    log_location,
    open_existing_log,
    positive_float,
    print_json,
    run_async,
)
from .watch import add_alert_arguments, alert_thresholds

__all__ = ["add_parser", "handle"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "export",
        help="write dashboard JSON files for a log",
        description="Fold the log and write latest_metrics.json, latency.json, harm_suite.json and collusion.json "
        "into --out (each written atomically). With --follow, rewrite them as the log grows until the run finishes.",
    )
    p.add_argument("--log", type=log_location, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder for the JSON files")
    p.add_argument("--follow", action="store_true", help="keep the files current while the run is live")
    p.add_argument("--interval", type=positive_float, default=2.0, help="seconds between updates with --follow (default 2)")
    p.add_argument("--json", action="store_true", help="print {file name: path} of what was written")
    add_alert_arguments(p)
    p.set_defaults(handler=handle)


async def _export(log: Path, out: Path, follow: bool, interval: float, thresholds: AlertThresholds) -> dict[str, Path]:
    from ..export import build_exports, write_exports
    from ..replay.metrics import run_metrics
    from ..watch import follow_states

    written: dict[str, Path] = {}
    async for state in follow_states(log, interval_s=interval, follow=follow):
        written = write_exports(build_exports(state, run_metrics(state, log=str(log)), thresholds=thresholds), out)
        if follow:
            print(f"azr: exported {state.events} events to {out}", file=sys.stderr)
    return written


def handle(args: argparse.Namespace) -> int:
    open_existing_log(args.log)  # a missing log is bad input (exit 2)
    check_out_dir(args.out)
    written = run_async(_export(args.log, args.out, args.follow, args.interval, alert_thresholds(args)))
    if args.json:
        print_json({name: str(path) for name, path in written.items()})
    else:
        print(f"azr: wrote {', '.join(sorted(written))} to {args.out}", file=sys.stderr)
    return 0
