"""Reading recorded sample files for ``azr collusion --samples``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azr_actors.collusion import SampleFileError, load_sample_files


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_reads_completion_and_solution_files_in_sample_order(tmp_path: Path) -> None:
    human_eval = _write(
        tmp_path / "model-a.jsonl",
        [
            json.dumps({"task_id": "T/0", "completion": "    return 1"}),
            "",
            json.dumps({"task_id": "T/0", "completion": "    return 2"}),
            json.dumps({"task_id": "T/1", "completion": ""}),
        ],
    )
    evalplus = _write(
        tmp_path / "model-b.jsonl", [json.dumps({"task_id": "T/0", "solution": "def f(): pass"})]
    )
    assert load_sample_files([human_eval, str(evalplus)]) == {
        "model-a": {"T/0": ["    return 1", "    return 2"], "T/1": [""]},
        "model-b": {"T/0": ["def f(): pass"]},
    }


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "malformed JSON (Expecting property name enclosed in double quotes)"),
        ("[1, 2]", "expected a JSON object"),
        ('{"completion": "x"}', "missing or non-string 'task_id'"),
        ('{"task_id": "", "completion": "x"}', "missing or non-string 'task_id'"),
        ('{"task_id": "T/0", "completion": 3}', "'completion' must be a string"),
        ('{"task_id": "T/0", "solution": ["x"]}', "'solution' must be a string"),
        ('{"task_id": "T/0", "answer": "x"}', "needs a 'completion' (human-eval) or 'solution' (EvalPlus) field"),
    ],
)
def test_malformed_line_names_file_and_line(tmp_path: Path, line: str, reason: str) -> None:
    path = _write(tmp_path / "bad.jsonl", [json.dumps({"task_id": "T/0", "completion": "x"}), line])
    with pytest.raises(SampleFileError) as caught:
        load_sample_files([path])
    assert str(caught.value) == f"{path}:2: {reason}"
    assert isinstance(caught.value, ValueError)
    assert "\n" not in str(caught.value)


def test_missing_empty_and_duplicate_files(tmp_path: Path) -> None:
    missing = tmp_path / "absent.jsonl"
    with pytest.raises(SampleFileError, match=r"absent\.jsonl: no such sample file"):
        load_sample_files([missing])
    empty = _write(tmp_path / "empty.jsonl", [""])
    with pytest.raises(SampleFileError, match=r"empty\.jsonl: empty sample file"):
        load_sample_files([empty])
    (tmp_path / "sub").mkdir()
    one = _write(tmp_path / "m.jsonl", [json.dumps({"task_id": "T/0", "completion": "x"})])
    two = _write(tmp_path / "sub" / "m.jsonl", [json.dumps({"task_id": "T/0", "completion": "y"})])
    with pytest.raises(SampleFileError, match="model name 'm' is used by another file"):
        load_sample_files([one, two])
