"""Per model: pass@k, the judge's selected pass@1 per budget, uplift, its p-value and success level."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ..snapshot import Snapshot
from ._fmt import pct
from ._panel import Panel

__all__ = ["ModelTable"]


def _p(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _ci(interval: list[float | None] | None) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f" [{interval[0] * 100:.0f},{interval[1] * 100:.0f}]"


class ModelTable(Panel):
    """A table with one row per model; ``detailed`` adds intervals, oracle, early stopping and cost."""

    DEFAULT_CSS = "ModelTable { height: auto; }"

    def __init__(self, *, detailed: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detailed = detailed

    def show(self, snap: Snapshot) -> None:
        metrics = snap.metrics
        budgets = [str(b) for b in metrics.get("budgets", [])]
        table = Table(box=None, padding=(0, 1), expand=False, show_edge=False, header_style="bold")
        table.add_column("model")
        table.add_column("pass@1", justify="right")
        if len(budgets) > 1:
            table.add_column(f"pass@{budgets[-1]}", justify="right")
        for b in budgets:
            table.add_column(f"judge@{b}", justify="right")
        table.add_column("uplift", justify="right")
        table.add_column("p", justify="right")
        table.add_column("level")
        for model, pm in metrics.get("per_model", {}).items():
            table.add_row(*self._row(model, pm, budgets, snap))
        self.update(table)

    def _row(self, model: str, pm: dict[str, Any], budgets: list[str], snap: Snapshot) -> list[str]:
        info = snap.state.models.get(model)
        name = model + (" (sim)" if info is not None and info.simulated else "")
        ci = pm.get("ci95", {})
        cells = [
            name,
            pct(pm["pass_at_k"].get("1"))
            + (_ci(ci.get("pass_at_k", {}).get("1")) if self.detailed else ""),
        ]
        if len(budgets) > 1:
            cells.append(pct(pm["pass_at_k"].get(budgets[-1])))
        for b in budgets:
            extra = _ci(ci.get("selected_pass_at_1", {}).get(b)) if self.detailed else ""
            cells.append(pct(pm["selected_pass_at_1"].get(b)) + extra)
        uplift = pm.get("uplift_pp")
        cells += [
            "-" if uplift is None else f"{uplift:+.1f}pp",
            _p(pm.get("uplift_p_value")),
            str(pm.get("success_level", "-")),
        ]
        return cells
