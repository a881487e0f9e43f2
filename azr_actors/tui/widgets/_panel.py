"""The base of the monitor's panels: a Static that draws itself from a snapshot."""

from __future__ import annotations

from textual.widgets import Static

from ..snapshot import Snapshot

__all__ = ["Panel"]


class Panel(Static):
    """A widget that shows one part of a :class:`Snapshot`; it never reads the log itself."""

    def show(self, snap: Snapshot) -> None:
        raise NotImplementedError
