"""``azr watch``: the run's status as one refreshing block of plain text (no TUI).

Also home of the alert-threshold flags that ``azr watch``, ``azr export`` and
``azr run`` share (:func:`add_alert_arguments`, :func:`alert_thresholds`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..alerts import AlertThresholds
from ..errors import BadInput
from ._common import log_location, positive_float, run_async

__all__ = ["add_alert_arguments", "add_parser", "alert_thresholds", "handle"]

_CLEAR = "\x1b[H\x1b[2J"


def add_alert_arguments(p: argparse.ArgumentParser) -> None:
    """The alert-threshold flags (defaults from :class:`AlertThresholds`)."""
    d = AlertThresholds()
    g = p.add_argument_group("alert thresholds")
    g.add_argument("--min-disk-mb", type=positive_float, default=d.min_disk_free_mb, help="alert when free disk under the run's folder drops below this (MB)")
    g.add_argument("--min-mem-mb", type=positive_float, default=d.min_mem_available_mb, help="alert when available memory drops below this (MB)")
    g.add_argument("--leak-mb-per-min", type=positive_float, default=d.leak_mb_per_min, help="alert when resident memory grows faster than this (MB/min)")
    g.add_argument("--max-error-rate", type=positive_float, default=d.max_error_rate, help="alert when a model's failed-generation share exceeds this")
    g.add_argument("--max-retry-rate", type=positive_float, default=d.max_retry_rate, help="alert when a model's retries per request exceed this")
    g.add_argument("--max-p95-ms", type=positive_float, default=d.max_p95_ms, help="alert when a model's p95 latency exceeds this (ms)")


def alert_thresholds(args: argparse.Namespace) -> AlertThresholds:
    """The :class:`AlertThresholds` the flags of :func:`add_alert_arguments` ask for."""
    try:
        return AlertThresholds(
            min_disk_free_mb=args.min_disk_mb,
            min_mem_available_mb=args.min_mem_mb,
            leak_mb_per_min=args.leak_mb_per_min,
            max_error_rate=args.max_error_rate,
            max_retry_rate=args.max_retry_rate,
            max_p95_ms=args.max_p95_ms,
        )
    except ValueError as exc:
        raise BadInput(str(exc)) from None


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "watch",
        help="print a run's status as refreshing plain text",
        description="Follow a log and print its status (metrics, latency, harm, collusion, resources, alerts) "
        "as one block of text, refreshed every --interval seconds until the run finishes.",
    )
    p.add_argument("--log", type=log_location, required=True)
    p.add_argument("--interval", type=positive_float, default=2.0, help="seconds between refreshes (default 2)")
    p.add_argument("--once", action="store_true", help="print the status once and exit")
    add_alert_arguments(p)
    p.set_defaults(handler=handle)


async def _watch(log: Path, interval: float, once: bool, thresholds: AlertThresholds) -> None:
    from ..export import build_exports
    from ..replay.metrics import run_metrics
    from ..watch import follow_states, render_status

    clear = sys.stdout.isatty() and not once
    async for state in follow_states(log, interval_s=interval, follow=not once):
        text = render_status(state, build_exports(state, run_metrics(state, log=str(log)), thresholds=thresholds))
        sys.stdout.write((_CLEAR if clear else "") + text + ("" if clear else "\n"))
        sys.stdout.flush()


def handle(args: argparse.Namespace) -> int:
    from ._common import open_existing_log

    open_existing_log(args.log)  # a missing log is bad input (exit 2), checked before following
    run_async(_watch(args.log, args.interval, args.once, alert_thresholds(args)))
    return 0
