"""The monitor app: a thin shell that folds a source's events and feeds snapshots to the active view.

One background worker consumes the source (a followed log or a replay) and
folds each event into a :class:`RunState` with the same ``apply`` as
``azr metrics``; a timer builds a :class:`Snapshot` a few times a second and
hands it to the active screen. Metrics are recomputed when the worker has
caught up with the source or at most every ``metrics_every_s`` seconds, so a
10^6-event log is folded once, incrementally, and never re-read.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches

from ..eventlog import Event
from ..replay.metrics import run_metrics
from ..replay.projections import RunState, apply
from ..replay.views import describe
from .messages import Folded, SourceEnded
from .screens import EventsScreen, ModelsScreen, OverviewScreen, TasksScreen
from .snapshot import Snapshot
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
        self.metrics: dict[str, Any] = run_metrics(self.state, log=log)
        self.ended = False
        self.caught_up = False
        self._metrics_seq = -1
        self._metrics_at = 0.0

    def on_mount(self) -> None:
        self.run_worker(self._consume(), name="source", group="source", exclusive=True)
        self.set_interval(self.refresh_s, self.refresh_views)

    async def _consume(self) -> None:
        async for batch in self.source():
            self.caught_up = not batch
            for event in batch:
                self._fold(event)
            self.post_message(Folded(self.state.last_seq))
            await asyncio.sleep(0)  # let the screen draw between pages
        self.caught_up = True
        self.post_message(SourceEnded())

    def _fold(self, event: Event) -> None:
        apply(self.state, event)
        first = self.state.first_ts
        offset = event.ts - first if event.ts and first is not None else 0.0
        self.recent.append(f"{event.seq:>7} +{offset:8.2f}s {describe(event)}")

    def on_source_ended(self, message: SourceEnded) -> None:
        self.ended = True
        self.refresh_views()

    def on_folded(self, message: Folded) -> None:
        if self.caught_up:
            self.refresh_views()

    def snapshot(self) -> Snapshot:
        """The current view of the run; recomputes metrics when due (see module docstring)."""
        changed = self.state.last_seq != self._metrics_seq
        now = time.monotonic()
        if changed and (self.caught_up or now - self._metrics_at >= self.metrics_every_s):
            self.metrics = run_metrics(self.state, log=self.log_name)
            self._metrics_seq, self._metrics_at = self.state.last_seq, now
        return Snapshot(self.state, self.metrics, tuple(self.recent), self.ended, self.label)

    def refresh_views(self) -> None:
        if not self.screen_stack:
            return
        show = getattr(self.screen, "show", None)
        if show is None:
            return
        # NoMatches: the screen is still composing; the next tick draws it.
        with contextlib.suppress(NoMatches):
            show(self.snapshot())

    @property
    def settled(self) -> bool:
        """Caught up with the source and the metrics reflect every folded event (for tests)."""
        return self.caught_up and self._metrics_seq == self.state.last_seq
