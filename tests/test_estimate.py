"""Cost estimates: the stop model, pricing, the cache, and the comparison with what a run spent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from azr_actors.eventlog import Event, ModelInfo, RunStarted, SelectionMade
from azr_actors.replay.metrics import run_metrics
from azr_actors.replay.projections import fold
from fixtures_log import sample_events

from azr_actors.estimate import (
    CODE_COMPLETION_TOKENS,
    SCENARIOS,
    Plan,
    StopProfile,
    cached_calls,
    compare_with_actual,
    estimate,
    estimate_for_state,
    expected_samples,
    plan_for,
    prior_stop_profile,
    render_estimate,
    stop_profile_from_state,
)
from azr_actors.providers.pricing import Price, PriceTable

PRICES = PriceTable({"priced": Price(1.0, 2.0)})


def test_prior_and_expected_samples() -> None:
    prior = prior_stop_profile([16, 1, 4])
    assert prior.source == "prior" and dict(prior.stop_share) == {1: 0.0, 4: 0.5}
    assert expected_samples([1, 4, 16], prior) == pytest.approx(0.5 * 4 + 0.5 * 16)
    assert expected_samples([1, 4, 16], StopProfile({})) == 16
    assert expected_samples([1], prior_stop_profile([1])) == 1


def test_stop_profile_rejects_shares_outside_unit_interval() -> None:
    with pytest.raises(ValueError, match="stop share at budget 4 must be in"):
        StopProfile({4: 1.5})


def test_code_calls_tokens_and_money_per_scenario() -> None:
    plan = Plan(models=("priced", "free"), budgets=(1, 4), suites=("code",), code_prompt_tokens=(100, 300))
    est = estimate(plan, PRICES, stop=StopProfile({1: 0.5}), cached={"priced": 3})
    full = {x.model: x for x in est.scenarios["full"]}
    assert full["priced"].calls == 8  # 2 tasks x 4 samples
    per_call = (200 * 1.0 + CODE_COMPLETION_TOKENS * 2.0) / 1e6
    assert full["priced"].usd == pytest.approx(8 * per_call)
    early = {x.model: x for x in est.scenarios["early_stopping"]}
    assert early["priced"].calls == pytest.approx(2 * (0.5 * 1 + 0.5 * 4))
    cached = {x.model: x for x in est.scenarios["early_stopping_cached"]}
    assert cached["priced"].cached_calls == 3
    assert cached["priced"].usd == pytest.approx((5 - 3) * per_call)
    assert full["free"].usd == 0.0 and not full["free"].priced
    assert est.unpriced == ("free",)
    assert set(est.as_dict()["scenarios"]) == set(SCENARIOS)


def test_cache_never_makes_calls_negative() -> None:
    plan = Plan(models=("priced",), budgets=(1,), suites=("code",), code_prompt_tokens=(100,))
    line = estimate(plan, PRICES, cached={"priced": 50}).scenarios["early_stopping_cached"][0]
    assert line.cached_calls == 1 and line.usd == 0.0


def test_previous_logs_token_usage_replaces_the_prior() -> None:
    plan = Plan(models=("priced",), budgets=(1,), suites=("code",), code_prompt_tokens=(100,))
    line = estimate(plan, PRICES, code_tokens_per_sample={"priced": 160.0}).scenarios["full"][0]
    assert line.completion_tokens == pytest.approx(60.0)


def test_plan_for_reads_real_prompts_and_the_harm_suite() -> None:
    plan = plan_for(["gpt-4o-mini"], ["HumanEval/0", "HumanEval/1"], [1, 4, 16], ["code", "harm", "latency", "collusion"])
    assert len(plan.code_prompt_tokens) == 2 and min(plan.code_prompt_tokens) > 50
    assert len(plan.harm_prompt_tokens) > 50
    est = estimate(plan)
    suites = {x.suite for x in est.scenarios["full"]}
    assert suites == {"code", "harm", "latency"}
    assert est.total("full")["usd"] > est.total("early_stopping")["usd"] > 0
    assert any("no model calls" in n for n in est.notes)
    text = render_estimate(est)
    assert "full:" in text and "early stopping:" in text and "early stopping cached:" in text


def _stops(budgets: list[int], finals: list[int]) -> list[Event]:
    events: list[Event] = [
        RunStarted(key="run", seed=0, models=[ModelInfo(name="m", spec="sim:m", provider="sim")],
                   tasks=[f"HumanEval/{i}" for i in range(len(finals))], budgets=budgets, suites=["code"])
    ]
    for i, final in enumerate(finals):
        for b in budgets:
            if b <= final:
                events.append(SelectionMade(key=f"sel:{i}:{b}", task_id=f"HumanEval/{i}", model="m", budget=b,
                                            sample_idx=0, reason="", stop=b == final))
    return events


def test_stop_profile_from_a_previous_log() -> None:
    state = fold(_stops([1, 4, 16], [4, 4, 4, 16]))
    profile = stop_profile_from_state(state, [1, 4, 16])
    assert profile.source == "log"
    assert dict(profile.stop_share) == {1: 0.0, 4: 0.75}
    other = stop_profile_from_state(state, [2, 8])
    assert other.source == "prior" and dict(other.stop_share) == {2: 0.0}


def test_cached_calls_from_a_resumed_log_and_a_cache_file(tmp_path: Path) -> None:
    state = fold(sample_events())
    counts = cached_calls(state)
    assert counts["alpha"] == 4 * 4  # 4 tasks x 4 samples (the fixture records no harm responses)
    cache = tmp_path / "c.sqlite"
    db = sqlite3.connect(cache)
    db.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, model TEXT, created REAL, completion TEXT)")
    db.executemany("INSERT INTO responses VALUES (?, ?, 0, '{}')", [(str(i), "gamma") for i in range(7)])
    db.commit()
    db.close()
    assert cached_calls(None, cache) == {"gamma": 7}


def test_estimate_vs_actual_for_a_recorded_log() -> None:
    state = fold(sample_events())
    est = estimate_for_state(state)
    assert est is not None
    rows = compare_with_actual(est, run_metrics(state))
    assert [r["model"] for r in rows] == ["alpha", "beta"]
    assert rows[0]["actual_calls"] == 16 and rows[0]["estimated_calls"] == pytest.approx(16.0)
    assert rows[0]["actual_usd"] == pytest.approx(16 * 0.0001)
