"""Actor health: mailbox depths (now / peak), failures, retries and the latest alerts."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._panel import Panel

__all__ = ["HealthPanel"]


class HealthPanel(Panel):
    DEFAULT_CSS = "HealthPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        view = snap.health
        deepest = sorted(
            view.mailboxes, key=lambda name: (-view.peak_mailboxes.get(name, 0), name)
        )[:3]
        boxes = " ".join(
            f"{name}:{view.mailboxes[name]}/{view.peak_mailboxes.get(name, 0)}" for name in deepest
        )
        retries = sum(view.retries.values())
        text = Text("actors  deepest mailboxes now/peak\n", style="bold")
        text.append(boxes or "no mailbox sample yet")
        text.append("\nfailures ")
        text.append(str(view.failures), style="bold red" if view.failures else "green")
        text.append(f"  retries {retries}  alerts {view.alerts}")
        for line in view.last_failures:
            text.append(f"\n{line[:60]}", style="red")
        for line in view.last_alerts:
            text.append(f"\n{line[:60]}", style="bold yellow")
        self.update(text)
