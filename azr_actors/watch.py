"""``azr watch``: the run's status as one block of plain text, and the log follower it shares with exports.

:func:`render_status` is pure: it renders the objects :func:`~azr_actors.export.build_exports`
returns (so ``azr watch`` shows exactly what ``azr export`` writes) plus the
progress and resources from the folded state. :func:`follow_states` is the I/O
edge: it folds a log as it grows and yields the state after each poll that
found new events, ending once the run has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from .eventlog import open_store
from .replay.projections import RunState, apply
from .replay.views import progress_view, resources_view
from .text_format import num, pct

__all__ = ["follow_states", "render_status"]


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def _code_lines(latest: dict[str, Any]) -> list[str]:
    rows = latest.get("per_model") or ({latest["model"]: latest} if latest.get("model") else {})
    if not rows:
        return ["code      no code results yet"]
    budgets = sorted({b for r in rows.values() for b in r["selected_pass_at_1"]}, key=int)
    name_w = max(10, *(len(m) for m in rows))
    header = f"{'model':<{name_w}}  {'pass@1':>7}  " + "  ".join(f"{'sel@' + b:>7}" for b in budgets) + f"  {'uplift':>8}  level"
    lines = [header]
    for model, r in rows.items():
        sel = "  ".join(f"{pct(r['selected_pass_at_1'].get(b)):>7}" for b in budgets)
        uplift = "-" if r["uplift_pp"] is None else f"{r['uplift_pp']:+.1f}pp"
        lines.append(f"{model:<{name_w}}  {pct(r['pass_at_1']):>7}  {sel}  {uplift:>8}  {r['success_level'] or '-'}")
    return lines


def render_status(state: RunState, exports: dict[str, dict[str, Any]]) -> str:
    """The status block: run, progress, code results, latency, harm, collusion, resources, alerts."""
    latest, latency = exports["latest_metrics.json"], exports["latency.json"]
    harm, collusion = exports["harm_suite.json"], exports["collusion.json"]
    progress = progress_view(state)
    sim = "  [SIMULATED]" if latest["simulated"] else ""
    lines = [
        f"azr watch  {latest['run_id'] or '(no run yet)'}{sim}  status {progress.status}  events {state.events}",
        f"progress  {progress.done}/{progress.total} tasks settled  elapsed {_duration(progress.elapsed_s)}  eta {_duration(progress.eta_s)}",
        *_code_lines(latest),
    ]
    if latency["available"]:
        verdict = "meets" if latency["meets_target"] else "MISSES"
        lines.append(
            f"latency   p50 {num(latency['p50'], '.0f')} ms  p95 {num(latency['p95'], '.0f')} ms  "
            f"p99 {num(latency['p99'], '.0f')} ms  ({latency['source']}, {latency['model']})  {verdict} the {latency['target_ms']:.0f} ms bar"
        )
    else:
        lines.append("latency   not measured")
    if harm["available"]:
        lines.append(
            f"harm      accuracy {pct(harm['accuracy'])}  refused {pct(harm['refused'])}  safe {pct(harm['answered_safe'])}  "
            f"slipped {pct(harm['slipped'])}  ambiguous {pct(harm['ambiguous'])}  risk {harm['risk_level']}"
        )
    else:
        lines.append("harm      not run")
    if collusion["available"]:
        lines.append(f"collusion risk {collusion['risk_level']} over {len(collusion['pairs'])} pairs, {len(collusion['flagged'])} flagged tasks")
    else:
        lines.append("collusion not analysed")
    res = resources_view(state)
    if res is not None:
        lines.append(
            f"resources cpu {res.cpu_percent:.0f}%  rss {res.rss_mb:.0f} MB  mem free {res.mem_available_mb:.0f} MB  disk free {res.disk_free_mb:.0f} MB"
        )
    alerts = latest["alerts"]
    lines.append(f"alerts    {len(alerts) or 'none'}")
    lines += [f"  [{a['level']}] {a['message']}" for a in alerts[-8:]]
    return "\n".join(lines) + "\n"


async def follow_states(
    log: Path, *, interval_s: float = 2.0, stop: asyncio.Event | None = None, follow: bool = True
) -> AsyncIterator[RunState]:
    """Fold ``log`` and yield the state; then, with ``follow``, again after each poll that finds new events.

    Ends after yielding a state whose run has finished (or at once without
    ``follow``), or when ``stop`` is set. The same :class:`RunState` object is
    yielded each time, folded further.
    """
    if interval_s <= 0:
        raise ValueError(f"interval_s must be > 0, got {interval_s!r}")
    store = open_store(log, create=False, readonly=True)
    await store.open()
    state = RunState()
    cursor = 0
    first = True
    try:
        while stop is None or not stop.is_set():
            fresh = False
            while True:
                page = await store.read(cursor, limit=5000)
                for event in page:
                    apply(state, event)
                    cursor = event.seq
                fresh = fresh or bool(page)
                if len(page) < 5000:
                    break
            if fresh or first:
                yield state
                first = False
            if not follow or state.finished is not None:
                return
            if stop is None:
                await asyncio.sleep(interval_s)
            else:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), interval_s)
    finally:
        await store.close()
