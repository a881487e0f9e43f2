"""`azr query`: SQL over the log through a connection that cannot write, and the shortcut filters."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from fixtures_log import make_log, sample_events

from azr_actors.cli import main
from azr_actors.errors import BadInput
from azr_actors.query import QueryRefused, filter_sql, format_result, run_query

WRITES = [
    "DELETE FROM events",
    "UPDATE events SET kind = 'x'",
    "INSERT INTO events (key, kind, payload) VALUES ('k', 'x', '{}')",
    "DROP TABLE events",
    "CREATE TABLE t (a)",
    "CREATE TEMP TABLE t (a)",
    "PRAGMA query_only = OFF",
    "PRAGMA journal_mode = DELETE",
    "ATTACH DATABASE 'other.db' AS other",
    "VACUUM",
    "WITH x AS (SELECT 1) DELETE FROM events",
    "REPLACE INTO meta (key, value) VALUES ('app', 'other')",
]


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_log(tmp_path_factory.mktemp("query") / "run.db")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("sql", WRITES)
def test_a_statement_that_would_write_is_refused_and_the_log_is_untouched(
    log: Path, sql: str
) -> None:
    before = digest(log)
    with pytest.raises(QueryRefused, match="query refused: the log is read-only"):
        run_query(log, sql)
    assert digest(log) == before
    assert run_query(log, "SELECT count(*) FROM events").rows == ((len(sample_events()),),)


def test_several_statements_are_refused(log: Path) -> None:
    with pytest.raises(QueryRefused, match="exactly one SQL statement"):
        run_query(log, "SELECT 1; DELETE FROM events")


def test_cli_refusal_is_exit_2_with_one_line(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--log", str(log), "DELETE FROM events"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("azr: error: query refused") and err.count("\n") == 1


def test_bad_sql_and_missing_log_are_bad_input(log: Path, tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="query failed: no such column"):
        run_query(log, "SELECT nope FROM events")
    with pytest.raises(BadInput, match="no such log"):
        run_query(tmp_path / "none.db", "SELECT 1")


def test_reads_and_schema_pragmas_work(log: Path) -> None:
    result = run_query(log, "SELECT kind, count(*) AS n FROM events GROUP BY kind ORDER BY kind")
    counts = dict(result.rows)
    assert result.columns == ("kind", "n")
    assert counts["selection_made"] == 16 and counts["run_started"] == 1
    columns = [row[1] for row in run_query(log, "PRAGMA table_info(events)").rows]
    assert columns == ["seq", "key", "kind", "run_id", "task_id", "model", "ts", "payload"]


def test_shortcut_filters(log: Path) -> None:
    sql, params = filter_sql(kind="selection_made", task="HumanEval/1", model="beta")
    rows = run_query(log, sql, params).rows
    assert [(r[1], r[2], r[3]) for r in rows] == [("selection_made", "HumanEval/1", "beta")] * 2
    payloads = [json.loads(r[5]) for r in rows]
    assert [p["budget"] for p in payloads] == [1, 4]


def test_formats(log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--log", str(log), "--type", "run_finished", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["count"] == 1 and doc["rows"][0]["payload"]["status"] == "completed"
    assert (
        main(
            [
                "query",
                "--log",
                str(log),
                "--model",
                "alpha",
                "--type",
                "task_scheduled",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["seq", "kind", "task_id", "model", "ts", "payload"] and len(rows) == 5
    assert main(["query", "--log", str(log), "--task", "HumanEval/0", "--limit", "3"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert (
        table[0].split() == ["seq", "kind", "task_id", "model", "ts", "payload"]
        and table[-1] == "(3 rows)"
    )
    assert main(["query", "--log", str(log), "SELECT 1", "--type", "x"]) == 2


def test_table_format_shortens_long_cells() -> None:
    from azr_actors.query import QueryResult

    text = format_result(QueryResult(("a",), (("x" * 100,), (None,))), "table", max_width=10)
    assert text.splitlines()[2] == "x" * 9 + "…" and text.endswith("(2 rows)")
