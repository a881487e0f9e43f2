"""Cost estimate before spending: expected calls, tokens and money per suite and per model.

:func:`estimate` is pure: it prices a :class:`Plan` (models, per-task prompt
sizes, budgets, suites) with a :class:`~azr_actors.providers.pricing.PriceTable`
under three scenarios:

* ``full``: every task sampled to the largest budget (no early stopping);
* ``early_stopping``: the expected samples per task under a :class:`StopProfile`;
* ``early_stopping_cached``: the same, minus the calls already answered (by the
  log of a resumed run or by the response cache), which cost nothing.

Token model (documented priors, overridable): a prompt costs
``len(text) / CHARS_PER_TOKEN`` tokens plus ``CHAT_OVERHEAD_TOKENS`` (system
prompt and chat template); a code completion ``CODE_COMPLETION_TOKENS``
(a HumanEval function with some chat around it), a harm answer
``HARM_COMPLETION_TOKENS``, a latency probe its ``max_tokens`` (64); a previous
log's mean tokens per code sample replaces the code prior when given.

Stop model: a :class:`StopProfile` gives, for each budget, the chance that a
task still sampling stops there. From a previous log it is the observed share
(tasks that stopped at b / tasks that reached b); otherwise the documented prior
(:func:`prior_stop_profile`): no stop at the first budget (the judge needs at
least three agreeing samples), half of the remaining tasks at each later
budget before the last. Collusion analysis makes no model calls. A model with no
price costs 0 and is listed in ``unpriced``.

The plan builders (:func:`plan_for`) read the packaged HumanEval prompts and
harm suite; :func:`cached_calls` reads a response cache file. Those are the
only I/O here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .providers.pricing import PriceTable
from .replay.projections import RunState

__all__ = [
    "CHARS_PER_TOKEN",
    "CHAT_OVERHEAD_TOKENS",
    "CODE_COMPLETION_TOKENS",
    "HARM_COMPLETION_TOKENS",
    "LATENCY_COMPLETION_TOKENS",
    "SCENARIOS",
    "Estimate",
    "Line",
    "Plan",
    "StopProfile",
    "cached_calls",
    "compare_with_actual",
    "estimate",
    "estimate_for_state",
    "expected_samples",
    "plan_for",
    "prior_stop_profile",
    "render_estimate",
    "stop_profile_from_state",
]

CHARS_PER_TOKEN = 4.0
CHAT_OVERHEAD_TOKENS = 20
CODE_COMPLETION_TOKENS = 250
HARM_COMPLETION_TOKENS = 200
LATENCY_COMPLETION_TOKENS = 64
LATENCY_NORMAL_REQUESTS = 20
#: Conditional stop chance at each budget between the first and the last, when no log says otherwise.
PRIOR_STOP_SHARE = 0.5
SCENARIOS = ("full", "early_stopping", "early_stopping_cached")


def prompt_tokens(text: str) -> int:
    """The token count the estimate assumes for a prompt of ``text``."""
    return round(len(text) / CHARS_PER_TOKEN) + CHAT_OVERHEAD_TOKENS


@dataclass(frozen=True)
class StopProfile:
    """``stop_share[b]``: chance that a task still sampling at budget ``b`` stops there; ``source`` says where it came from."""

    stop_share: Mapping[int, float]
    source: str = "prior"

    def __post_init__(self) -> None:
        for b, share in self.stop_share.items():
            if not 0.0 <= share <= 1.0:
                raise ValueError(f"stop share at budget {b} must be in [0, 1], got {share}")


def prior_stop_profile(budgets: Sequence[int]) -> StopProfile:
    """The documented prior: 0 at the first budget, :data:`PRIOR_STOP_SHARE` at each later one but the last."""
    ordered = sorted(budgets)
    return StopProfile({b: (0.0 if i == 0 else PRIOR_STOP_SHARE) for i, b in enumerate(ordered[:-1])}, "prior")


def stop_profile_from_state(state: RunState, budgets: Sequence[int]) -> StopProfile:
    """The stop shares a previous log observed, for ``budgets``; the prior where the log has no data.

    For a budget the log used, the share is (tasks that stopped there) / (tasks
    that reached it); for a budget it did not, the prior's share.
    """
    prior = prior_stop_profile(budgets)
    reached: dict[int, int] = {}
    stopped: dict[int, int] = {}
    old = state.budgets
    for records in state.tasks.values():
        for r in records.values():
            final = r.final_selection
            if final is None:
                continue
            for b in old:
                if b <= final.budget:
                    reached[b] = reached.get(b, 0) + 1
            stopped[final.budget] = stopped.get(final.budget, 0) + 1
    shares = {
        b: (stopped.get(b, 0) / reached[b] if reached.get(b) and b in old and b != old[-1] else share)
        for b, share in prior.stop_share.items()
    }
    observed = any(reached.get(b) and b in old and b != old[-1] for b in prior.stop_share)
    return StopProfile(shares, "log" if observed else "prior")


def expected_samples(budgets: Sequence[int], profile: StopProfile) -> float:
    """Expected samples one task generates: each budget's size times the chance sampling ends there."""
    ordered = sorted(budgets)
    still, total = 1.0, 0.0
    for b in ordered[:-1]:
        share = profile.stop_share.get(b, 0.0)
        total += still * share * b
        still *= 1.0 - share
    return total + still * ordered[-1]


