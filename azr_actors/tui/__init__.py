"""The live monitor (``azr tui``) and the replay viewer (``azr replay``), in Textual.

This package imports textual; the core (events, projections, store) never imports it.
"""

from __future__ import annotations

from .app import MonitorApp
from .snapshot import Snapshot
from .sources import Source, follow_log, replay_log

__all__ = ["MonitorApp", "Snapshot", "Source", "follow_log", "replay_log"]
