"""The monitor's widgets: each shows one part of a :class:`~azr_actors.tui.snapshot.Snapshot`."""

from __future__ import annotations

from .collusion import CollusionPanel
from .event_feed import EventFeed
from .harm import HarmPanel
from .health import HealthPanel
from .latency import LatencyPanel
from .models import ModelTable
from .progress import RunProgress
from .resources import ResourcesPanel
from .task_detail import TaskDetailPanel
from .task_table import TaskTable

__all__ = [
    "CollusionPanel",
    "EventFeed",
    "HarmPanel",
    "HealthPanel",
    "LatencyPanel",
    "ModelTable",
    "ResourcesPanel",
    "RunProgress",
    "TaskDetailPanel",
    "TaskTable",
]
