"""``azr metrics``: rebuild every figure from the log alone."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..replay.metrics import run_metrics
from ._common import fold_existing_log, log_location, print_json, run_async
from .summary import print_summary


def add_parser(sub: Any) -> None:
    p = sub.add_parser("metrics", help="rebuild every metric from a log", description="Fold the log and print its metrics.")
    p.add_argument("--log", type=log_location, required=True, help="a log path or postgresql://...")
    p.add_argument("--json", action="store_true", help="the same JSON object as `azr run --json`")
    p.set_defaults(handler=handle)


async def load_metrics(log: Path | str) -> dict[str, Any]:
    """The metrics of an existing log (a path or a URL), rebuilt by folding it."""
    return run_metrics(await fold_existing_log(log), log=str(log))


def handle(args: argparse.Namespace) -> int:
    metrics = run_async(load_metrics(args.log))
    if args.json:
        print_json(metrics)
    else:
        print_summary(metrics)
    return 0
