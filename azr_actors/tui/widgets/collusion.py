"""Collusion risk per model pair (from the run's CollusionAnalyzed report)."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._panel import Panel

__all__ = ["CollusionPanel"]

_STYLE = {"HIGH": "bold red", "MODERATE": "yellow", "LOW": "green", "MINIMAL": "green"}


class CollusionPanel(Panel):
    DEFAULT_CSS = "CollusionPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        level, pairs = snap.collusion
        text = Text.assemble(("collusion risk ", "bold"), (level, _STYLE.get(level, "")), "\n")
        if not pairs:
            text.append("no analysis yet")
        lines = [
            Text.assemble(
                f"{p.get('a', '?')[:11]}~{p.get('b', '?')[:11]} {float(p.get('mean_similarity') or 0):.2f} ",
                (str(p.get("risk_level", "-")), _STYLE.get(str(p.get("risk_level")), "")),
            )
            for p in pairs
        ]
        text.append_text(Text("\n").join(lines))
        self.update(text)
