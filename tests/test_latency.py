"""Latency scenarios: the pure summary on hand-computed lists, and the load shapes
against a tiny fake provider with controllable delays."""

from __future__ import annotations

import asyncio

import pytest

from azr_actors.latency import (
    SCENARIOS,
    RequestResult,
    run_scenario,
    scenario_names,
    summarize,
    tukey_outliers,
)
from azr_actors.providers.base import Completion, CompletionRequest, ProviderError


def _r(idx, total, *, ttft=None, error="", c=2, start=None, scenario="normal"):
    return RequestResult(scenario, idx, total, ttft, error, c, start)


def test_summary_matches_hand_computed_figures():
    starts = [0.0, 0.0, 0.1, 0.2, 0.3]
    results = [_r(i, t, ttft=f, start=s) for i, (t, f, s) in
               enumerate(zip([100, 200, 300, 400, 1000], [50, 60, 70, 80, 90], starts, strict=True))]
    results.append(_r(5, 30, error="HTTP 429", start=0.5))
    normal = summarize(results)["scenarios"]["normal"]
    # numpy linear interpolation: rank = q * (n - 1) over 100, 200, 300, 400, 1000
    assert normal == {
        "requests": 6, "p50_ms": 300.0, "p95_ms": 880.0, "p99_ms": 976.0, "ttft_p95_ms": 88.0,
        "outliers": [1000.0],  # Q1 200, Q3 400, fence 400 + 1.5 * 200 = 700
        "errors": 1, "throughput_rps": round(5 / 1.3, 3),  # last answer ends at 0.3 + 1.0 s
    }


def test_throughput_without_send_times_assumes_full_slots():
    results = [_r(i, t, c=2) for i, t in enumerate([100, 200, 300, 400])]
    assert summarize(results)["scenarios"]["normal"]["throughput_rps"] == 8.0  # 4 / (1.0 s / 2)


def test_tukey_rule_on_both_sides_and_small_samples():
    assert tukey_outliers([1, 10, 11, 12, 13, 40]) == [1.0, 40.0]
    assert tukey_outliers([1, 100, 1000]) == []


def test_every_request_failed_gives_nones_and_says_why():
    report = summarize([_r(0, 5.0, error="HTTP 401 unauthorized"), _r(1, None, error="HTTP 401 unauthorized")])
    normal = report["scenarios"]["normal"]
    assert (normal["p50_ms"], normal["p95_ms"], normal["ttft_p95_ms"], normal["errors"]) == (None, None, None, 2)
    assert report["recommendations"] == [
        "normal: all 2 requests failed (HTTP 401 unauthorized); check the endpoint, the key and the rate limits before measuring latency."
    ]


def test_empty_input_gives_the_empty_contract():
    assert summarize([]) == {"scenarios": {}, "recommendations": []}


def test_sweep_recommendations_name_the_crossing_the_peak_and_the_errors():
    rows = []
    plan = {1: [100, 110, 120, 130], 2: [150, 160, 170, 180], 4: [600, 650, 700, 900]}
    t = 0.0
    for c, totals in plan.items():
        for total in totals:
            rows.append(_r(len(rows), total, ttft=total * 0.9, c=c, start=t, scenario="stress"))
            t += total / 1000 / c
    rows.append(_r(len(rows), 5.0, error="rate limited", c=4, start=t, scenario="stress"))
    advice = summarize(rows)["recommendations"]
    assert advice[0].startswith("stress: p95 ") and "misses the 500 ms target" in advice[0]
    assert "stress: p95 crosses 500 ms at concurrency 4 (" in advice[1]
    assert advice[1].endswith("keep concurrency at or below 2 to stay under it.")
    # level 1: 4 / 0.46 s = 8.7 req/s; level 2: 4 / 0.42 s = 9.5; level 4: 4 / 1.3975 s = 2.9;
    # the knee is the lowest level within 10% of the best (9.5): level 1
    assert advice[2] == "stress: throughput levels off at about 9.5 req/s from concurrency 1; more concurrency only adds queueing."
    assert advice[3] == "stress: errors start at concurrency 4 (20% of its requests: rate limited); stay below it or raise the rate limit."
    assert any("time to first token is most of the wait" in a for a in advice)


