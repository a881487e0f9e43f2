"""Actor health: mailbox depths (now / peak), failures and retries."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._panel import Panel

__all__ = ["HealthPanel"]


class HealthPanel(Panel):
    DEFAULT_CSS = "HealthPanel { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        view = snap.health
        boxes = " ".join(
            f"{name}:{depth}/{view.peak_mailboxes.get(name, depth)}"
            for name, depth in view.mailboxes.items()
        )
        retries = sum(view.retries.values())
        text = Text("actors  mailbox now/peak\n", style="bold")
        text.append(boxes or "no mailbox sample yet")
        text.append("\nfailures ")
        text.append(str(view.failures), style="bold red" if view.failures else "green")
        text.append(f"  retries {retries}  alerts {view.alerts}")
        for line in view.last_failures:
            text.append(f"\n{line[:60]}", style="red")
        self.update(text)
