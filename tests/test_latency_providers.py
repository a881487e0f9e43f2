"""Latency scenarios through the real provider code and wire protocol (local fault server)."""

from __future__ import annotations

import asyncio

import fault_server as fs  # tests/ is on sys.path (conftest.py)

from azr_actors.latency import run_scenario, summarize
from azr_actors.providers.cache import ResponseCache
from azr_actors.providers.openai import OpenAIProvider


def _provider(server, **kw) -> OpenAIProvider:
    return OpenAIProvider("local", server.url + "/v1", api_key="k", backoff_base_s=0.001,
                          backoff_max_s=0.002, **kw)


async def test_normal_scenario_measures_first_token_and_total_time_and_skips_the_cache():
    with ResponseCache() as cache:
        async with fs.FaultServer(default=fs.Fault("ok", delay_s=0.03)) as server:
            provider = _provider(server, cache=cache)
            try:
                first = await asyncio.wait_for(run_scenario(provider, "normal", requests=6), 10)
                second = await asyncio.wait_for(run_scenario(provider, "normal", requests=6), 10)
            finally:
                await provider.close()
            assert len(server.received) == 12 and server.peak_in_flight == 2
        assert all(r.ok and 30 <= r.ttft_ms <= r.total_ms for r in first + second)
        figures = summarize(first)["scenarios"]["normal"]
        assert figures["requests"] == 6 and figures["errors"] == 0
        assert 30 <= figures["ttft_p95_ms"] <= figures["p95_ms"] and figures["throughput_rps"] > 0


async def test_faults_become_retries_or_errors_and_nothing_is_lost():
    async with fs.FaultServer() as server:
        server.script(fs.Fault("server_error"), fs.Fault("truncated"), fs.Fault("rate_limit", retry_after="0"))
        provider = _provider(server, max_retries=2)
        try:
            results = await asyncio.wait_for(run_scenario(provider, "high", requests=8), 10)
        finally:
            await provider.close()
    assert [r.request_idx for r in results] == list(range(8))
    assert all(r.ok for r in results) and sum(r.retries for r in results) == 3
    async with fs.FaultServer(default=fs.Fault("unauthorized")) as server:
        provider = _provider(server)
        try:
            failed = await asyncio.wait_for(run_scenario(provider, "normal", requests=3), 10)
        finally:
            await provider.close()
    assert [bool(r.error) for r in failed] == [True] * 3 and "HTTP 401" in failed[0].error
    assert summarize(failed)["scenarios"]["normal"]["errors"] == 3
