"""``azr slides``: a self-contained HTML slide deck of a run (``slides.html``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..replay.metrics import run_metrics
from ._common import check_out_dir, fold_existing_log, log_location, print_json, run_async

__all__ = ["add_parser", "handle"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "slides",
        help="write a run's slide deck (one offline HTML file)",
        description="Fold the log and write slides.html into --out: headline metrics and success assessment, "
        "pass@k and uplift with intervals, latency, harm, collusion, operations and the demo fallback. "
        "Keys: arrows, Space, PageUp/PageDown, Home/End.",
    )
    p.add_argument("--log", type=log_location, required=True)
    p.add_argument("--out", type=Path, required=True, help="folder for slides.html")
    p.add_argument("--json", action="store_true", help='print {"slides": PATH}')
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..slides import write_slides

    check_out_dir(args.out)
    state = run_async(fold_existing_log(args.log))
    path = write_slides(state, run_metrics(state, log=str(args.log)), args.out)
    if args.json:
        print_json({"slides": str(path)})
    else:
        print(f"azr: wrote {path}", file=sys.stderr)
    return 0
