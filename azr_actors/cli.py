"""The ``azr`` command line.

Each command lives in ``azr_actors.commands.<name>`` with ``add_parser(subparsers)``
and ``run(args) -> int``. Exit codes follow ARCHITECTURE.md: 0 on success, 2 on
bad usage or bad input (one line on stderr), 1 on a runtime failure. Human
output goes to stderr; ``--json`` prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from . import __version__
from .errors import AzrError, BadInput

__all__ = ["COMMANDS", "main"]

COMMANDS = ("run", "eval", "metrics", "harm", "collusion", "latency", "tui", "replay", "query", "report", "demo", "export", "watch", "slides")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="azr",
        description="Evaluate and improve LLM code generation; every number is rebuilt from an event log.",
    )
    parser.add_argument("--version", action="version", version=f"azr-actors {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"azr_actors.commands.{name}").add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .eventlog import LogError

    try:
        return int(args.handler(args) or 0)
    except (BadInput, LogError) as exc:
        print(f"azr: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("azr: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except AzrError as exc:
        print(f"azr: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a runtime failure: one line, the traceback only on request
        if os.environ.get("AZR_DEBUG"):
            raise
        print(f"azr: error: {type(exc).__name__}: {exc} (set AZR_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
