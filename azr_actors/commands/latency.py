"""``azr latency``: what a user will feel, under normal load, high load and stress."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ._common import positive_int, print_json, run_async

SCENARIOS = ("normal", "high", "stress")


def add_parser(sub: Any) -> None:
    p = sub.add_parser("latency", help="latency scenarios against a model (p50/p95/p99, TTFT, throughput)",
                       description="Run latency scenarios and report percentiles, outliers and recommendations.")
    p.add_argument("--model", metavar="SPEC", default="sim:strong", help="model to measure (default sim:strong)")
    p.add_argument("--scenario", choices=[*SCENARIOS, "all"], default="all")
    p.add_argument("--requests", type=positive_int,
                   help="requests per scenario, per concurrency level in stress (default: the scenario's own); "
                        "fewer than a level's concurrency cannot reach it")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handle)


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from ..errors import BadInput
    from ..latency import run_scenario, summarize
    from ..providers.spec import open_provider

    provider = await open_provider(args.model, seed=args.seed, concurrency=64)
    try:
        if not provider.live:
            raise BadInput(f"{args.model}: latency needs a live or simulated model, not recorded samples")
        names = SCENARIOS if args.scenario == "all" else (args.scenario,)
        results = []
        for name in names:
            print(f"azr latency: scenario {name} ...", file=sys.stderr)
            results += await run_scenario(provider, name, requests=args.requests, seed=args.seed)
    finally:
        await provider.close()
    report = summarize(results)
    report["model"] = provider.name
    report["simulated"] = provider.simulated
    return report


def handle(args: argparse.Namespace) -> int:
    report = run_async(_measure(args))
    for name, s in report["scenarios"].items():
        print(f"  {name}: p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms, p99 {s['p99_ms']} ms, "
              f"errors {s['errors']}, {s['throughput_rps']} req/s", file=sys.stderr)
    for line in report.get("recommendations", []):
        print(f"  - {line}", file=sys.stderr)
    if args.json:
        print_json(report)
    return 0
