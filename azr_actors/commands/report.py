"""``azr report``: report.md, a self-contained report.html and PNG plots for a log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..replay.metrics import run_metrics
from ._common import check_out_dir, fold_existing_log, log_location, run_async

__all__ = ["add_parser", "handle"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="write a run's report (Markdown, HTML, PNG plots)",
        description="Fold the log and write report.md, report.html and PNG plots into --out.",
    )
    p.add_argument("--log", type=log_location, required=True)
    p.add_argument(
        "--out", type=Path, required=True, help="folder for report.md, report.html and the PNGs"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..reporting import write_report

    check_out_dir(args.out)
    state = run_async(fold_existing_log(args.log))
    written = write_report(state, run_metrics(state, log=str(args.log)), args.out)
    print(
        f"azr: wrote {', '.join(sorted(p.name for p in written.values()))} to {args.out}",
        file=sys.stderr,
    )
    return 0
