"""Per model: pass@k, the judge's selected pass@1 per budget, uplift, its p-value and success level."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ...text_format import p_value
from ..snapshot import Snapshot
from ._fmt import pct
from ._panel import Panel

__all__ = ["ModelTable"]


def _ci(interval: list[float | None] | None) -> str:
    if not interval or interval[0] is None or interval[1] is None:
        return ""
    return f" [{interval[0] * 100:.0f},{interval[1] * 100:.0f}]"


def _uplift(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f}pp"


class ModelTable(Panel):
    """The models' figures.

    Compact (the overview): one row per model with pass@1, the judge's pick at
    the smallest and largest budgets, uplift, p and level; it fits 80 columns.
    Detailed (the models view): one column per model and one row per figure,
    every k and every budget, with 95% intervals, the oracle and early stopping.
    A simulated model's name carries ``*``.
    """

    DEFAULT_CSS = "ModelTable { height: auto; }"

    def __init__(self, *, detailed: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detailed = detailed

    def show(self, snap: Snapshot) -> None:
        per_model: dict[str, dict[str, Any]] = snap.metrics.get("per_model", {})
        budgets = [str(b) for b in snap.metrics.get("budgets", [])]
        names = {
            m: m + ("*" if (i := snap.state.models.get(m)) is not None and i.simulated else "")
            for m in per_model
        }
        self.update(
            self._detailed(per_model, budgets, names)
            if self.detailed
            else self._compact(per_model, budgets, names)
        )

    @staticmethod
    def _compact(
        per_model: dict[str, dict[str, Any]], budgets: list[str], names: dict[str, str]
    ) -> Table:
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        shown = budgets[:1] + budgets[-1:] if len(budgets) > 1 else budgets
        table.add_column("model", max_width=18, no_wrap=True)
        table.add_column("pass@1", justify="right")
        for b in shown:
            table.add_column(f"judge@{b}", justify="right")
        for column in ("uplift", "p", "level"):
            table.add_column(column, justify="right" if column != "level" else "left")
        for model, pm in per_model.items():
            table.add_row(
                Text(names[model]),  # a model's name is data, never markup
                pct(pm["pass_at_k"].get("1")),
                *(pct(pm["selected_pass_at_1"].get(b)) for b in shown),
                _uplift(pm.get("uplift_pp")),
                p_value(pm.get("uplift_p_value")),
                str(pm.get("success_level", "-")),
            )
        return table

    @staticmethod
    def _detailed(
        per_model: dict[str, dict[str, Any]], budgets: list[str], names: dict[str, str]
    ) -> Table:
        table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
        table.add_column("figure")
        for model in per_model:
            table.add_column(Text(names[model]), justify="right", max_width=18, no_wrap=True)
        models = list(per_model.values())
        ks = sorted({k for pm in models for k in pm["pass_at_k"]}, key=int)
        for k in ks:
            table.add_row(
                f"pass@{k}",
                *(
                    pct(pm["pass_at_k"].get(k)) + _ci(pm["ci95"]["pass_at_k"].get(k))
                    for pm in models
                ),
            )
        for b in budgets:
            table.add_row(
                f"judge@{b}",
                *(
                    pct(pm["selected_pass_at_1"].get(b))
                    + _ci(pm["ci95"]["selected_pass_at_1"].get(b))
                    for pm in models
                ),
            )
        table.add_row("oracle", *(pct(pm.get("oracle_pass_at_n")) for pm in models))
        table.add_row("uplift", *(_uplift(pm.get("uplift_pp")) for pm in models))
        table.add_row("p (McNemar)", *(p_value(pm.get("uplift_p_value")) for pm in models))
        table.add_row("level", *(str(pm.get("success_level", "-")) for pm in models))
        return table