def test_meeting_the_target_says_so():
    advice = summarize([_r(i, 100 + i, ttft=20) for i in range(8)])["recommendations"]
    assert advice[0] == "normal: p95 107 ms at concurrency 2 meets the 500 ms target."
    assert "streaming output" in advice[1]


def test_scenario_names():
    assert scenario_names("all") == ("normal", "high", "stress")
    assert scenario_names("high") == ("high",)
    with pytest.raises(ValueError, match="unknown scenario 'burst'"):
        scenario_names("burst")


class FakeProvider:
    """Answers after ``base_s``, slower once more than ``capacity`` calls overlap;
    fails beyond ``fail_above`` overlapping calls; hangs when ``hang``."""

    name = spec = provider = "fake"
    simulated = live = True

    def __init__(self, base_s=0.002, capacity=1000, fail_above=None, hang=False):
        self.base_s, self.capacity, self.fail_above, self.hang = base_s, capacity, fail_above, hang
        self.in_flight = self.peak = 0
        self.requests: list[CompletionRequest] = []

    async def complete(self, request, on_retry=None):
        self.requests.append(request)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            if self.fail_above is not None and self.in_flight > self.fail_above:
                raise ProviderError("fake: rate limited (429)", retries=2)
            if self.hang:
                await asyncio.sleep(10)
            await asyncio.sleep(self.base_s * max(1.0, self.in_flight / self.capacity))
            return Completion("ok", ttft_ms=0.5, total_ms=1.0, retries=1)
        finally:
            self.in_flight -= 1

    async def close(self):
        pass


async def test_normal_and_high_hold_their_concurrency_and_salt_every_request():
    fake, seen = FakeProvider(), []
    normal = await asyncio.wait_for(run_scenario(fake, "normal", on_result=seen.append, seed=3, nonce="n"), 10)
    assert fake.peak == 2 and len(normal) == SCENARIOS["normal"].requests == len(seen)
    assert [r.request_idx for r in normal] == list(range(20))
    assert all(r.ok and r.concurrency == 2 and r.ttft_ms == 0.5 and r.retries == 1 for r in normal)
    salts = [q.salt for q in fake.requests]
    assert len(set(salts)) == 20 and all(s.startswith("latency-n-normal-") for s in salts)
    assert all(q.kind == "chat" and q.seed == 3 for q in fake.requests)
    fake = FakeProvider()
    high = await asyncio.wait_for(run_scenario(fake, "high", requests=32), 10)
    assert fake.peak == 16 and len(high) == 32


async def test_stress_sweep_stops_at_the_first_level_with_errors():
    fake = FakeProvider(fail_above=8)
    results = await asyncio.wait_for(run_scenario(fake, "stress"), 20)
    levels = sorted({r.concurrency for r in results})
    assert levels == [1, 2, 4, 8, 16]
    assert all(not r.error for r in results if r.concurrency <= 8)
    report = summarize(results)
    assert any(a.startswith("stress: errors start at concurrency 16") for a in report["recommendations"])
    assert report["scenarios"]["stress"]["errors"] == sum(1 for r in results if r.error) > 0


async def test_stress_sweep_stops_at_saturation():
    fake = FakeProvider(base_s=0.01, capacity=4)
    results = await asyncio.wait_for(run_scenario(fake, "stress"), 20)
    levels = sorted({r.concurrency for r in results})
    assert levels[:3] == [1, 2, 4] and levels[-1] in (8, 16)  # flat throughput past 4
    assert not any(r.error for r in results)


async def test_time_budget_bounds_the_run():
    fake = FakeProvider(base_s=0.02)
    results = await asyncio.wait_for(run_scenario(fake, "stress", time_budget_s=0.1), 10)
    assert 0 < len(results) < 20
    assert all(r.started_s is not None and r.started_s <= 0.15 for r in results)


async def test_a_hanging_request_is_recorded_as_an_error():
    results = await asyncio.wait_for(
        run_scenario(FakeProvider(hang=True), "normal", requests=2, request_timeout_s=0.05), 5)
    assert [r.error for r in results] == ["no response within 0.05s"] * 2


async def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown scenario 'all'"):
        await run_scenario(FakeProvider(), "all")
    with pytest.raises(ValueError, match="requests must be >= 1"):
        await run_scenario(FakeProvider(), "normal", requests=0)
