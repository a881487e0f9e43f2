"""The monitor app: a thin shell that folds a source's events and feeds snapshots to the active view.

One background worker consumes the source (a followed log or a replay) and
folds each page of events into a :class:`RunState` with the same ``apply`` as
``azr metrics``. A timer rebuilds the :class:`Snapshot` (metrics and every
panel's figures) off the event loop, in a thread, while the fold is paused by a
lock, so a 10^6-event log is folded once, incrementally, and the screen stays
responsive. A snapshot is rebuilt at once when the worker has caught up with
the source; while it catches up, at most every ``metrics_every_s`` seconds, or
every three build times when a build takes longer (folding keeps at least three
quarters of the time).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections import deque
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches

from ..eventlog import Event
from ..replay.projections import RunState, apply
from ..replay.views import describe
from .messages import Folded, SourceEnded
from .screens import EventsScreen, ModelsScreen, OverviewScreen, TasksScreen
from .snapshot import Snapshot, build_snapshot
from .sources import Source

__all__ = ["MonitorApp"]


class MonitorApp(App[None]):
    """The ``azr tui`` / ``azr replay`` dashboard over one event source."""

    CSS_PATH = "app.tcss"
    TITLE = "azr monitor"
    MODES: ClassVar[dict[str, Any]] = {
        "overview": OverviewScreen,
        "tasks": TasksScreen,
        "models": ModelsScreen,
        "events": EventsScreen,
    }
    DEFAULT_MODE = "overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "switch_mode('overview')", "overview"),
        Binding("t", "switch_mode('tasks')", "tasks"),
        Binding("m", "switch_mode('models')", "models"),
        Binding("e", "switch_mode('events')", "events"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        source: Source,
        *,
        label: str = "",
        log: str = "",
        title: str | None = None,
        refresh_s: float = 0.5,
        metrics_every_s: float = 2.0,
        recent: int = 500,
    ) -> None:
        super().__init__()
        self.source = source
        self.label = label
        self.log_name = log
        if title:
            self.title = title
        self.refresh_s = refresh_s
        self.metrics_every_s = metrics_every_s
        self.state = RunState()
        self.recent: deque[str] = deque(maxlen=recent)
        self.ended = False
        self.caught_up = False
        self._fold_lock = asyncio.Lock()
        self._building = False
        self._built_at = 0.0
        self._build_cost = 0.0
        self._snap = build_snapshot(self.state, log=log, recent=(), ended=False, source=label)

    # -- the fold ------------------------------------------------------------------
    def on_mount(self) -> None:
        self.run_worker(self._consume(), name="source", group="source", exclusive=True)
        self.set_interval(self.refresh_s, self._tick)

    async def _consume(self) -> None:
        batches = self.source()
        try:
            async for batch in batches:
                async with self._fold_lock:
                    self.caught_up = not batch
                    for event in batch:
                        self._fold(event)
                if batch:
                    # The folded state only grows and lives as long as the app: keep the cyclic
                    # GC from rescanning it (full collections of a 10^6-event state stall the UI).
                    gc.freeze()
                self.post_message(Folded(self.state.last_seq))
                await asyncio.sleep(0)  # let the screen draw between pages
        finally:
            # Close the source (and its log) here, on this loop, even when the app quits.
            await batches.aclose()
        self.caught_up = True
        self.post_message(SourceEnded())

    def on_unmount(self) -> None:
        gc.unfreeze()  # hand what the fold froze back to the collector

    def _fold(self, event: Event) -> None:
        apply(self.state, event)
        first = self.state.first_ts
        offset = event.ts - first if event.ts and first is not None else 0.0
        self.recent.append(f"{event.seq:>7} +{offset:8.2f}s {describe(event)}")

    def on_folded(self, message: Folded) -> None:
        if self.caught_up:
            self._tick()

    def on_source_ended(self, message: SourceEnded) -> None:
        self.ended = True
        self._tick()

    # -- snapshots -----------------------------------------------------------------
    @property
    def stale(self) -> bool:
        return self._snap.last_seq != self.state.last_seq or self._snap.ended != self.ended

    def _tick(self) -> None:
        # While catching up, folding gets at least three quarters of the time.
        every = max(self.metrics_every_s, 3.0 * self._build_cost)
        due = self.caught_up or time.monotonic() - self._built_at >= every
        if self.stale and due and not self._building:
            self._building = True
            self.run_worker(self._rebuild(), name="snapshot", group="snapshot")

    async def _rebuild(self) -> None:
        try:
            async with self._fold_lock:  # the state stays still while the thread reads it
                started = time.monotonic()
                recent, ended = tuple(self.recent), self.ended
                self._snap = await asyncio.to_thread(
                    build_snapshot,
                    self.state,
                    log=self.log_name,
                    recent=recent,
                    ended=ended,
                    source=self.label,
                )
            self._built_at = time.monotonic()
            self._build_cost = self._built_at - started
        finally:
            self._building = False
        self.refresh_views()
        if self.caught_up and self.stale:
            self._tick()

    @property
    def snapshot(self) -> Snapshot:
        """The latest snapshot (what the screens show)."""
        return self._snap

    @property
    def metrics(self) -> dict[str, Any]:
        """``run_metrics`` of the state as of the latest snapshot."""
        return self._snap.metrics

    def refresh_views(self) -> None:
        """Show the latest snapshot on the active screen."""
        if not self.screen_stack:
            return
        show = getattr(self.screen, "show", None)
        if show is None:
            return
        # NoMatches: the screen is still composing; the next snapshot draws it.
        with contextlib.suppress(NoMatches):
            show(self._snap)

    @property
    def settled(self) -> bool:
        """Caught up with the source, and the latest snapshot reflects every folded event."""
        return self.caught_up and not self._building and not self.stale
