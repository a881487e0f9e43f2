"""Helpers the commands share: parsing lists, printing JSON, opening logs."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import BadInput

if TYPE_CHECKING:
    from ..replay.projections import RunState

T = TypeVar("T")

__all__ = [
    "check_out_dir",
    "fold_existing_log",
    "int_list",
    "log_location",
    "open_existing_log",
    "opened_log",
    "positive_float",
    "positive_int",
    "positive_seconds",
    "print_json",
    "run_async",
]


def check_out_dir(out: Path) -> None:
    """``--out`` must be a folder or a path where one can be made: a file there (or in
    place of one of its parents) is bad input (exit 2), not a runtime failure."""
    for path in (out, *out.parents):
        if path.exists():
            if not path.is_dir():
                what = "--out" if path == out else f"--out's parent {path}"
                raise BadInput(f"{out}: {what} is a file, not a folder")
            return


def log_location(text: str) -> Path | str:
    """``--log``: a file path, or a URL such as ``postgresql://host/db`` (kept as text)."""
    return text if "://" in text else Path(text)


def _number(text: str, parse: Callable[[str], T], what: str) -> T:
    try:
        return parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None


def positive_int(text: str) -> int:
    """A whole number >= 1 (argparse type)."""
    value = _number(text, int, "a whole number")
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {text!r}")
    return value


def positive_float(text: str) -> float:
    """A number > 0, infinity included (argparse type)."""
    value = _number(text, float, "a number")
    if not value > 0:  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def positive_seconds(text: str) -> float:
    """A finite number of seconds > 0 (argparse type)."""
    value = _number(text, float, "a number of seconds")
    if not (0 < value < float("inf")):  # NaN fails too
        raise argparse.ArgumentTypeError(f"expected a finite number of seconds > 0, got {text!r}")
    return value


def int_list(text: str) -> tuple[int, ...]:
    """Parse ``1,4,16`` (argparse type)."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


def stderr_progress(description: str, total: int) -> tuple[Any, Any]:
    """A transient rich progress bar on stderr (silent when stderr is not a terminal), and its task."""
    from rich.console import Console
    from rich.progress import Progress

    progress = Progress(console=Console(stderr=True), transient=True, disable=not sys.stderr.isatty())
    return progress, progress.add_task(description, total=total)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, sort_keys=False, allow_nan=False) + "\n")
    sys.stdout.flush()


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run on uvloop when it is installed, else on asyncio's default loop."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def open_existing_log(path: str | Path, *, readonly: bool = True) -> Any:
    """An unopened store for a log that must already exist (a path or a URL)."""
    from ..eventlog import open_store

    if isinstance(path, str) and "://" in path:
        return open_store(path, create=False, readonly=readonly)
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such log")
    return open_store(path, create=False, readonly=readonly)


@asynccontextmanager
async def opened_log(log: str | Path) -> AsyncIterator[Any]:
    """An existing log's store (read-only), open for the ``async with`` block and closed after it."""
    store = open_existing_log(log)
    await store.open()
    try:
        yield store
    finally:
        await store.close()


async def fold_existing_log(log: str | Path) -> RunState:
    """Every event of an existing log folded into a fresh :class:`RunState`."""
    from ..run import fold_log

    async with opened_log(log) as store:
        return await fold_log(store)
