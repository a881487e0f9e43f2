"""The most recent events, one line each (seq, log offset, description)."""

from __future__ import annotations

from ..snapshot import Snapshot
from ._panel import Panel

__all__ = ["EventFeed"]


class EventFeed(Panel):
    """Shows the last ``lines`` entries of the snapshot's recent events, newest last."""

    DEFAULT_CSS = "EventFeed { height: auto; }"

    def __init__(self, *, lines: int = 200, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self.lines = lines

    def show(self, snap: Snapshot) -> None:
        self.update("\n".join(snap.recent[-self.lines :]) or "no events yet")
