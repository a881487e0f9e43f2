"""What the monitor's screens are shown: a run's figures at one moment, computed in one go.

:func:`build_snapshot` derives every figure the panels show from a folded
:class:`RunState` (the same ``run_metrics`` and view models as ``azr metrics``,
reports and replay). It is pure and may take a while on a large run, so the app
runs it off the event loop while the fold is paused; widgets only ever read a
finished snapshot, never the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..replay.metrics import run_metrics
from ..replay.projections import RunState
from ..replay.views import (
    HealthView,
    LatencyRow,
    ProgressView,
    ResourcesView,
    collusion_pairs,
    harm_by_model,
    health_view,
    latency_rows,
    progress_view,
    resources_view,
)

__all__ = ["Snapshot", "build_snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """The monitor's view of a run after the event with seq ``last_seq``.

    ``state`` is the live state (the task view reads a task's detail from it on
    demand); every other field is a value computed when the snapshot was built.
    ``recent`` holds one line per recent event, oldest first; ``ended`` is set
    once a replay has played its last event (a followed log never ends).
    """

    state: RunState
    last_seq: int
    metrics: dict[str, Any]
    progress: ProgressView
    latency: tuple[LatencyRow, ...]
    harm: dict[str, dict[str, int]]
    collusion: tuple[str, tuple[dict[str, Any], ...]]
    health: HealthView
    resources: ResourcesView | None
    recent: tuple[str, ...]
    ended: bool
    source: str


def build_snapshot(
    state: RunState, *, log: str, recent: tuple[str, ...], ended: bool, source: str
) -> Snapshot:
    """Every figure of the panels for ``state`` (pure; the caller keeps ``state`` still meanwhile)."""
    level, pairs = collusion_pairs(state)
    return Snapshot(
        state=state,
        last_seq=state.last_seq,
        metrics=run_metrics(state, log=log),
        progress=progress_view(state),
        latency=tuple(latency_rows(state)),
        harm=harm_by_model(state),
        collusion=(level, tuple(pairs)),
        health=health_view(state, last=1),
        resources=resources_view(state, history=20),
        recent=recent,
        ended=ended,
        source=source,
    )
