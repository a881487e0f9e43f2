"""Latency scenarios: what a user of a model will feel, at low and high load.

* ``normal``: a low, steady concurrency (2), the everyday experience.
* ``high``: a high concurrency (16), a busy team or a batch job.
* ``stress``: a concurrency sweep (1, 2, 4, ... 64) that stops at the first
  level with more than 10% errors, at saturation (throughput no longer grows
  by 10% while p95 rises), or when its time budget is spent.

:func:`run_scenario` drives a provider and returns one :class:`RequestResult`
per request (the caller may turn each into a ``LatencyRecorded`` event through
``on_result``). :func:`summarize` is a pure function of those results and
produces exactly the ``azr latency --json`` object: percentiles interpolated
like ``numpy.percentile`` (linear), Tukey IQR outliers, throughput, errors and
plain-language recommendations measured against a p95 target (500 ms).

Latency requests bypass any response cache: their salts carry a per-run
nonce, since a cached answer measures nothing.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from azr_actors.providers.base import CompletionRequest, Provider, ProviderError
from azr_actors.replay import stats

__all__ = [
    "DEFAULT_PROMPT",
    "P95_TARGET_MS",
    "SCENARIOS",
    "RequestResult",
    "Scenario",
    "run_scenario",
    "scenario_names",
    "summarize",
    "tukey_outliers",
]

P95_TARGET_MS = 500.0
DEFAULT_PROMPT = "Write a Python function `add(a, b)` that returns the sum of its arguments."


@dataclass(frozen=True)
class Scenario:
    """A load shape: the concurrency levels to run, in order, and requests per level
    (``None``: four rounds per level, at least 8 requests)."""

    name: str
    levels: tuple[int, ...]
    requests: int | None


SCENARIOS: dict[str, Scenario] = {
    "normal": Scenario("normal", (2,), 20),
    "high": Scenario("high", (16,), 64),
    "stress": Scenario("stress", (1, 2, 4, 8, 16, 32, 64), None),
}


@dataclass(frozen=True)
class RequestResult:
    """One timed request. ``total_ms`` is the wall time of the call (also for a
    failed call); ``error`` is empty on success; ``started_s`` is when it was
    sent, in seconds since the scenario began (None when unknown, e.g. rebuilt
    from events)."""

    scenario: str
    request_idx: int
    total_ms: float | None
    ttft_ms: float | None = None
    error: str = ""
    concurrency: int = 1
    started_s: float | None = None
    retries: int = 0

    @property
    def ok(self) -> bool:
        return not self.error and self.total_ms is not None


def scenario_names(choice: str) -> tuple[str, ...]:
    """``"all"`` or one scenario name -> the scenarios to run; ValueError otherwise."""
    if choice == "all":
        return tuple(SCENARIOS)
    if choice not in SCENARIOS:
        raise ValueError(f"unknown scenario {choice!r} (choose normal, high, stress or all)")
    return (choice,)


async def run_scenario(
    provider: Provider,
    scenario: str,
    *,
    requests: int | None = None,
    seed: int = 0,
    on_result: Callable[[RequestResult], None] | None = None,
    time_budget_s: float = 120.0,
    request_timeout_s: float = 60.0,
    max_tokens: int = 64,
    prompt: str = DEFAULT_PROMPT,
    nonce: str | None = None,
) -> list[RequestResult]:
    """Run ``scenario`` against ``provider``; ``requests`` is the count per concurrency
    level. The load is closed-loop: each of a level's workers sends its next request
    when its previous one ends. A level needs at least as many requests as its
    concurrency: with fewer, the first level runs at ``requests`` workers (and its
    results say so) and a sweep stops before such a level. New requests stop once
    ``time_budget_s`` has passed (those in flight finish, each bounded by
    ``request_timeout_s``)."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r} (choose normal, high or stress)")
    spec = SCENARIOS[scenario]
    if requests is not None and requests < 1:
        raise ValueError("requests must be >= 1")
    begun = time.perf_counter()  # not loop.time(): uvloop's clock moves in 1 ms steps
    salt_prefix = f"latency-{nonce if nonce is not None else secrets.token_hex(4)}-{scenario}"
    results: list[RequestResult] = []

    async def one(idx: int, concurrency: int) -> None:
        request = CompletionRequest(prompt=prompt, task_id=f"latency/{scenario}", sample_idx=idx,
                                    kind="chat", salt=f"{salt_prefix}-{idx}", temperature=0.0,
                                    max_tokens=max_tokens, seed=seed)
        sent = time.perf_counter()
        error, ttft, retries = "", None, 0
        try:
            done = await asyncio.wait_for(provider.complete(request), request_timeout_s)
            ttft, retries = done.ttft_ms, done.retries
        except ProviderError as exc:
            # a failure must never read as a success, even when the provider gave no message
            error = " ".join(str(exc).split())[:200] or f"{type(exc).__name__} (no message)"
            retries = exc.retries
        except TimeoutError:
            error = f"no response within {request_timeout_s:g}s"
        result = RequestResult(scenario, idx, (time.perf_counter() - sent) * 1000.0, ttft, error,
                               concurrency, sent - begun, retries)
        results.append(result)
        if on_result is not None:
            on_result(result)

    async def worker(level: int, todo: Iterator[int]) -> None:
        for idx in todo:  # the workers of a level share one iterator
            if time.perf_counter() - begun > time_budget_s:
                return
            await one(idx, level)

    next_idx = 0
    for concurrency in spec.levels:
        count = requests or spec.requests or max(8, 4 * concurrency)
        # fewer requests than the level cannot reach it: results carry the concurrency
        # actually run, and a sweep stops rather than repeat a level it already measured
        reached = min(concurrency, count)
        if reached < concurrency and results:
            break
        todo = iter(range(next_idx, next_idx + count))
        next_idx += count
        await asyncio.gather(*(worker(reached, todo) for _ in range(reached)))
        if time.perf_counter() - begun > time_budget_s or _should_stop(results, reached):
            break
    return sorted(results, key=lambda r: r.request_idx)


