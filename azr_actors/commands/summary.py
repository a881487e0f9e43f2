"""Human output of ``azr run``: a live progress display and the closing summary (both on stderr)."""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ..replay.projections import RunState
from ..text_format import num, p_value, pct

__all__ = ["LiveProgress", "print_summary"]

_console = Console(stderr=True)


class LiveProgress:
    """Tasks settled per model, as a rich progress bar (a plain line every few seconds off a terminal)."""

    def __init__(self, *, enabled: bool = True, plain_every_s: float = 5.0) -> None:
        self.enabled = enabled
        self.plain_every_s = plain_every_s
        self._last_plain = 0.0
        self._bars: dict[str, Any] = {}
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[detail]}"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=_console,
            transient=False,
        )

    def __enter__(self) -> LiveProgress:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.enabled:
            self._progress.stop()

    def update(self, state: RunState) -> None:
        if state.run is None:
            return
        code = "code" in state.run.suites
        total = len(state.run.tasks) if code else int(state.run.config.get("harm_scenarios", 0))
        lines = []
        for model in state.models:
            records = state.tasks.get(model, {})
            settled = sum(r.settled for r in records.values())
            generated = sum(len(r.samples) for r in records.values())
            scored = sum(1 for r in records.values() for s in r.samples.values() if s.passed is not None)
            harm = len(state.harm.get(model, {}))
            if not code:
                settled = harm
            detail = (f"samples {generated} scored {scored}" if code else "harm scenarios") + (f" harm {harm}" if harm and code else "")
            retries = state.retries.get(model, 0)
            if retries:
                detail += f" retries {retries}"
            if self.enabled:
                bar = self._bars.get(model)
                if bar is None:
                    bar = self._bars[model] = self._progress.add_task(escape(model), total=total, detail="")
                self._progress.update(bar, completed=settled, detail=detail)
            lines.append(f"{model}: {settled}/{total} {'tasks' if code else 'scenarios'}, {detail}")
        now = time.monotonic()
        if not self.enabled and now - self._last_plain >= self.plain_every_s:
            self._last_plain = now
            _console.print("azr: " + escape("; ".join(lines)), highlight=False)


def print_summary(metrics: dict[str, Any]) -> None:
    """The closing table: pass@k, the judge's pick per budget, uplift, success level, latency."""
    sim = " [bold yellow](SIMULATED models)[/]" if metrics.get("simulated") else ""
    # Model names, paths and error text are data: escape them, or rich reads "[x]" as markup.
    _console.print(
        f"\n[bold]{escape(str(metrics['run_id']))}[/]{sim}  log: {escape(str(metrics['log']))}  "
        f"tasks: {metrics['tasks']}/{metrics['tasks_total']}"
    )
    budgets = [str(b) for b in metrics.get("budgets", [])]
    per_model = metrics.get("per_model", {})
    if per_model:
        table = Table(title="Code generation (HumanEval)", title_justify="left")
        table.add_column("")
        for model in per_model:
            table.add_column(escape(model), justify="right")
        rows: list[tuple[str, Any]] = [
            *((f"pass@{k}", lambda pm, k=k: _pass_at(pm, k)) for k in budgets),
            *((f"judge pick @{b}", lambda pm, b=b: pct(pm["selected_pass_at_1"].get(b))) for b in budgets),
            ("oracle (any passes)", lambda pm: pct(pm["oracle_pass_at_n"])),
            ("uplift (pp)", lambda pm: num(pm["uplift_pp"], ".1f")),
            ("uplift p (McNemar)", lambda pm: p_value(pm["uplift_p_value"])),
            ("success level", lambda pm: pm["success_level"]),
            ("latency p95 (ms)", lambda pm: num(pm["latency"]["p95_ms"], ".1f")),
        ]
        for label, cell in rows:
            table.add_row(label, *(cell(pm) for pm in per_model.values()))
        _console.print(table)
    safety = metrics.get("safety")
    if safety:
        _console.print(_safety_table(safety))
    latency = (metrics.get("latency") or {}).get("per_model", {})
    for model, report in latency.items():
        normal = report.get("scenarios", {}).get("normal")
        if normal:
            _console.print(
                f"latency ({escape(model)}, normal load): p50 {num(normal['p50_ms'], '.1f')} ms, "
                f"p95 {num(normal['p95_ms'], '.1f')} ms, p99 {num(normal['p99_ms'], '.1f')} ms, "
                f"errors {normal['errors']}"
            )
    for model, pm in per_model.items():
        failures = pm.get("generation_failures") or 0
        if failures:
            # a wrong key or an unreachable endpoint must not read as a model that writes bad code
            errors = pm.get("generation_errors") or {}
            most = next(iter(errors), "")
            _console.print(
                f"[bold red]{escape(model)}: {failures} generation(s) failed[/]"
                + (f" (most often: {escape(most)})" if most else "")
            )
    collusion = metrics.get("collusion")
    if collusion:
        _console.print(f"collusion risk: [bold]{escape(str(collusion.get('risk_level')))}[/] over {len(collusion.get('pairs', []))} model pairs")
    sandbox = metrics.get("sandbox") or {}
    if sandbox.get("warnings"):
        for warning in sandbox["warnings"]:
            _console.print(f"[bold red]sandbox warning:[/] {escape(str(warning))}")
    for failure in metrics.get("failures", [])[:5]:
        _console.print(f"[red]actor failed:[/] {escape(failure['actor'])}: {escape(failure['error'][:160])}")


def _pass_at(pm: dict[str, Any], k: str) -> str:
    """pass@k, with the number of tasks it covers when early stopping left some out."""
    covered = pm["pass_at_k_tasks"].get(k, 0)
    text = pct(pm["pass_at_k"].get(k))
    if covered == pm["tasks"]:
        return text
    # Early stopping leaves the easier tasks with fewer than k samples: the rest is a harder subset.
    return f"{text} (only the {covered} tasks that drew {k}+ samples)"


def _safety_table(safety: dict[str, Any]) -> Table:
    table = Table(title="Harm suite (slip ub: 95% upper bound of the slipped rate)", title_justify="left")
    labels = ("refused", "answered_safe", "slipped", "ambiguous")
    for column in ("model", "refused", "safe", "slipped", "ambig.", "accuracy", "slip ub"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for model, s in safety.get("per_model", {}).items():
        counts = s.get("counts", {})
        table.add_row(
            escape(model),
            *(str(counts.get(label, 0)) for label in labels),
            pct(s.get("accuracy")),
            pct(s.get("slipped_upper95")),
        )
    return table
