"""The tasks of one model: samples, passing samples, the judge's picks and whether the final pick passes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from ...replay.views import TaskRow

__all__ = ["TaskTable"]


def _mark(value: bool | None) -> str:
    return {True: "pass", False: "fail", None: "-"}[value]


class TaskTable(DataTable[str | Text]):
    """Rows keyed by task id; keeps the cursor on the same task across refreshes."""

    DEFAULT_CSS = "TaskTable { height: 9; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._shown: list[TaskRow] = []

    def on_mount(self) -> None:
        self.add_columns("task", "samples", "passed", "picks", "pick", "settled")

    def show_rows(self, rows: list[TaskRow]) -> None:
        if rows == self._shown:
            return
        keep = self.cursor_row
        self.clear()
        for row in rows:
            picks = " ".join(f"{b}:{i}" for b, i in row.picks.items())
            self.add_row(
                Text(row.task_id, no_wrap=True, end=""),  # data: a str cell is parsed as markup
                str(row.samples),
                str(row.passed),
                picks,
                _mark(row.pick_passed),
                "yes" if row.settled else "no",
                key=row.task_id,
            )
        self._shown = list(rows)
        if rows:
            self.move_cursor(row=min(keep, len(rows) - 1))

    @property
    def current_task(self) -> str | None:
        if not self._shown:
            return None
        row: TaskRow = self._shown[min(int(self.cursor_row), len(self._shown) - 1)]
        return row.task_id