def _should_stop(results: Sequence[RequestResult], level: int) -> bool:
    """Stop a sweep at >10% errors, or when throughput stopped growing while p95 rose."""
    by_level = _levels(results)
    current = by_level.get(level, [])
    if not current:
        return True
    if sum(1 for r in current if r.error) / len(current) > 0.10:
        return True
    lower = [c for c in by_level if c < level]
    if not lower:
        return False
    previous = by_level[max(lower)]
    now_rps, before_rps = _throughput(current), _throughput(previous)
    now_p95, before_p95 = _p95(current), _p95(previous)
    if now_rps is None or before_rps is None or now_p95 is None or before_p95 is None:
        return False
    return now_rps < 1.10 * before_rps and now_p95 > before_p95


# -- the pure summary ---------------------------------------------------------------
def tukey_outliers(values: Sequence[float]) -> list[float]:
    """Values outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] (:func:`replay.stats.iqr_outliers`), ascending;
    ``[]`` for fewer than four values."""
    if len(values) < 4:
        return []
    return sorted(stats.iqr_outliers(values))


def _percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def _p95(results: Sequence[RequestResult]) -> float | None:
    return _percentile([r.total_ms for r in results if r.ok and r.total_ms is not None], 95)


def _throughput(results: Sequence[RequestResult]) -> float | None:
    """Successful requests per second of wall time. Without send times the wall time
    is estimated as total busy time over the concurrency (slots kept full)."""
    ok = sum(1 for r in results if r.ok)
    if not results:
        return None
    if all(r.started_s is not None for r in results):
        starts = [r.started_s for r in results if r.started_s is not None]
        ends = [(r.started_s or 0.0) + (r.total_ms or 0.0) / 1000.0 for r in results]
        span = max(ends) - min(starts)
    else:
        span = sum((r.total_ms or 0.0) / 1000.0 / max(r.concurrency, 1) for r in results)
    return ok / span if span > 0 else None


def _levels(results: Sequence[RequestResult]) -> dict[int, list[RequestResult]]:
    levels: dict[int, list[RequestResult]] = {}
    for r in results:
        levels.setdefault(r.concurrency, []).append(r)
    return dict(sorted(levels.items()))


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _scenario_summary(results: Sequence[RequestResult]) -> dict[str, Any]:
    latencies = [r.total_ms for r in results if r.ok and r.total_ms is not None]
    ttfts = [r.ttft_ms for r in results if r.ok and r.ttft_ms is not None]
    return {
        "requests": len(results),
        "p50_ms": _round(_percentile(latencies, 50)),
        "p95_ms": _round(_percentile(latencies, 95)),
        "p99_ms": _round(_percentile(latencies, 99)),
        "ttft_p95_ms": _round(_percentile(ttfts, 95)),
        "outliers": [round(v, 3) for v in tukey_outliers(latencies)],
        "errors": sum(1 for r in results if r.error),
        "throughput_rps": _round(_throughput(results)),
    }


def summarize(results: Sequence[RequestResult], *, p95_target_ms: float = P95_TARGET_MS) -> dict[str, Any]:
    """The ``azr latency --json`` object for ``results`` (scenarios in order of first
    appearance); a figure without data (every request failed) is None."""
    groups: dict[str, list[RequestResult]] = {}
    for r in results:
        groups.setdefault(r.scenario, []).append(r)
    scenarios = {name: _scenario_summary(rs) for name, rs in groups.items()}
    advice: list[str] = []
    for name, rs in groups.items():
        advice += _recommend(name, rs, scenarios[name], p95_target_ms)
    return {"scenarios": scenarios, "recommendations": advice}