@dataclass(frozen=True)
class Plan:
    """What a run would do: per-task prompt tokens for code, per-scenario prompt tokens for harm."""

    models: tuple[str, ...]
    budgets: tuple[int, ...]
    suites: tuple[str, ...]
    code_prompt_tokens: tuple[int, ...] = ()
    harm_prompt_tokens: tuple[int, ...] = ()
    judge_model: str | None = None
    latency_requests: int = LATENCY_NORMAL_REQUESTS

    def __post_init__(self) -> None:
        if not self.models:
            raise ValueError("a plan needs at least one model")
        if not self.budgets or min(self.budgets) < 1:
            raise ValueError("budgets must be positive integers")


def plan_for(
    models: Sequence[str], tasks: Sequence[str], budgets: Sequence[int], suites: Sequence[str], *, judge_model: str | None = None
) -> Plan:
    """A :class:`Plan` for these task ids, with prompt sizes from the packaged HumanEval and harm suite."""
    from .humaneval import problems

    code = tuple(prompt_tokens(problems()[t].prompt) for t in tasks) if "code" in suites else ()
    harm: tuple[int, ...] = ()
    if "harm" in suites:
        from .harm import load_suite

        harm = tuple(prompt_tokens(s.prompt) for s in load_suite())
    return Plan(tuple(models), tuple(sorted(budgets)), tuple(suites), code, harm, judge_model)


@dataclass(frozen=True)
class Line:
    """One suite for one model under one scenario."""

    suite: str
    model: str
    calls: float
    prompt_tokens: float
    completion_tokens: float
    usd: float
    priced: bool
    cached_calls: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "model": self.model,
            "calls": round(self.calls, 1),
            "prompt_tokens": round(self.prompt_tokens),
            "completion_tokens": round(self.completion_tokens),
            "usd": round(self.usd, 6),
            "priced": self.priced,
            "cached_calls": round(self.cached_calls, 1),
        }


@dataclass(frozen=True)
class Estimate:
    """Lines per scenario (see :data:`SCENARIOS`), the stop profile used, and the models without a price."""

    scenarios: Mapping[str, tuple[Line, ...]]
    stop_profile: StopProfile
    expected_samples_per_task: float
    unpriced: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def total(self, scenario: str) -> dict[str, float]:
        lines = self.scenarios[scenario]
        return {
            "calls": round(sum(x.calls for x in lines), 1),
            "tokens": round(sum(x.prompt_tokens + x.completion_tokens for x in lines)),
            "usd": round(sum(x.usd for x in lines), 6),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "scenarios": {
                name: {"lines": [x.as_dict() for x in lines], "total": self.total(name)} for name, lines in self.scenarios.items()
            },
            "stop_profile": {"source": self.stop_profile.source, "stop_share": {str(b): s for b, s in sorted(self.stop_profile.stop_share.items())}},
            "expected_samples_per_task": round(self.expected_samples_per_task, 3),
            "unpriced": list(self.unpriced),
            "notes": list(self.notes),
        }


def _line(suite: str, model: str, calls: float, p_tok: float, c_tok: float, prices: PriceTable, cached: float = 0.0) -> Line:
    """Price ``calls`` of mean ``p_tok``/``c_tok`` tokens, ``cached`` of them free."""
    paid = max(calls - cached, 0.0)
    price = prices.lookup(model)
    cost = 0.0 if price is None else paid * (p_tok * price.input_per_m + c_tok * price.output_per_m) / 1e6
    return Line(suite, model, calls, calls * p_tok, calls * c_tok, cost, price is not None, min(cached, calls))


