"""Per model: every figure with its interval, plus the statistical tests."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header, Static

from ...text_format import p_value
from ..snapshot import Snapshot
from ..widgets import ModelTable
from ._base import View

__all__ = ["ModelsScreen"]


def _tests(metrics: dict[str, Any]) -> Text:
    text = Text()
    for model, pm in metrics.get("per_model", {}).items():
        es = pm.get("early_stopping", {})
        cost = pm.get("cost", {})
        tests = ", ".join(
            f"{k} p={p_value(v)}" for k, v in pm.get("budget_p_values", {}).items() if v is not None
        )
        svr = pm.get("selection_vs_random_p_value")
        text.append(f"{model}\n", style="bold")
        oracle = pm.get("oracle_pass_at_n")
        text.append(
            f"  oracle {'-' if oracle is None else f'{oracle * 100:.1f}%'}  McNemar {tests or '-'}"
        )
        text.append(f"  vs random p={p_value(svr)}\n")
        text.append(
            f"  samples {es.get('samples_generated', 0)}/{es.get('samples_at_full_budget', 0)} (saved {es.get('samples_saved', 0)})"
        )
        text.append(f"  tokens {cost.get('tokens', 0)}  cost ${cost.get('cost_usd') or 0:.4f}\n")
    return text


class ModelsScreen(View):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield ModelTable(detailed=True, id="models-detail")
            yield Static(id="model-tests")
        yield Footer()

    def show(self, snap: Snapshot) -> None:
        self.query_one(ModelTable).show(snap)
        self.query_one("#model-tests", Static).update(_tests(snap.metrics))