def _recommend(name: str, results: Sequence[RequestResult], summary: dict[str, Any],
               target: float) -> list[str]:
    levels = _levels(results)
    p95, ttft = summary["p95_ms"], summary["ttft_p95_ms"]
    errors, count = summary["errors"], summary["requests"]
    where = f"concurrency {min(levels)}" if len(levels) == 1 else f"concurrency {min(levels)}-{max(levels)}"
    if p95 is None:
        return [f"{name}: all {count} requests failed ({_common_error(results)}); "
                "check the endpoint, the key and the rate limits before measuring latency."]
    verdict = "meets" if p95 < target else "misses"
    out = [f"{name}: p95 {_ms(p95, target)} ms at {where} {verdict} the {target:.0f} ms target."]
    if len(levels) > 1:
        p95s = {c: _p95(rs) for c, rs in levels.items()}
        crossing = next((c for c, p in p95s.items() if p is None or p >= target), None)
        if (crossing is None) != (p95 < target):
            # the pooled p95 of a sweep and its per-level p95s disagree: no verdict on the pool
            out = [f"{name}: p95 {p95:.0f} ms pooled over {where}; the {target:.0f} ms target is judged per level."]
        out += _sweep_advice(name, levels, p95s, crossing, target)
    elif errors:
        out.append(f"{name}: {errors / count:.1%} of requests failed ({_common_error(results)}); "
                   "lower the concurrency or raise the provider's rate limit.")
    if ttft is not None and ttft < 0.5 * p95:
        out.append(f"{name}: the first token arrives after {ttft:.0f} ms (p95), well before the full "
                   f"answer; streaming output to users hides most of the wait.")
    elif ttft is not None and ttft > 0.8 * p95:
        out.append(f"{name}: time to first token is most of the wait (p95 {ttft:.0f} of {p95:.0f} ms): "
                   "the time goes to queueing or prompt processing, not generation.")
    if summary["outliers"]:
        slowest = max(summary["outliers"])
        tail = ("a client timeout with a retry would cut that tail" if slowest >= target
                else "still under the target")
        out.append(f"{name}: {len(summary['outliers'])} outlier(s) by the IQR rule, the slowest "
                   f"{_ms(slowest, target)} ms; {tail}.")
    return out


def _ms(value: float, target: float) -> str:
    """``value`` in whole ms, with decimals where rounding would make it read as the target."""
    for digits in range(4):
        shown = f"{value:.{digits}f}"
        if value == target or float(shown) != round(target, digits):
            return shown
    return shown


def _sweep_advice(name: str, levels: dict[int, list[RequestResult]], p95s: dict[int, float | None],
                  crossing: int | None, target: float) -> list[str]:
    """Advice on a sweep; ``crossing`` is the lowest level whose p95 reaches ``target`` (or
    that had no successful request), None if none."""
    out: list[str] = []
    if crossing is None:
        out.append(f"{name}: p95 stays below {target:.0f} ms up to concurrency {max(levels)}.")
    elif crossing == min(levels):
        out.append(f"{name}: p95 is above {target:.0f} ms even at concurrency {crossing}; the model "
                   "itself is slower than the target: use a faster model or fewer output tokens.")
    else:
        below = max(c for c in levels if c < crossing)
        shown = "no successful request" if p95s[crossing] is None else f"{p95s[crossing]:.0f} ms"
        out.append(f"{name}: p95 crosses {target:.0f} ms at concurrency {crossing} ({shown}); "
                   f"keep concurrency at or below {below} to stay under it.")
    rates = {c: _throughput(rs) or 0.0 for c, rs in levels.items()}
    peak = max(rates.values())
    # the knee: the lowest level already within 10% of the best throughput
    knee = min(c for c, rate in rates.items() if rate >= 0.9 * peak)
    if knee != max(levels):
        out.append(f"{name}: throughput levels off at about {peak:.1f} req/s from concurrency {knee}; "
                   "more concurrency only adds queueing.")
    else:
        out.append(f"{name}: throughput still rises at concurrency {knee} ({rates[knee]:.1f} req/s); "
                   "the endpoint was not saturated.")
    failing = next((c for c, rs in levels.items() if any(r.error for r in rs)), None)
    if failing is not None:
        rs = levels[failing]
        share = sum(1 for r in rs if r.error) / len(rs)
        out.append(f"{name}: errors start at concurrency {failing} ({share:.0%} of its requests: "
                   f"{_common_error(rs)}); stay below it or raise the rate limit.")
    return out


def _common_error(results: Sequence[RequestResult]) -> str:
    counts = Counter(r.error for r in results if r.error)
    if not counts:
        return "no error message"
    message, _ = counts.most_common(1)[0]
    return message if len(message) <= 80 else message[:77] + "..."
