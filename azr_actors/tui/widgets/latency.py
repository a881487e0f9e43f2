"""Latency p50/p95/p99 per scenario, with a histogram sparkline of each."""

from __future__ import annotations

from rich.text import Text

from ...replay.views import histogram
from ..snapshot import Snapshot
from ._fmt import ms, spark
from ._panel import Panel

__all__ = ["LatencyPanel"]


class LatencyPanel(Panel):
    """One line per scenario: ``name n p50/p95/p99 ms`` and its latency histogram."""

    DEFAULT_CSS = "LatencyPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        rows = snap.latency
        text = Text("latency ms  p50/p95/p99\n", style="bold")
        if not rows:
            text.append("no latency yet")
        for i, row in enumerate(rows):
            counts, lo, hi = histogram(row.values_ms, bins=12)
            err = f" err {row.errors}" if row.errors else ""
            text.append(
                f"{row.scenario[:10]:<10} {ms(row.p50_ms)}/{ms(row.p95_ms)}/{ms(row.p99_ms)}{err}\n"
            )
            text.append(f"  {spark(counts)} {lo:.0f}-{hi:.0f}", style="cyan")
            if i < len(rows) - 1:
                text.append("\n")
        self.update(text)
