"""The event feed: the most recent events of the log, newest last."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Footer, Header

from ..snapshot import Snapshot
from ..widgets import EventFeed
from ._base import View

__all__ = ["EventsScreen"]


class EventsScreen(View):
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="feed-scroll"):
            yield EventFeed(id="feed")
        yield Footer()

    def on_mount(self) -> None:
        # Stay at the newest event as the feed grows, until the user scrolls up.
        self.query_one("#feed-scroll", VerticalScroll).anchor()

    def show(self, snap: Snapshot) -> None:
        self.query_one(EventFeed).show(snap)
