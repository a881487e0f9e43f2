"""Run-level early stopping: at a budget boundary, can the success level still change?

Pure functions of a folded :class:`RunState`. The success level
(:func:`azr_actors.replay.stats.success_level`) depends on the best selected
pass@1 over budgets, and on the uplift and its McNemar p-value between the
first and the last budget. At a boundary (every settled task has its pick at
budget ``b``) the tasks still sampling are the only unknowns, so the level is
bracketed by two completions of the run:

* worst case: every task still sampling fails at the largest budget;
* best case: every one passes.

More passes only raise the selected rate and the uplift and only lower the
McNemar p-value of a positive uplift, so every other completion lands between
the two. The run is **decided** at ``b`` when

1. every task has already stopped (nothing left to sample), or
2. both cases give the same level and, for ``PRIMARY``, the Wilson 95% lower
   bound of the best selected pass@1 so far is above 0.6 (the level is then
   secured statistically, not just by the count), or
3. both cases give the same level and it is not ``PRIMARY``.

A :class:`Decision` says why, and what stopping saves: the samples the
unfinished tasks would still draw up to the largest budget, priced at the
model's mean cost per sample so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from .eventlog import RunDecided
from .replay import stats
from .replay.projections import RunState, TaskRecord

__all__ = ["Decision", "decide", "decide_run", "decision_event"]


@dataclass(frozen=True)
class Decision:
    """Whether ``model`` can stop sampling after ``budget``, why, and what stopping saves."""

    model: str
    budget: int
    stop: bool
    level: str
    level_worst: str
    level_best: str
    reason: str
    tasks: int
    tasks_open: int
    lower95: float | None = None
    samples_saved: int = 0
    usd_saved: float = 0.0


def _passes(record: TaskRecord, budget: int) -> bool:
    pick = record.pick_at(budget)
    if pick is None:
        return False
    sample = record.samples.get(pick.sample_idx)
    return bool(sample and sample.passed)


def _has_pick(record: TaskRecord, budget: int) -> bool:
    """The judge picked at ``budget``, or the task stopped at an earlier budget."""
    return budget in record.selections or any(s.stop for b, s in record.selections.items() if b < budget)


def _continues(record: TaskRecord, budget: int, last: int) -> bool:
    """Whether the task would sample beyond ``budget``: its pick there did not stop it."""
    pick = record.pick_at(budget)
    return budget < last and pick is not None and not pick.stop


def _level(by_budget: dict[int, list[bool]], budgets: Sequence[int]) -> str:
    first, last = by_budget[budgets[0]], by_budget[budgets[-1]]
    best = max(sum(v) / len(v) for v in by_budget.values())
    uplift = stats.uplift_pp(first, last)
    p_value = stats.mcnemar_exact(first, last)
    return stats.success_level(best, uplift, p_value)


def decide(state: RunState, model: str, budget: int) -> Decision:
    """The :class:`Decision` for ``model`` after every task has its pick at ``budget`` (see module docstring)."""
    budgets = state.budgets
    if budget not in budgets:
        raise ValueError(f"budget {budget} is not one of the run's budgets {budgets}")
    records = sorted(state.code_tasks(model).values(), key=lambda r: r.task_id)
    ready = [r for r in records if _has_pick(r, budget)]
    if not records or len(ready) < len(records):
        return Decision(model, budget, False, "-", "-", "-", f"budget {budget} is not complete: {len(ready)}/{len(records)} tasks have a pick",
                        len(records), len(records) - len(ready))
    last = budgets[-1]
    is_open = [_continues(r, budget, last) for r in records]
    open_tasks = [r for r, o in zip(records, is_open, strict=True) if o]
    done_budgets = [b for b in budgets if b <= budget]
    known = {b: [_passes(r, b) for r in records] for b in done_budgets}
    cases = {}
    for name, outcome in (("worst", False), ("best", True)):
        by_budget = dict(known)
        # Budgets after ``budget``: a stopped task keeps its pick, an open one takes the case's outcome.
        for b in budgets:
            if b > budget:
                by_budget[b] = [outcome if o else p for o, p in zip(is_open, known[budget], strict=True)]
        cases[name] = _level(by_budget, budgets)
    current = _level(known, done_budgets)
    best_rate = max(sum(v) for v in known.values())
    lower = stats.clean(stats.wilson_interval(best_rate, len(records))[0])
    per_sample = _cost_per_sample(records)
    saved = sum(max(last - max(budget, len(r.samples)), 0) for r in open_tasks)
    base = Decision(model, budget, False, current, cases["worst"], cases["best"], "", len(records), len(open_tasks), lower)
    if not open_tasks:
        return replace(base, stop=True, reason="every task has stopped: nothing is left to sample")
    if cases["worst"] != cases["best"]:
        return replace(base, reason=f"the level can still change: between {cases['worst']} and {cases['best']}")
    if cases["best"] == stats.PRIMARY and (lower is None or lower <= stats.PRIMARY_PASS_AT_1):
        return replace(base, reason=f"PRIMARY is reached, but its 95% lower bound {lower:.3f} is not above {stats.PRIMARY_PASS_AT_1}")
    why = (
        f"PRIMARY is secured: selected pass@1 {best_rate}/{len(records)}, 95% lower bound {lower:.3f} > {stats.PRIMARY_PASS_AT_1}"
        if cases["best"] == stats.PRIMARY
        else f"{cases['best']} whatever the {len(open_tasks)} open tasks do"
    )
    return replace(base, stop=True, reason=why, samples_saved=saved, usd_saved=round(saved * per_sample, 6))


def _cost_per_sample(records: Sequence[TaskRecord]) -> float:
    samples = [s for r in records for s in r.samples.values() if s.generated_ts or s.raw]
    return sum(s.cost_usd for s in samples) / len(samples) if samples else 0.0


def decide_run(state: RunState, budget: int, models: Sequence[str] | None = None) -> tuple[bool, list[Decision]]:
    """Stop the whole run after ``budget`` only when every code model (or every one of ``models``) is decided."""
    chosen = list(models) if models is not None else [m for m in state.models if m in state.tasks]
    decisions = [decide(state, m, budget) for m in chosen]
    return bool(decisions) and all(d.stop for d in decisions), decisions


def decision_event(decisions: Sequence[Decision], *, run_id: str, ts: float) -> RunDecided:
    """The run-level decision as a ``RunDecided`` fact (key ``decision:<budget>``), with what it saves."""
    if not decisions:
        raise ValueError("no decision to record")
    budget = decisions[0].budget
    saved = sum(d.usd_saved for d in decisions)
    samples = sum(d.samples_saved for d in decisions)
    reasons = "; ".join(f"{d.model}: {d.reason}" for d in decisions)
    return RunDecided(
        key=f"decision:{budget}",
        run_id=run_id,
        actor="decide",
        ts=ts,
        budget=budget,
        reason=f"stopped after budget {budget}, saving {samples} samples (${saved:.4f}): {reasons}",
        samples_saved=samples,
        usd_saved=round(saved, 6),
    )
