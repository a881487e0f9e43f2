"""What the monitor's screens are shown: a folded state, its metrics, and the recent events.

The background worker owns the :class:`RunState` and folds events into it; on
each refresh tick the app builds a :class:`Snapshot` and hands it to the active
screen. Widgets read snapshots only; they never touch the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..replay.projections import RunState

__all__ = ["Snapshot"]


@dataclass(frozen=True)
class Snapshot:
    """The monitor's view of a run at one refresh.

    ``metrics`` is ``run_metrics(state)`` (recomputed at most every few seconds
    while events arrive, and once more when the source ends); ``recent`` holds
    one line per recent event, oldest first; ``ended`` is set once a replay has
    played its last event (a live log never ends).
    """

    state: RunState
    metrics: dict[str, Any]
    recent: tuple[str, ...]
    ended: bool
    source: str
