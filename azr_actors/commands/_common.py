"""Helpers the commands share: parsing lists, printing JSON, opening logs."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from ..errors import BadInput

T = TypeVar("T")

__all__ = ["int_list", "log_location", "open_existing_log", "print_json", "run_async"]


def log_location(text: str) -> Path | str:
    """``--log``: a file path, or a URL such as ``postgresql://host/db`` (kept as text)."""
    return text if "://" in text else Path(text)


def int_list(text: str) -> tuple[int, ...]:
    """Parse ``1,4,16`` (argparse type)."""
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"expected positive integers, got {text!r}")
    return values


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
    """An unopened store for a log that must already exist."""
    from ..eventlog import open_store

    if isinstance(path, str) and "://" in path:
        return open_store(path, create=False, readonly=readonly)
    path = Path(path)
    if not path.exists():
        raise BadInput(f"{path}: no such log")
    return open_store(path, create=False, readonly=readonly)
