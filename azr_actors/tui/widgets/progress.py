"""Tasks done out of total, with a bar, the event count, elapsed time and ETA (log time)."""

from __future__ import annotations

from rich.text import Text

from ..snapshot import Snapshot
from ._fmt import bar, seconds
from ._panel import Panel

__all__ = ["RunProgress"]


class RunProgress(Panel):
    """One or two lines: ``tasks 3/4 75% ███░ | events | elapsed | ETA | status``."""

    DEFAULT_CSS = "RunProgress { height: auto; }"

    def show(self, snap: Snapshot) -> None:
        view = snap.progress
        run = snap.state.run
        sim = " SIMULATED" if snap.state.simulated else ""
        head = Text.assemble(
            (run.run_id if run else "no run yet", "bold"), (sim, "bold yellow"), f"  {snap.source}"
        )
        status = "replay finished" if snap.ended else view.status
        line = Text.assemble(
            f"tasks {view.done}/{view.total} {view.fraction * 100:3.0f}% ",
            (bar(view.fraction, 14), "green"),
            f" ev {view.events}  elapsed {seconds(view.elapsed_s)}  ETA {seconds(view.eta_s)}  ",
            (status, "bold"),
        )
        self.update(Text("\n").join([head, line]))
