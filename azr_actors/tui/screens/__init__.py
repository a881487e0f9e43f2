"""One screen per view: overview, tasks, models, events. Each has ``show(snapshot)``."""

from __future__ import annotations

from .events import EventsScreen
from .models import ModelsScreen
from .overview import OverviewScreen
from .tasks import TasksScreen

__all__ = ["EventsScreen", "ModelsScreen", "OverviewScreen", "TasksScreen"]
