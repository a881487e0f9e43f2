"""The report's operator sections, as blocks for :mod:`azr_actors.reporting` to render.

Each function is pure (state and metrics in, a list of ``Heading``/``Para``/
``Table`` blocks out) and returns ``[]`` when it has nothing to say, so the
report can simply concatenate them:

* :func:`alerts_section`: the alerts the run raised (and the run-level stop decision);
* :func:`estimate_section`: the up-front estimate (prior stop model, nothing
  cached) next to what the run actually spent;
* :func:`risk_section`: harm risk per category with recommendations;
* :func:`operations_section`: rate limits, retries, timeouts, memory and disk
  peaks, and what was done about them.
"""

from __future__ import annotations

from typing import Any

from .estimate import compare_with_actual, estimate_for_state
from .providers.pricing import PriceTable
from .replay.projections import RunState
from .reporting import Block, Heading, Para, Table
from .risk import RiskThresholds, assess_harm, assess_operations
from .text_format import num, pct

__all__ = ["alerts_section", "estimate_section", "operations_section", "operator_sections", "risk_section"]


def alerts_section(state: RunState) -> list[Block]:
    """The alerts in the log, in order (run-level stop decisions included)."""
    if not state.alerts:
        return []
    rows = tuple((a.level, a.what, a.message, num(a.value, ".4g"), num(a.threshold, ".4g")) for a in state.alerts)
    return [Heading("Alerts"), Table(("level", "what", "message", "value", "threshold"), rows)]


def estimate_section(state: RunState, metrics: dict[str, Any], prices: PriceTable | None = None) -> list[Block]:
    """The estimate ``azr run --estimate`` would have printed for this run, against the actual spend."""
    est = estimate_for_state(state, prices)
    if est is None or not metrics.get("per_model"):
        return []
    rows = tuple(
        (
            r["model"],
            num(r["estimated_calls"], ".0f"),
            str(r["actual_calls"]),
            num(r["estimated_tokens"], ",.0f"),
            f"{r['actual_tokens']:,}",
            num(r["estimated_usd"], ".4f"),
            num(r["actual_usd"], ".4f"),
        )
        for r in compare_with_actual(est, metrics)
    )
    full, early = est.total("full"), est.total("early_stopping")
    text = (
        f"Estimated up front for every suite: {full['calls']:.0f} calls (${full['usd']:.4f}) without early stopping, "
        f"{early['calls']:.0f} calls (${early['usd']:.4f}) with it. " + " ".join(n[0].upper() + n[1:] + "." for n in est.notes)
    )
    return [
        Heading("Cost: estimate vs actual"),
        Para(text),
        Table(("model", "est. calls", "calls", "est. tokens", "tokens", "est. USD", "USD"), rows),
    ]


def risk_section(state: RunState, thresholds: RiskThresholds | None = None) -> list[Block]:
    """Harm risk per category against the stated thresholds, and the recommendations."""
    if not state.harm:
        return []
    t = thresholds or RiskThresholds()
    risk = assess_harm(state, thresholds=t)
    rows = tuple(
        (c.category, c.level, f"{c.slipped}/{c.harmful}", pct(c.slipped_rate), pct(c.slipped_upper95), pct(c.over_refusal_rate), pct(c.ambiguous_rate))
        for c in risk.categories
    )
    stated = (
        f"Thresholds: HIGH above {t.high_slipped_rate:.0%} slipped, MODERATE above {t.moderate_slipped_rate:.0%}, "
        f"LOW above {t.max_slipped_rate:.1%} or over-refusal above {t.max_over_refusal:.0%} or ambiguous above {t.max_ambiguous:.0%}; "
        f"overall risk **{risk.level}**."
    )
    blocks: list[Block] = [
        Heading("Risk assessment"),
        Para(stated),
        Table(("category", "risk", "slipped", "slip rate", "slip bound (95%)", "over-refusal", "ambiguous"), rows),
    ]
    blocks += [Para(f"- {r}") for r in risk.recommendations]
    return blocks


def operations_section(state: RunState) -> list[Block]:
    """What the run met in practice (rate limits, retries, timeouts, memory, disk) and what was done."""
    ops = assess_operations(state)
    rows = (
        ("provider retries", str(sum(ops.retries.values()))),
        ("rate limits (429)", str(ops.rate_limited)),
        ("request timeouts", str(ops.timeouts)),
        ("failed generations", str(ops.generation_failures)),
        ("sandbox time limits hit", str(ops.sandbox_timeouts)),
        ("samples from the response cache", str(ops.cached_samples)),
        ("samples skipped by early stopping", str(ops.samples_saved_by_early_stop)),
        ("peak resident memory", num(ops.rss_peak_mb, ".0f") + " MB"),
        ("lowest free memory", num(ops.mem_available_min_mb, ".0f") + " MB"),
        ("lowest free disk", num(ops.disk_free_min_mb, ".0f") + " MB"),
        ("alerts", str(len(ops.alerts))),
        ("actor failures", str(ops.actor_failures)),
    )
    return [Heading("Operations"), Table(("what the run met", "count"), rows), *(Para(f"- {f}") for f in ops.findings)]


def operator_sections(state: RunState, metrics: dict[str, Any], prices: PriceTable | None = None) -> list[Block]:
    """All four sections in report order: estimate, risk, operations, alerts."""
    return [*estimate_section(state, metrics, prices), *risk_section(state), *operations_section(state), *alerts_section(state)]
