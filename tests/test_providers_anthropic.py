"""The Anthropic provider against a local server that speaks the Messages streaming protocol."""

from __future__ import annotations

import asyncio

import fault_server as fs  # tests/ is on sys.path (conftest.py)
import pytest

from azr_actors.providers.anthropic import ANTHROPIC_VERSION, AnthropicProvider
from azr_actors.providers.base import CompletionRequest, ProviderError, RetryInfo

KEY = "sk-ant-test-9876543210SECRET"


REQUEST = CompletionRequest(prompt="def add(a, b):\n    pass\n", task_id="T/0", salt="salt-xyz",
                            temperature=0.3, max_tokens=99)


def make(server, **kw) -> AnthropicProvider:
    settings = dict(api_key=KEY, base_url=server.url, backoff_base_s=0.001, backoff_max_s=0.01,
                    max_retries=3, first_token_timeout_s=2.0, timeout_s=5.0)
    settings.update(kw)
    return AnthropicProvider("claude-3-5-haiku-20241022", **settings)


async def call(provider, retries: list[RetryInfo] | None = None):
    try:
        return await asyncio.wait_for(provider.complete(REQUEST, None if retries is None else retries.append), 10)
    finally:
        await provider.close()


async def test_streams_text_and_usage_with_the_anthropic_headers():
    async with fs.FaultServer() as server:
        done = await call(make(server))
        sent = server.received[0]
    assert done.text == fs.REPLY and not done.tokens_estimated
    assert (done.prompt_tokens, done.completion_tokens) == (fs.PROMPT_TOKENS, len(server._chunks()))
    assert done.cost_usd == pytest.approx((42 * 0.80 + done.completion_tokens * 4.00) / 1e6)
    assert sent.path == "/v1/messages"
    assert sent.headers["x-api-key"] == KEY and sent.headers["anthropic-version"] == ANTHROPIC_VERSION
    body = sent.body
    assert (body["max_tokens"], body["temperature"], body["stream"]) == (99, 0.3, True)
    assert "salt-xyz" in body["messages"][0]["content"] and REQUEST.prompt in body["messages"][0]["content"]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (fs.Fault("rate_limit", retry_after="0"), "rate_limited"),
        (fs.Fault("server_error", status=529), "server_error"),
        (fs.Fault("drop"), "connection_error"),
        (fs.Fault("malformed"), "malformed_response"),
        (fs.Fault("truncated"), "truncated_stream"),
        (fs.Fault("stream_error"), "server_error"),
        (fs.Fault("hang", delay_s=3.0), "first_token_timeout"),
    ],
)
async def test_recovers_from_one_fault_and_reports_the_retry(fault, reason):
    retries: list[RetryInfo] = []
    async with fs.FaultServer() as server:
        server.script(fault)
        done = await call(make(server, first_token_timeout_s=0.3), retries)
        assert len(server.received) == 2
    assert done.text == fs.REPLY and done.retries == 1
    assert [(r.attempt, r.reason) for r in retries] == [(1, reason)]


async def test_plain_json_message_is_read():
    async with fs.FaultServer(default=fs.Fault("json")) as server:
        done = await call(make(server))
    assert done.text == fs.REPLY and done.prompt_tokens == fs.PROMPT_TOKENS


async def test_authentication_error_is_fatal_and_redacted():
    async with fs.FaultServer(default=fs.Fault("unauthorized")) as server:
        with pytest.raises(ProviderError) as info:
            await call(make(server))
        assert len(server.received) == 1
    assert info.value.fatal and "HTTP 401" in str(info.value) and KEY not in str(info.value)


async def test_persistent_overload_gives_up_with_a_clear_message():
    async with fs.FaultServer(default=fs.Fault("server_error", status=529)) as server:
        with pytest.raises(ProviderError, match=r"gave up after 1 retries: server_error \(HTTP 529: Internal server error\)"):
            await call(make(server, max_retries=1))


def test_missing_key_is_fatal(monkeypatch):
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ProviderError) as info:
        AnthropicProvider("claude-sonnet-4")
    assert str(info.value) == "anthropic:claude-sonnet-4: ANTHROPIC_API_KEY is not set" and info.value.fatal


def test_key_from_environment_and_spec(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    provider = AnthropicProvider("claude-sonnet-4")
    assert provider.spec == "anthropic:claude-sonnet-4" and provider.name == "claude-sonnet-4"
    assert (provider.provider, provider.simulated, provider.live) == ("anthropic", False, True)
    assert provider._headers()["x-api-key"] == KEY and KEY not in repr(provider)
