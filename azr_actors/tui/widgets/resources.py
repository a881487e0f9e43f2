"""CPU, memory and disk from the latest ResourceSampled, with a CPU sparkline."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._fmt import spark
from ._panel import Panel

__all__ = ["ResourcesPanel"]


class ResourcesPanel(Panel):
    DEFAULT_CSS = "ResourcesPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        view = snap.resources
        text = Text("resources\n", style="bold")
        if view is None:
            text.append("no sample yet")
        else:
            text.append(f"cpu {view.cpu_percent:.0f}% ")
            text.append(spark(view.cpu_history), style="cyan")
            text.append(
                f"\nrss {view.rss_mb:.0f}MB free mem {view.mem_available_mb / 1024:.1f}G disk {view.disk_free_mb / 1024:.1f}G"
            )
        self.update(text)
