"""SQL over an event log, read-only, and the shortcut filters of ``azr query``.

The log is opened through a ``file:...?mode=ro`` URI with ``PRAGMA query_only=ON``
and an authorizer that denies every action but reading: a statement that would
write (INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, a writing PRAGMA...) is
refused with :class:`QueryRefused` (a :class:`BadInput`, exit 2) before it runs,
and the file is never modified. The table is
``events(seq, key, kind, run_id, task_id, model, ts, payload)``; payload is JSON.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import BadInput

__all__ = ["FORMATS", "QueryRefused", "QueryResult", "filter_sql", "format_result", "run_query"]

FORMATS = ("table", "json", "csv")

# Actions a read needs; everything else (writes, schema changes, ATTACH, transactions) is denied.
_ALLOWED = {
    sqlite3.SQLITE_SELECT,
    sqlite3.SQLITE_READ,
    sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE,
}
# PRAGMAs that only read: the first take a table or index name, the others no argument.
_SCHEMA_PRAGMAS = {"table_info", "table_xinfo", "table_list", "index_list", "index_info"}
_READ_PRAGMAS = {"user_version", "schema_version", "page_count", "page_size"}


class QueryRefused(BadInput):
    """The statement would write to the log (or is not a single statement)."""


@dataclass(frozen=True)
class QueryResult:
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def _authorizer(
    action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
) -> int:
    if action in _ALLOWED:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and arg1 is not None:
        name = arg1.lower()
        if name in _SCHEMA_PRAGMAS or (name in _READ_PRAGMAS and arg2 is None):
            return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A connection that cannot write: read-only URI, query_only, and a read-only authorizer."""
    if not path.is_file():
        raise BadInput(f"{path}: no such log")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        conn.execute("PRAGMA query_only=ON")
    except sqlite3.Error as exc:
        raise BadInput(f"{path}: cannot open the event log: {exc}") from None
    conn.set_authorizer(_authorizer)
    return conn


def _cell(value: Any) -> Any:
    return value.decode("utf-8", errors="replace") if isinstance(value, bytes) else value


def run_query(path: Path, sql: str, params: Sequence[Any] = ()) -> QueryResult:
    """Run one read-only statement on the log at ``path``.

    Raises QueryRefused for a statement that would write or for several
    statements, BadInput for any other SQL error (syntax, unknown column).
    """
    conn = connect_readonly(path)
    try:
        try:
            cursor = conn.execute(sql, tuple(params))
            rows = tuple(tuple(_cell(v) for v in row) for row in cursor.fetchall())
        except sqlite3.DatabaseError as exc:
            message = str(exc)
            if "authoriz" in message or "readonly" in message or "read-only" in message:
                raise QueryRefused(
                    f"query refused: the log is read-only and only statements that read are allowed ({message})"
                ) from None
            if isinstance(exc, sqlite3.ProgrammingError) and "one statement" in message:
                raise QueryRefused("query refused: give exactly one SQL statement") from None
            raise BadInput(f"query failed: {message}") from None
        columns = tuple(d[0] for d in cursor.description or ())
    finally:
        conn.close()
    return QueryResult(columns, rows)


def filter_sql(
    *,
    kind: str | None = None,
    task: str | None = None,
    model: str | None = None,
    limit: int | None = None,
) -> tuple[str, list[Any]]:
    """The statement behind ``--type/--task/--model`` (all optional), ordered by seq."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (("kind", kind), ("task_id", task), ("model", model)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "SELECT seq, kind, task_id, model, ts, payload FROM events"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY seq"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


def _json_value(column: str, value: Any) -> Any:
    if column == "payload" and isinstance(value, str):
        try:
            return _finite(json.loads(value))
        except ValueError:
            return value
    return _finite(value)


def _finite(value: Any) -> Any:
    """JSON has no inf or NaN (``SELECT 9e999``, a NaN in a payload): they become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    """A text cell that a spreadsheet would run as a formula, quoted with a leading ``'``
    (sample text and model names are untrusted); numbers and other text are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def format_result(result: QueryResult, fmt: str, *, max_width: int = 60) -> str:
    """The result as an aligned text table, one JSON object, or CSV (with a header row)."""
    if fmt == "json":
        rows = [
            {c: _json_value(c, v) for c, v in zip(result.columns, row, strict=True)}
            for row in result.rows
        ]
        return json.dumps(
            {"columns": list(result.columns), "rows": rows, "count": len(rows)}, allow_nan=False
        )
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([_csv_cell(c) for c in result.columns])
        writer.writerows([_csv_cell(v) for v in row] for row in result.rows)
        return buf.getvalue().rstrip("\n")
    if fmt != "table":
        raise BadInput(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    text = [[_short("" if v is None else str(v), max_width) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in text]) for i, c in enumerate(result.columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(result.columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in text]
    lines.append(f"({len(result.rows)} rows)")
    return "\n".join(lines)


def _short(text: str, width: int) -> str:
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "…"
