"""One task: its samples with verdicts, the judge's pick at each budget and why, and the probes."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from ...replay.views import TaskDetail

__all__ = ["TaskDetailPanel"]


class TaskDetailPanel(Static):
    DEFAULT_CSS = "TaskDetailPanel { height: auto; }"

    def show_detail(self, detail: TaskDetail | None) -> None:
        if detail is None:
            self.update("no task selected")
            return
        text = Text.assemble(
            (f"{detail.task_id}  {detail.model}", "bold"), f"  probes: {len(detail.probes)}\n"
        )
        picked = {s.sample_idx for s in detail.selections}
        for s in detail.samples:
            style = "green" if s.passed else ("red" if s.passed is False else "")
            star = "*" if s.idx in picked else " "
            visible = sum(o is not None for o in s.visible)
            ms = "-" if s.total_ms is None else f"{s.total_ms:.0f}ms"
            text.append(f"{star}#{s.idx:<2} ")
            text.append(f"{s.status:<8}", style=style)
            text.append(f" visible {visible}/{len(s.visible)} {ms} {s.extraction}\n")
        for sel in detail.selections:
            stop = f" stop: {sel.stop_reason}" if sel.stop else ""
            text.append(
                f"judge@{sel.budget}: sample {sel.sample_idx}: {sel.reason}{stop}\n", style="bold"
            )
        text.rstrip()
        self.update(text)
