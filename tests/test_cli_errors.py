"""Bad input gets one line on stderr and exit code 2; nothing is written to an existing log."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from azr_actors.cli import main


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def azr(capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """Run the CLI in-process (same entry point as the installed `azr`)."""

    def run(*args: str) -> Done:
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse usage errors
            code = int(exc.code or 0)
        out, err = capsys.readouterr()
        return Done(code, out, err)

    return run


def _assert_bad_input(done: Done, needle: str) -> None:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert needle in lines[0]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"task_id": "HumanEval/0", "completion": "x"}\n{not json}\n', ":2: malformed JSON"),
        ('{"task_id": "HumanEval/999", "completion": "x"}\n', "unknown task id 'HumanEval/999'"),
        ('{"task_id": "HumanEval/0"}\n', "needs a 'completion'"),
        ('{"completion": "x"}\n', "missing or non-string 'task_id'"),
        ('{"task_id": "HumanEval/0", "completion": 5}\n', "must be a string"),
        ("", "empty sample file"),
        ("[1, 2]\n", "expected a JSON object"),
    ],
)
def test_malformed_sample_files(azr, tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text(content)
    _assert_bad_input(azr("eval", str(path)), needle)
    _assert_bad_input(azr("run", "--model", f"samples:{path}", "--log", str(tmp_path / "r.db")), needle)


def test_a_byte_order_mark_before_the_first_line_is_no_error(azr, tmp_path: Path) -> None:
    samples = tmp_path / "bom.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return False"}\n', encoding="utf-8-sig")
    done = azr("eval", str(samples), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["samples"] == 1
    pairs = tmp_path / "bom-pairs.jsonl"
    pairs.write_text('{"prompt": "hi", "response": "Hello! How can I help?"}\n', encoding="utf-8-sig")
    done = azr("harm", "classify", str(pairs))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["label"] == "answered_safe"


def test_missing_sample_file(azr, tmp_path: Path) -> None:
    _assert_bad_input(azr("eval", str(tmp_path / "nope.jsonl")), "no such sample file")


def test_budget_beyond_the_samples_in_the_file(azr, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"task_id": "HumanEval/0", "completion": "    return True"}\n' * 2)
    done = azr("run", "--model", f"samples:{path}", "--budgets", "1,4", "--log", str(tmp_path / "r.db"))
    _assert_bad_input(done, "holds only 2")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--model", "gpt4"], "bad model spec"),
        (["--model", "sim:x?skill=2"], "must be in [0, 1]"),
        (["--model", "sim:x?bogus=1"], "unknown parameter"),
        (["--tasks", "HumanEval/400"], "unknown task id"),
        (["--tasks", "0"], "positive number"),
        (["--suites", "code,poetry"], "unknown suite 'poetry'"),
    ],
)
def test_bad_run_arguments(azr, tmp_path: Path, args: list[str], needle: str) -> None:
    _assert_bad_input(azr("run", *args, "--log", str(tmp_path / "r.db")), needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--stall-timeout", "-1"], "finite number of seconds > 0"),
        (["--stall-timeout", "nan"], "finite number of seconds > 0"),
        (["--stall-timeout", "0"], "finite number of seconds > 0"),
        (["--concurrency", "0"], "a number >= 1"),
    ],
)
def test_run_limits_that_could_not_work_are_usage_errors(
    azr, tmp_path: Path, args: list[str], needle: str
) -> None:
    log = tmp_path / "never.db"
    done = azr("run", "--model", "sim:weak", "--tasks", "1", "--budgets", "1", "--suites", "code",
               "--log", str(log), *args)
    assert done.returncode == 2 and needle in done.stderr
    assert not log.exists()


@pytest.mark.parametrize("tasks", ["0", "-1"])
def test_collusion_task_count_below_one_is_bad_usage(azr, tasks: str) -> None:
    # 0 used to mean the default of 20, and -1 was read as a task id
    done = azr("collusion", "--tasks", tasks)
    assert done.returncode == 2 and "a number >= 1" in done.stderr


def test_bad_budgets_are_usage_errors(azr) -> None:
    done = azr("run", "--budgets", "1,x")
    assert done.returncode == 2
    assert "comma-separated integers" in done.stderr


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "not an azr-actors"),
        (b"hello, this is not a database at all" * 10, "not"),
    ],
)
def test_foreign_or_corrupt_logs_are_refused_untouched(azr, tmp_path: Path, content: bytes, needle: str) -> None:
    log = tmp_path / "foreign.db"
    log.write_bytes(content)
    done = azr("metrics", "--log", str(log))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert log.read_bytes() == content


def test_a_foreign_sqlite_file_is_refused_untouched(azr, tmp_path: Path) -> None:
    log = tmp_path / "app.db"
    with closing(sqlite3.connect(log)) as conn, conn:  # commits, then closes
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute("INSERT INTO users VALUES ('ada')")
    before = log.read_bytes()
    for args in (["metrics", "--log", str(log)], ["run", "--tasks", "1", "--suites", "code", "--log", str(log)]):
        done = azr(*args)
        _assert_bad_input(done, "not an azr-actors event log")
    assert log.read_bytes() == before


def test_metrics_on_a_missing_log(azr, tmp_path: Path) -> None:
    _assert_bad_input(azr("metrics", "--log", str(tmp_path / "none.db")), "no such log")


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"prompt": "p", "response": "r"}\n{not json}\n', ":2: malformed JSON"),
        ('{"prompt": "p"}\n', ":1: expected an object with 'prompt' and 'response'"),
        ("[1, 2]\n", ":1: expected a JSON object"),
        ("\n\n", "empty file"),
    ],
)
def test_malformed_harm_classify_files(azr, tmp_path: Path, content: str, needle: str) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(content)
    done = azr("harm", "classify", str(path))
    _assert_bad_input(done, needle)
    assert done.stdout == ""


def test_harm_classify_usage_and_judge_spec_errors(azr, tmp_path: Path) -> None:
    _assert_bad_input(azr("harm", "classify"), "usage: azr harm classify FILE.jsonl")
    _assert_bad_input(azr("harm", "classify", str(tmp_path / "nope.jsonl")), "no such file")
    path = tmp_path / "pairs.jsonl"
    path.write_text('{"prompt": "p", "response": "r"}\n')
    _assert_bad_input(azr("harm", "classify", str(path), "--judge-model", "nope:x"), "bad model spec 'nope:x'")


def test_bad_eval_time_limits_mode(azr, tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"task_id": "HumanEval/0", "completion": "    return False\\n"}\n')
    done = azr("eval", str(path), "--time-limits", "fast")
    assert done.returncode == 2
    assert "invalid choice: 'fast'" in done.stderr
