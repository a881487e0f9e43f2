"""The OpenAI-compatible provider against a local server that speaks its wire protocol."""

from __future__ import annotations

import asyncio

import fault_server as fs  # tests/ is on sys.path (conftest.py)
import pytest

from azr_actors.providers.base import CompletionRequest, ProviderError, RetryInfo
from azr_actors.providers.openai import OpenAIProvider, public_url

KEY = "sk-test-0123456789abcdefSECRET"


REQUEST = CompletionRequest(prompt="def add(a, b):\n    pass\n", task_id="T/0", sample_idx=3,
                            salt="salt-abc", temperature=0.2, max_tokens=64, seed=7)


def make(server, **kw) -> OpenAIProvider:
    settings = dict(api_key=KEY, backoff_base_s=0.001, backoff_max_s=0.01, max_retries=3,
                    first_token_timeout_s=2.0, timeout_s=5.0)
    settings.update(kw)
    return OpenAIProvider("gpt-4o-mini", server.url + "/v1", **settings)


async def call(provider, request=REQUEST, retries: list[RetryInfo] | None = None):
    try:
        return await asyncio.wait_for(provider.complete(request, None if retries is None else retries.append), 10)
    finally:
        await provider.close()


async def test_streams_text_usage_and_sends_the_request_fields():
    async with fs.FaultServer() as server:
        done = await call(make(server))
        sent = server.received[0]
    assert done.text == fs.REPLY
    assert (done.prompt_tokens, done.completion_tokens) == (fs.PROMPT_TOKENS, len(server._chunks()))
    assert not done.tokens_estimated and done.retries == 0 and not done.cached
    assert 0 < done.ttft_ms <= done.total_ms
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    body = sent.body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["temperature"], body["max_tokens"], body["seed"]) == ("gpt-4o-mini", 0.2, 64, 7)
    user = body["messages"][-1]["content"]
    assert REQUEST.prompt in user and "(request id: salt-abc" in user and "```python" in user


async def test_chat_requests_send_the_prompt_itself_with_the_salt():
    async with fs.FaultServer() as server:
        await call(make(server), CompletionRequest(prompt="Say hi.", task_id="h", kind="chat", salt="n1"))
        user = server.received[0].body["messages"][-1]["content"]
    assert user.startswith("Say hi.") and "n1" in user and "```" not in user


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (fs.Fault("server_error", status=500), "server_error"),
        (fs.Fault("server_error", status=503), "server_error"),
        (fs.Fault("drop"), "connection_error"),
        (fs.Fault("malformed"), "malformed_response"),
        (fs.Fault("truncated"), "truncated_stream"),
        (fs.Fault("stream_error"), "stream_error"),
        (fs.Fault("hang", delay_s=3.0), "first_token_timeout"),
        (fs.Fault("slow", delay_s=1.0), "first_token_timeout"),
    ],
)
async def test_recovers_from_one_fault_and_reports_the_retry(fault, reason):
    retries: list[RetryInfo] = []
    async with fs.FaultServer() as server:
        server.script(fault)
        done = await call(make(server, first_token_timeout_s=0.3), retries=retries)
        assert len(server.received) == 2
    assert done.text == fs.REPLY and done.retries == 1
    assert [(r.attempt, r.reason) for r in retries] == [(1, reason)]
    assert 0 <= retries[0].delay_s <= 0.001


async def test_429_burst_honours_retry_after():
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    retries: list[RetryInfo] = []
    async with fs.FaultServer() as server:
        server.script(*[fs.Fault("rate_limit", retry_after="2")] * 3)
        done = await call(make(server, sleep=fake_sleep, retry_budget_s=60), retries=retries)
    assert done.text == fs.REPLY and done.retries == 3
    assert slept == [2.0, 2.0, 2.0]
    assert [r.reason for r in retries] == ["rate_limited"] * 3
    assert retries[0].extra["status"] == "429"


async def test_slow_first_token_within_the_deadline_is_measured_not_retried():
    async with fs.FaultServer() as server:
        server.script(fs.Fault("slow", delay_s=0.2))
        done = await call(make(server))
    assert done.retries == 0 and done.ttft_ms >= 180


async def test_gives_up_after_max_retries_with_a_one_line_message():
    async with fs.FaultServer(default=fs.Fault("server_error")) as server:
        with pytest.raises(ProviderError) as info:
            await call(make(server, max_retries=2))
        assert len(server.received) == 3
        url = server.url
    err = info.value
    assert not err.fatal and err.retries == 2
    assert "gave up after 2 retries: server_error (HTTP 500" in str(err) and "\n" not in str(err)
    assert str(err).startswith(f"openai:gpt-4o-mini@{url}/v1: ")


async def test_retry_after_beyond_the_budget_gives_up_without_waiting():
    async with fs.FaultServer() as server:
        server.script(fs.Fault("rate_limit", retry_after="100"))
        with pytest.raises(ProviderError, match="retry budget of 5s exhausted after 0 retries: rate_limited"):
            await call(make(server, retry_budget_s=5))


async def test_hanging_server_ends_in_an_error_not_a_hang():
    async with fs.FaultServer(default=fs.Fault("hang", delay_s=5.0)) as server:
        with pytest.raises(ProviderError, match="first_token_timeout"):
            await call(make(server, first_token_timeout_s=0.2, max_retries=1))


async def test_unauthorized_is_fatal_and_not_retried():
    async with fs.FaultServer(default=fs.Fault("unauthorized")) as server:
        with pytest.raises(ProviderError) as info:
            await call(make(server))
        assert len(server.received) == 1
    assert info.value.fatal and info.value.retries == 0
    assert "HTTP 401 unauthorized" in str(info.value) and KEY not in str(info.value)


