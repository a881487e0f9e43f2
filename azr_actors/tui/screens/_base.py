"""The base of the monitor's screens: redraw from the latest snapshot when shown."""

from __future__ import annotations

from textual.screen import Screen

from ..snapshot import Snapshot

__all__ = ["View"]


class View(Screen[None]):
    """A screen that the app feeds snapshots through :meth:`show`."""

    def show(self, snap: Snapshot) -> None:
        raise NotImplementedError

    def on_screen_resume(self) -> None:
        # A view switched to shows the current figures at once, not at the next tick.
        refresh = getattr(self.app, "refresh_views", None)
        if refresh is not None:
            self.call_after_refresh(refresh)
