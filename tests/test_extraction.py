"""Code extraction: explicit rules, tested on hand-made answers and on the real sample files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from azr_actors.extraction import extract
from azr_actors.humaneval import problems

PROMPT = 'def add(a, b):\n    """Add two numbers.\n    >>> add(1, 2)\n    3\n    """\n'


def test_blank_text_is_empty() -> None:
    assert extract("  \n\t", PROMPT, "add").method == "empty"
    assert extract("", PROMPT, "add").code == ""


def test_body_is_kept_as_is() -> None:
    body = "    return a + b\n"
    assert extract(body, PROMPT, "add") == extract(body, PROMPT, "add")
    result = extract(body, PROMPT, "add")
    assert (result.code, result.method) == (body, "as_is")


def test_full_function_is_kept_as_is() -> None:
    full = "def add(a, b):\n    return a + b\n"
    result = extract(full, PROMPT, "add")
    assert (result.code, result.method) == (full, "as_is")


def test_fenced_block_defining_the_entry_point_wins() -> None:
    raw = (
        "Sure! A helper first:\n```python\ndef helper():\n    return 1\n```\n"
        "and the answer:\n```python\ndef add(a, b):\n    return a + b\n```\nHope this helps."
    )
    result = extract(raw, PROMPT, "add")
    assert result.method == "fenced"
    assert result.code == "def add(a, b):\n    return a + b\n"


def test_unterminated_fence_still_yields_code() -> None:
    result = extract("```python\ndef add(a, b):\n    return a + b\n", PROMPT, "add")
    assert result.method == "fenced"
    assert "return a + b" in result.code


def test_non_python_fences_are_ignored() -> None:
    raw = "```bash\nrm -rf /\n```\n    return a + b\n"
    assert extract(raw, PROMPT, "add").method != "fenced"


def test_chat_prose_around_code_is_trimmed() -> None:
    raw = "Here is my solution:\ndef add(a, b):\n    return a + b\nThis adds the two numbers."
    result = extract(raw, PROMPT, "add")
    assert result.method == "trimmed"
    assert result.code == "def add(a, b):\n    return a + b\n"
    compile(PROMPT + "\n" + result.code, "<t>", "exec")


def test_unfixable_text_is_left_unchanged() -> None:
    raw = "I cannot solve this."
    result = extract(raw, PROMPT, "add")
    assert (result.code, result.method) == (raw, "as_is")


def test_extraction_never_runs_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    raw = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('x')\n"
    extract(raw, PROMPT, "add")
    assert not marker.exists()


def _rows(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_real_files_keep_every_compiling_answer_unchanged(humaneval_samples: Path) -> None:
    """On real generations, extraction leaves alone everything the standard assembly can already run."""
    for path in sorted(humaneval_samples.glob("*.jsonl")):
        for row in _rows(path):
            p = problems()[row["task_id"]]
            text = row.get("completion", row.get("solution", ""))
            result = extract(text, p.prompt, p.entry_point)
            try:
                compile(p.prompt + text, "<s>", "exec")
                compiles = True
            except SyntaxError:
                compiles = False
            if compiles and text.strip():
                assert result == type(result)(text, "as_is"), (path.name, row["task_id"])
            elif result.code != text:
                assert result.method in ("empty", "trimmed", "fenced"), (path.name, row["task_id"])


@pytest.mark.parametrize("name", ["mistral-7b-instruct-v0.2_evalplus-pr247.jsonl"])
def test_empty_completions_are_named(humaneval_samples: Path, name: str) -> None:
    path = humaneval_samples / name
    if not path.exists():
        pytest.skip(f"{name} absent")
    methods = [extract(r["completion"], problems()[r["task_id"]].prompt, "f").method for r in _rows(path)]
    assert methods.count("empty") == sum(1 for r in _rows(path) if not r["completion"].strip())
    assert methods.count("empty") >= 1
