"""``azr query``: read-only SQL over a log, or the ``--type/--task/--model`` shortcuts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..query import FORMATS, filter_sql, format_result, run_query

__all__ = ["add_parser", "handle"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "query",
        help="SQL over a log (read-only)",
        description="Run one read-only SQL statement over the log's table "
        "events(seq, key, kind, run_id, task_id, model, ts, payload), or filter events with --type/--task/--model.",
    )
    p.add_argument("sql", nargs="?", default=None, help="one SELECT statement (writes are refused)")
    p.add_argument("--log", type=Path, required=True)
    p.add_argument("--type", dest="kind", default=None, help="event kind, e.g. selection_made")
    p.add_argument("--task", default=None, help="task id, e.g. HumanEval/0")
    p.add_argument("--model", default=None)
    p.add_argument(
        "--limit", type=int, default=None, help="at most this many rows (shortcut filters only)"
    )
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    filters = any(v is not None for v in (args.kind, args.task, args.model, args.limit))
    if args.sql is not None and filters:
        raise BadInput("give an SQL statement or --type/--task/--model/--limit, not both")
    if args.limit is not None and args.limit < 0:
        raise BadInput(f"--limit must be >= 0, got {args.limit}")
    if args.sql is not None:
        sql, params = args.sql, list[Any]()
    else:
        sql, params = filter_sql(kind=args.kind, task=args.task, model=args.model, limit=args.limit)
    result = run_query(args.log, sql, params)
    sys.stdout.write(format_result(result, args.format) + "\n")
    return 0
