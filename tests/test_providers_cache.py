"""The response cache: a rerun costs nothing and says so."""

from __future__ import annotations

import asyncio
import dataclasses
import sqlite3

import fault_server as fs  # tests/ is on sys.path (conftest.py)
import pytest

from azr_actors.providers.base import Completion, CompletionRequest, ProviderError
from azr_actors.providers.cache import ResponseCache, cache_key, default_cache_path
from azr_actors.providers.openai import OpenAIProvider

REQUEST = CompletionRequest(prompt="def f():\n", task_id="T/1", sample_idx=2, salt="s")


@pytest.mark.parametrize(
    "change",
    [{"prompt": "def g():\n"}, {"salt": "t"}, {"sample_idx": 3}, {"temperature": 0.1},
     {"max_tokens": 5}, {"seed": 1}, {"kind": "chat"}],
)
def test_every_part_of_the_request_changes_the_key(change):
    base = cache_key("openai", "m", REQUEST)
    assert cache_key("openai", "m", dataclasses.replace(REQUEST, **change)) != base


def test_model_provider_and_params_change_the_key_but_task_id_does_not():
    base = cache_key("openai", "m", REQUEST)
    assert base == cache_key("openai", "m", dataclasses.replace(REQUEST, task_id="other"))
    assert len({base, cache_key("anthropic", "m", REQUEST), cache_key("openai", "n", REQUEST),
                cache_key("openai", "m", REQUEST, {"url": "x"})}) == 4


def test_a_hit_is_free_and_marked_and_survives_reopening(tmp_path):
    path = tmp_path / "c.sqlite"
    cache = ResponseCache(path)
    original = Completion("x", ttft_ms=5.0, total_ms=9.0, prompt_tokens=3, completion_tokens=4,
                          cost_usd=0.5, retries=2)
    cache.put("k", "m", original)
    cache.close()
    with ResponseCache(path) as reopened:
        hit = reopened.get("k")
        assert hit == dataclasses.replace(original, cost_usd=0.0, retries=0, cached=True)
        assert reopened.get("missing") is None and (reopened.hits, reopened.misses) == (1, 1)
        assert len(reopened) == 1


def test_default_path_sits_next_to_the_log_or_in_the_cache_dir(tmp_path, monkeypatch):
    assert default_cache_path(tmp_path / "run.sqlite") == tmp_path / "run.sqlite.responses.sqlite"
    monkeypatch.setenv("AZR_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_path() == tmp_path / "c" / "responses.sqlite"


async def test_second_identical_call_never_reaches_the_server(tmp_path):
    cache = ResponseCache(tmp_path / "c.sqlite")
    async with fs.FaultServer() as server:
        provider = OpenAIProvider("gpt-4o-mini", server.url + "/v1", api_key="k", cache=cache, owns_cache=True)
        try:
            first = await asyncio.wait_for(provider.complete(REQUEST), 10)
            again = await asyncio.wait_for(provider.complete(REQUEST), 10)
            other = await asyncio.wait_for(provider.complete(dataclasses.replace(REQUEST, salt="u")), 10)
        finally:
            await provider.close()
        assert len(server.received) == 2
    assert not first.cached and first.cost_usd > 0
    assert again.cached and again.cost_usd == 0.0 and again.text == first.text
    assert (again.prompt_tokens, again.completion_tokens) == (first.prompt_tokens, first.completion_tokens)
    assert not other.cached
    with pytest.raises(sqlite3.ProgrammingError):  # the provider owned the cache and closed it
        len(cache)


async def test_failures_are_not_cached(tmp_path):
    with ResponseCache() as cache:
        async with fs.FaultServer(default=fs.Fault("server_error")) as server:
            provider = OpenAIProvider("m", server.url + "/v1", api_key="k", cache=cache, max_retries=0)
            with pytest.raises(ProviderError):
                await asyncio.wait_for(provider.complete(REQUEST), 10)
            await provider.close()
        assert len(cache) == 0  # a cache the provider does not own outlives it