async def test_server_without_stream_options_gets_a_flagged_estimate():
    async with fs.FaultServer() as server:
        server.script(fs.Fault("reject_stream_options"), fs.Fault("reject_stream_options"))
        provider = make(server)
        first = await asyncio.wait_for(provider.complete(REQUEST), 10)
        second = await call(provider)
        bodies = [r.body for r in server.received]
    assert "stream_options" in bodies[0] and all("stream_options" not in b for b in bodies[1:])
    assert len(bodies) == 3 and first.retries == 0 and second.text == fs.REPLY
    assert first.tokens_estimated and first.completion_tokens == -(-len(fs.REPLY) // 4)


async def test_stream_without_usage_is_estimated_and_plain_json_is_read():
    async with fs.FaultServer() as server:
        server.script(fs.Fault("no_usage"), fs.Fault("json"))
        provider = make(server)
        bare = await asyncio.wait_for(provider.complete(REQUEST), 10)
        whole = await call(provider)
    assert bare.text == fs.REPLY and bare.tokens_estimated
    assert whole.text == fs.REPLY and not whole.tokens_estimated
    assert whole.prompt_tokens == fs.PROMPT_TOKENS
    # a whole body has no first token: its time is unknown, not the total
    assert bare.ttft_ms is not None and whole.ttft_ms is None and whole.total_ms > 0


async def test_concurrent_calls_respect_the_concurrency_limit():
    async with fs.FaultServer(default=fs.Fault("ok", delay_s=0.02)) as server:
        provider = make(server, concurrency=3)
        try:
            done = await asyncio.wait_for(asyncio.gather(*(provider.complete(REQUEST) for _ in range(12))), 10)
        finally:
            await provider.close()
        assert server.peak_in_flight <= 3
    assert all(d.text == fs.REPLY for d in done)


async def test_rate_limits_shrink_the_limiter_and_successes_restore_it():
    async with fs.FaultServer() as server:
        server.script(*[fs.Fault("rate_limit", retry_after="0")] * 4)
        provider = make(server, concurrency=8, max_retries=6)
        try:
            await asyncio.wait_for(asyncio.gather(*(provider.complete(REQUEST) for _ in range(4))), 10)
            shrunk = provider.limiter.statistics()
            for _ in range(60):
                await asyncio.wait_for(provider.complete(REQUEST), 10)
        finally:
            await provider.close()
    assert shrunk.decreases >= 1 and shrunk.limit < 8
    assert provider.limiter.limit == 8


def test_reasoning_models_get_max_completion_tokens():
    provider = OpenAIProvider("o3-mini", "http://127.0.0.1:1/v1", api_key=KEY)
    payload = provider._payload(REQUEST)
    assert payload["max_completion_tokens"] == 64 and "max_tokens" not in payload and "temperature" not in payload


def test_spec_and_urls_hide_credentials():
    provider = OpenAIProvider("m", "http://user:pw@127.0.0.1:8000/v1?api_key=zz", api_key=KEY)
    assert provider.spec == "openai:m@http://127.0.0.1:8000/v1"
    assert public_url("http://localhost:11434") == "http://localhost:11434"
    assert OpenAIProvider("m", "http://127.0.0.1:8000")._endpoint() == "http://127.0.0.1:8000/v1/chat/completions"


def test_settings_reach_the_retry_policy_and_unknown_ones_are_refused():
    provider = OpenAIProvider("m", "http://127.0.0.1:1/v1", api_key=KEY, max_retries=2, idle_timeout_s=7.5, concurrency=3)
    assert (provider.policy.max_retries, provider.policy.idle_timeout_s) == (2, 7.5)
    assert provider.policy.timeout_s == 180.0  # unset: RetryPolicy's default
    assert provider.limiter.limit == 3
    with pytest.raises(TypeError, match="unexpected settings: timeout"):
        OpenAIProvider("m", "http://127.0.0.1:1/v1", api_key=KEY, timeout=5)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="concurrency must be >= 1"):
        OpenAIProvider("m", "http://127.0.0.1:1/v1", api_key=KEY, concurrency=0)


def test_missing_key_for_api_openai_com_is_fatal(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(ProviderError) as info:
        OpenAIProvider("gpt-4o")
    assert str(info.value) == "openai:gpt-4o: OPENAI_API_KEY is not set" and info.value.fatal


async def test_cost_follows_the_price_table_and_unknown_models_are_flagged():
    async with fs.FaultServer() as server:
        priced = await call(make(server))
        unknown = await call(OpenAIProvider("my-local-llm", server.url + "/v1", api_key=KEY))
    assert priced.price_known
    assert priced.cost_usd == pytest.approx((fs.PROMPT_TOKENS * 0.15 + priced.completion_tokens * 0.60) / 1e6)
    assert not unknown.price_known and unknown.cost_usd == 0.0


@pytest.mark.parametrize(
    ("usage", "counts"),
    [
        ({"completion_tokens": 3, "total_tokens": 3}, (None, 3)),
        ({"prompt_tokens": None, "completion_tokens": 3}, (None, 3)),
        ({"prompt_tokens": 5, "completion_tokens": 3}, (5, 3)),
        (None, (None, None)),
    ],
)
def test_partial_or_null_usage_is_read_and_the_rest_estimated(usage, counts):
    provider = OpenAIProvider("m", "http://127.0.0.1:1/v1", api_key=KEY)
    parsed = provider._read_json({"choices": [{"message": {"content": "hi"}}], "usage": usage, "error": None})
    assert (parsed.text, parsed.prompt_tokens, parsed.completion_tokens) == ("hi", *counts)
