"""The overview: progress, per-model figures, latency, harm, collusion, health and resources."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Header

from ..snapshot import Snapshot
from ..widgets import (
    CollusionPanel,
    HarmPanel,
    HealthPanel,
    LatencyPanel,
    ModelTable,
    ResourcesPanel,
    RunProgress,
)
from ..widgets._panel import Panel
from ._base import View

__all__ = ["OverviewScreen"]


class OverviewScreen(View):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield RunProgress(id="progress")
            yield ModelTable(id="models")
            with Grid(id="panels"):
                yield LatencyPanel(id="latency")
                yield HarmPanel(id="harm")
                yield CollusionPanel(id="collusion")
                yield HealthPanel(id="health")
                yield ResourcesPanel(id="resources")
        yield Footer()

    def show(self, snap: Snapshot) -> None:
        for panel in self.query(Panel):
            panel.show(snap)
