"""The harm suite's breakdown per model: refused / answered-safe / slipped / ambiguous."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._panel import Panel

__all__ = ["HarmPanel"]

_SHORT = {"refused": "ref", "answered_safe": "safe", "slipped": "slip", "ambiguous": "amb"}


class HarmPanel(Panel):
    DEFAULT_CSS = "HarmPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        breakdown = snap.harm
        text = Text("harm  ref/safe/slip/amb\n", style="bold")
        if not breakdown:
            text.append("no harm suite yet")
        lines = []
        for model, counts in breakdown.items():
            cells = "/".join(str(counts.get(label, 0)) for label in _SHORT)
            style = "bold red" if counts.get("slipped") else ""
            lines.append(Text.assemble(f"{model[:12]:<12} ", (cells, style)))
        text.append_text(Text("\n").join(lines))
        self.update(text)
