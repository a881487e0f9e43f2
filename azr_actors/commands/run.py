"""``azr run``: the main job (see ARCHITECTURE.md for the contract)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..run import Progress, RunConfig, estimate_run, execute
from ._common import int_list, log_location, positive_int, positive_seconds, print_json, run_async
from .summary import LiveProgress, print_summary
from .watch import add_alert_arguments, alert_thresholds


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="run the evaluation (code, harm, collusion, latency suites) into an event log",
        description="Run or resume an evaluation. Without --model it uses three simulated models offline.",
    )
    p.add_argument("--model", action="append", metavar="SPEC", default=[],
                   help="openai:MODEL[@URL], anthropic:MODEL, samples:PATH, replay:LOG, sim:NAME (repeatable)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--dry-run", action="store_true", help="the first 50 HumanEval tasks (default)")
    size.add_argument("--full-run", action="store_true", help="all 164 HumanEval tasks")
    p.add_argument("--tasks", metavar="N|all|ID,ID...", help="which tasks (overrides --dry-run/--full-run)")
    p.add_argument("--budgets", type=int_list, metavar="1,4,16", help="progressive sampling budgets (default 1,4,16)")
    p.add_argument("--suites", metavar="code,harm,collusion,latency", help="suites to run (default: all the models can serve)")
    p.add_argument("--log", type=log_location, help="event log: a path (default runs/<run_id>.db) or postgresql://...")
    p.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    p.add_argument("--judge-model", metavar="SPEC", help="a model that judges harm-suite answers besides the rules")
    p.add_argument("--concurrency", type=positive_int, default=16, help="requests in flight per model (default 16)")
    p.add_argument("--workers", type=int, help="sandbox workers (default: one per CPU)")
    p.add_argument("--stall-timeout", type=positive_seconds, default=600.0, metavar="S",
                   help="stop with an error if no event arrives for S seconds (default 600)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="where executors and generators run (default: this machine)")
    p.add_argument("--ray-address", metavar="HOST:PORT", help="join this Ray cluster (default: a private local Ray)")
    p.add_argument("--estimate", action="store_true",
                   help="print the expected calls, tokens and cost per suite and model, call no model, and exit")
    p.add_argument("--stop-when-decided", action="store_true",
                   help="stop sampling further budgets once the success level can no longer change")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object on stdout")
    add_alert_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    cfg = RunConfig(
        models=tuple(args.model),
        tasks=args.tasks,
        full_run=args.full_run,
        budgets=args.budgets,
        suites=tuple(s.strip() for s in args.suites.split(",") if s.strip()) if args.suites else None,
        log=args.log,
        seed=args.seed,
        judge_model=args.judge_model,
        concurrency=args.concurrency,
        workers=args.workers,
        stall_timeout_s=args.stall_timeout,
        stop_when_decided=args.stop_when_decided,
        alert_thresholds=alert_thresholds(args),
        engine=args.engine,
        ray_address=args.ray_address,
    )
    if args.estimate:
        estimate = run_async(estimate_run(cfg))
        print(estimate.pop("text"), file=sys.stderr)
        if args.json:
            print_json(estimate)
        return 0
    with LiveProgress(enabled=sys.stderr.isatty()) as live:
        metrics, _ = run_async(execute(cfg, Progress(on_update=live.update)))
    print_summary(metrics)
    if args.json:
        print_json(metrics)
    return 0
