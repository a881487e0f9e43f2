"""``azr collusion``: are several models' answers independent?"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..text_format import p_value
from ._common import positive_int, print_json, run_async


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "collusion",
        help="cross-model similarity analysis (live models or recorded sample files)",
        description="Compare models' answers task by task (winnowed fingerprints over normalised tokens, AST shape), "
        "against the similarity of independent answers; rank pairs by risk.",
    )
    p.add_argument("--model", action="append", metavar="SPEC", default=[], help="live or simulated model (repeatable)")
    p.add_argument("--samples", action="append", type=Path, metavar="PATH", default=[],
                   help="recorded sample file (repeatable; the model is named after the file's stem)")
    p.add_argument("--tasks", type=positive_int, help="tasks to compare (default: 20 for live models, all for --samples)")
    p.add_argument("--log", type=Path, help="event log path (live models)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from ..collusion import analyze, load_sample_files, task_order

    if args.samples and args.model:
        raise BadInput("use either --model or --samples, not both")
    if args.samples:
        try:
            answers = load_sample_files(args.samples)
        except ValueError as exc:
            raise BadInput(str(exc).splitlines()[0]) from None
        if len(answers) < 2:
            raise BadInput("collusion needs at least two sample files")
        if args.tasks:
            keep = sorted(set.intersection(*(set(a) for a in answers.values())), key=task_order)[: args.tasks]
            answers = {m: {t: a[t] for t in keep if t in a} for m, a in answers.items()}
        report = analyze(answers, seed=args.seed)
    else:
        from ..run import RunConfig, execute

        models = tuple(args.model) or ("sim:strong", "sim:medium", "sim:weak")
        if len(models) < 2:
            raise BadInput("collusion needs at least two models")
        cfg = RunConfig(models=models, tasks=str(args.tasks or 20), budgets=(2,), suites=("code", "collusion"),
                        log=args.log, seed=args.seed)
        metrics, _ = run_async(execute(cfg))
        report = metrics.get("collusion") or {}
    _print(report)
    if args.json:
        print_json(report)
    return 0


def _print(report: dict[str, Any]) -> None:
    print(f"collusion risk: {report.get('risk_level')}", file=sys.stderr)
    for pair in report.get("pairs", []):
        print(
            f"  {pair['a']} ~ {pair['b']}: mean similarity {pair['mean_similarity']:.3f} "
            f"(p={p_value(pair['p_value'])}) {pair['risk_level']}",
            file=sys.stderr,
        )
    flagged = report.get("flagged", [])
    if flagged:
        print(f"  {len(flagged)} flagged task/pair cases", file=sys.stderr)