def estimate(
    plan: Plan,
    prices: PriceTable | None = None,
    *,
    stop: StopProfile | None = None,
    cached: Mapping[str, int] | None = None,
    code_tokens_per_sample: Mapping[str, float] | None = None,
) -> Estimate:
    """Expected calls, tokens and USD per suite and model, under each of :data:`SCENARIOS` (pure).

    ``cached[model]``: calls already answered (resumed log or response cache),
    taken off the code calls first, then the harm calls, in the cached scenario.
    ``code_tokens_per_sample[model]``: mean prompt+completion tokens of a code
    sample in a previous log, replacing the completion prior.
    """
    prices = prices or PriceTable()
    profile = stop or prior_stop_profile(plan.budgets)
    per_task = expected_samples(plan.budgets, profile)
    full_per_task = float(max(plan.budgets))
    n_tasks = len(plan.code_prompt_tokens)
    mean_prompt = sum(plan.code_prompt_tokens) / n_tasks if n_tasks else 0.0
    harm_prompt = sum(plan.harm_prompt_tokens) / len(plan.harm_prompt_tokens) if plan.harm_prompt_tokens else 0.0
    out: dict[str, list[Line]] = {name: [] for name in SCENARIOS}
    for model in plan.models:
        completion = float(CODE_COMPLETION_TOKENS)
        if code_tokens_per_sample and code_tokens_per_sample.get(model):
            completion = max(code_tokens_per_sample[model] - mean_prompt, 1.0)
        free = float((cached or {}).get(model, 0))
        for name in SCENARIOS:
            samples = full_per_task if name == "full" else per_task
            left = free if name == "early_stopping_cached" else 0.0
            if "code" in plan.suites and n_tasks:
                calls = samples * n_tasks
                used = min(left, calls)
                out[name].append(_line("code", model, calls, mean_prompt, completion, prices, used))
                left -= used
            if "harm" in plan.suites and plan.harm_prompt_tokens:
                calls = float(len(plan.harm_prompt_tokens))
                out[name].append(_line("harm", model, calls, harm_prompt, HARM_COMPLETION_TOKENS, prices, min(left, calls)))
                if plan.judge_model:
                    out[name].append(_line("harm_judge", plan.judge_model, calls, harm_prompt + HARM_COMPLETION_TOKENS + 200, 50, prices))
            if "latency" in plan.suites:
                out[name].append(_line("latency", model, float(plan.latency_requests), CHAT_OVERHEAD_TOKENS + 30.0,
                                       LATENCY_COMPLETION_TOKENS, prices))
    priced_models = set(plan.models) | ({plan.judge_model} if plan.judge_model else set())
    unpriced = tuple(sorted(m for m in priced_models if prices.lookup(m) is None))
    notes = [f"stop model: {profile.source}; {per_task:.2f} expected samples per task of at most {full_per_task:.0f}"]
    if "collusion" in plan.suites:
        notes.append("collusion analysis compares the generations already made: no model calls")
    if unpriced:
        notes.append(f"no price for {', '.join(unpriced)}: counted as free (add it to a price file, $AZR_PRICES)")
    return Estimate({k: tuple(v) for k, v in out.items()}, profile, per_task, unpriced, tuple(notes))


def cached_calls(state: RunState | None = None, cache_path: Path | None = None) -> dict[str, int]:
    """Calls per model that would cost nothing: samples and harm answers already in a resumed log,
    or entries of a response cache file (the larger of the two per model)."""
    counts: dict[str, int] = {}
    if state is not None:
        for model, records in state.tasks.items():
            counts[model] = sum(1 for r in records.values() for s in r.samples.values() if s.raw or s.generated_ts)
        for model, _ in state.harm_responses:
            counts[model] = counts.get(model, 0) + 1
    if cache_path is not None and cache_path.exists():
        db = sqlite3.connect(f"file:{cache_path}?mode=ro", uri=True)
        try:
            for model, n in db.execute("SELECT model, COUNT(*) FROM responses GROUP BY model"):
                counts[str(model)] = max(counts.get(str(model), 0), int(n))
        finally:
            db.close()
    return counts


def estimate_for_state(state: RunState, prices: PriceTable | None = None) -> Estimate | None:
    """The estimate this run would have been given up front (prior stop model, nothing cached); None before RunStarted."""
    run = state.run
    if run is None:
        return None
    judge = str(run.config.get("judge_model") or "") or None
    plan = plan_for([m.name for m in run.models], run.tasks, run.budgets, run.suites, judge_model=judge)
    return estimate(plan, prices)


def compare_with_actual(est: Estimate, metrics: dict[str, Any]) -> list[dict[str, Any]]:
    """Per model, the early-stopping estimate of the code suite next to what the run spent."""
    rows = []
    lines = {x.model: x for x in est.scenarios["early_stopping"] if x.suite == "code"}
    for model, pm in (metrics.get("per_model") or {}).items():
        line = lines.get(model)
        cost = pm["cost"]
        rows.append(
            {
                "model": model,
                "estimated_calls": None if line is None else round(line.calls, 1),
                "actual_calls": cost["samples"],
                "estimated_tokens": None if line is None else round(line.prompt_tokens + line.completion_tokens),
                "actual_tokens": cost["tokens"],
                "estimated_usd": None if line is None else round(line.usd, 6),
                "actual_usd": cost["cost_usd"],
            }
        )
    return rows


def render_estimate(est: Estimate) -> str:
    """The estimate as plain text: one table per scenario, totals, notes."""
    out = []
    for name in SCENARIOS:
        total = est.total(name)
        out.append(f"{name.replace('_', ' ')}: {total['calls']:.0f} calls, {total['tokens']:,} tokens, ${total['usd']:.4f}")
        for x in est.scenarios[name]:
            free = f"  ({x.cached_calls:.0f} cached)" if x.cached_calls else ""
            price = "" if x.priced else "  (no price)"
            out.append(
                f"  {x.suite:<10} {x.model:<28} {x.calls:>8.0f} calls {x.prompt_tokens + x.completion_tokens:>12,.0f} tokens  ${x.usd:.4f}{free}{price}"
            )
    out += [f"note: {n}" for n in est.notes]
    return "\n".join(out) + "\n"
