"""The tasks of one model, and the highlighted task's samples, verdicts and the judge's picks."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Footer, Header, Static

from ...replay.views import task_detail, task_rows
from ..snapshot import Snapshot
from ..widgets import TaskDetailPanel, TaskTable
from ._base import View

__all__ = ["TasksScreen"]


class TasksScreen(View):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right_square_bracket", "next_model", "next model"),
        Binding("left_square_bracket", "prev_model", "prev model"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model_index = 0
        self._snap: Snapshot | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="task-model")
        yield TaskTable(id="tasks")
        with VerticalScroll(id="detail-scroll"):
            yield TaskDetailPanel(id="detail")
        yield Footer()

    @property
    def model(self) -> str | None:
        models = list(self._snap.state.tasks) if self._snap else []
        return models[self.model_index % len(models)] if models else None

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
        model = self.model
        models = list(snap.state.tasks)
        label = (
            f"model {model} ({self.model_index % len(models) + 1}/{len(models)})  [ ] switch model"
            if model
            else "no tasks yet"
        )
        self.query_one("#task-model", Static).update(Text(label))  # the name is data, not markup
        self.query_one(TaskTable).show_rows(task_rows(snap.state, model) if model else [])
        self._show_detail()

    def _show_detail(self) -> None:
        table = self.query_one(TaskTable)
        model, task = self.model, table.current_task
        detail = (
            task_detail(self._snap.state, model, task) if self._snap and model and task else None
        )
        self.query_one(TaskDetailPanel).show_detail(detail)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _switch(self, step: int) -> None:
        self.model_index += step
        if self._snap is not None:
            self.show(self._snap)

    def action_next_model(self) -> None:
        self._switch(1)

    def action_prev_model(self) -> None:
        self._switch(-1)
