"""``azr demo``: the live-demo fallback assets (demo.cast, demo-15s.cast, script.md, metadata.json, flow.json)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..replay.metrics import run_metrics
from ..replay.projections import fold
from ._common import check_out_dir, log_location, run_async
from .replay import load_events

__all__ = ["add_parser", "handle"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="write the demo fallback assets from a log",
        description="From a finished log, write into --out: demo.cast (asciicast v2, at most 45 s), "
        "demo-15s.cast (the 15 s cut for a short slot), script.md (narration, fallbacks, Q&A sheet), "
        "metadata.json and flow.json.",
    )
    p.add_argument("--log", type=log_location, required=True)
    p.add_argument(
        "--out",
        type=Path,
        required=True,
        help="folder for demo.cast, demo-15s.cast, script.md, metadata.json and flow.json",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..demo import events_by_step, write_demo

    check_out_dir(args.out)
    events = run_async(load_events(args.log))
    state = fold(events)
    metrics = run_metrics(state, log=str(args.log))
    written = write_demo(state, metrics, args.out, events_by_step=events_by_step(state, events))
    print(f"azr: wrote {', '.join(sorted(written))} to {args.out}", file=sys.stderr)
    return 0
