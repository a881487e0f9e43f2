"""No API key reaches anything a provider returns, raises, reprs or stores."""

from __future__ import annotations

import asyncio

import fault_server as fs  # tests/ is on sys.path (conftest.py)
import pytest

from azr_actors.providers.anthropic import AnthropicProvider
from azr_actors.providers.base import CompletionRequest, ProviderError, RetryInfo
from azr_actors.providers.cache import ResponseCache
from azr_actors.providers.openai import OpenAIProvider

KEY = "sk-proj-SECRETSECRET-5f3a9c0e71d2"


def _exception_texts(exc: BaseException) -> list[str]:
    texts = [str(exc), repr(exc), repr(exc.args)]
    assert exc.__cause__ is None and exc.__context__ is None, "a chained exception may carry request headers"
    return texts


def _providers(url: str, cache: ResponseCache):
    common = dict(api_key=KEY, backoff_base_s=0.001, backoff_max_s=0.002, max_retries=1,
                  first_token_timeout_s=0.3, cache=cache)
    return [OpenAIProvider("gpt-4o-mini", url + "/v1", **common),
            AnthropicProvider("claude-3-5-haiku", base_url=url, **common)]


@pytest.mark.parametrize("which", [0, 1])
async def test_the_key_appears_nowhere(which, tmp_path):
    seen: list[str] = []
    cache_path = tmp_path / "responses.sqlite"
    cache = ResponseCache(cache_path)
    async with fs.FaultServer() as server:
        provider = _providers(server.url, cache)[which]
        seen += [repr(provider), provider.spec, provider.name, repr(vars(provider).get("policy"))]
        server.script(fs.Fault("server_error"), fs.Fault("ok"),           # retried, then fine
                      fs.Fault("unauthorized"),                          # fatal, echoes the key
                      fs.Fault("hang", delay_s=2.0), fs.Fault("drop"))   # retries exhausted
        for i in range(3):
            retries: list[RetryInfo] = []
            request = CompletionRequest(prompt="def f(): pass", task_id=f"T/{i}", salt=f"s{i}")
            try:
                done = await asyncio.wait_for(provider.complete(request, retries.append), 10)
                seen.append(repr(done))
            except ProviderError as exc:
                seen += _exception_texts(exc)
            seen += [repr(r) for r in retries]
        await provider.close()
        assert sum(KEY in str(r.headers) for r in server.received) == 5  # it did travel, to the server only
    cache.close()
    assert any("Incorrect API key" in text for text in seen)
    assert not [text for text in seen if KEY in text or KEY[-12:] in text]
    for stored in tmp_path.iterdir():
        assert KEY.encode() not in stored.read_bytes(), stored.name
