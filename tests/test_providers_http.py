"""The shared HTTP machinery: retry policy, Retry-After, redaction, prompts, AIMD limiter, SSE."""

from __future__ import annotations

import asyncio
import random

import pytest

from azr_actors.providers.base import CompletionRequest
from azr_actors.providers.http import (
    AdaptiveLimiter,
    RetryPolicy,
    SSEEvent,
    SSEReader,
    parse_retry_after,
    redact,
    render_prompt,
)


def test_full_jitter_backoff_stays_under_a_growing_capped_ceiling():
    policy = RetryPolicy(backoff_base_s=0.5, backoff_max_s=4.0)
    rng = random.Random(1)
    for attempt, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)]:
        draws = [policy.backoff(attempt, rng) for _ in range(200)]
        assert all(0.0 <= d <= cap for d in draws)
        assert max(draws) > 0.8 * cap  # full jitter spans the whole interval


def test_policy_rejects_negative_settings():
    with pytest.raises(ValueError, match="max_retries must be >= 0"):
        RetryPolicy(max_retries=-1)
    with pytest.raises(ValueError, match="first_token_timeout_s must be >= 0"):
        RetryPolicy(first_token_timeout_s=-1)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"Retry-After": "3"}, 3.0), ({"retry-after": "0.5"}, 0.5), ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
     ({"Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT"}, 10.0), ({"Retry-After": "soon"}, None), ({}, None)],
)
def test_retry_after_forms(headers, expected):
    # 07:28:00 GMT on that date, so the HTTP date is 10 s away
    assert parse_retry_after(headers, now=1445412480.0) == expected


def test_redact_removes_the_secret_and_key_shaped_tokens():
    text = "bad key sk-abc123XYZ and sk-proj-****wxyz for secret-value-123"
    out = redact(text, ("secret-value-123",))
    assert "abc123" not in out and "wxyz" not in out and "secret-value" not in out
    assert out.startswith("bad key [redacted]")
    assert redact("Bearer abc.def-123 failed") == "[redacted] failed"
    assert redact("api_error: overloaded_error, key_count 3") == "api_error: overloaded_error, key_count 3"


def test_prompts_carry_the_salt_and_ask_for_a_code_block():
    code = render_prompt(CompletionRequest(prompt="def f(x):\n", task_id="t", salt="abc"))
    assert "```python\ndef f(x):\n" in code and code.endswith("(request id: abc; ignore this line)")
    assert render_prompt(CompletionRequest(prompt="Hello", task_id="t", kind="chat")) == "Hello"
    assert "tests" in render_prompt(CompletionRequest(prompt="def f(x):\n", task_id="t", kind="tests"))


async def test_limiter_halves_once_per_burst_and_recovers_additively():
    limiter = AdaptiveLimiter(8, minimum=2, maximum=8)
    tickets = [await limiter.acquire() for _ in range(4)]
    for ticket in tickets:  # four 429s from the same burst: one cut
        limiter.rate_limited(ticket)
        limiter.release()
    assert limiter.limit == 4
    for _ in range(3):
        limiter.rate_limited(await limiter.acquire())
        limiter.release()
    assert limiter.limit == 2  # bounded below
    successes = 0
    while limiter.limit < 8:
        limiter.succeeded()
        successes += 1
    assert limiter.limit == 8 and successes == 2 + 3 + 4 + 5 + 6 + 7  # one slot per window
    limiter.succeeded()
    assert limiter.limit == 8  # bounded above
    stats = limiter.statistics()
    assert (stats.decreases, stats.increases, stats.in_flight, stats.peak_in_flight) == (2, 6, 0, 4)


async def test_limiter_blocks_beyond_the_limit_and_wakes_on_release():
    limiter = AdaptiveLimiter(2)
    await limiter.acquire()
    await limiter.acquire()
    third = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    assert not third.done() and limiter.statistics().waiting == 1
    limiter.release()
    await asyncio.wait_for(third, 1)
    assert limiter.statistics().in_flight == 2


async def test_a_cancelled_waiter_does_not_swallow_a_wake_up():
    limiter = AdaptiveLimiter(1)
    await limiter.acquire()
    first = asyncio.create_task(limiter.acquire())
    second = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    limiter.release()  # wakes `first` ...
    first.cancel()  # ... which is cancelled before it runs
    await asyncio.wait_for(second, 1)
    assert first.cancelled() and limiter.statistics().in_flight == 1


def test_limiter_rejects_inconsistent_bounds():
    with pytest.raises(ValueError, match="need 1 <= minimum <= initial <= maximum"):
        AdaptiveLimiter(4, minimum=5)


class _Chunks:
    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = list(chunks)

    async def readany(self) -> bytes:
        return self._chunks.pop(0) if self._chunks else b""


async def test_sse_reader_handles_split_lines_crlf_comments_and_multiline_data():
    reader = SSEReader(_Chunks([b": hello\r\nevent: a\r\nda", b"ta: 1\r\ndata: 2\r\n\r\n", b"data: {\"x\"", b": 1}\n\n",
                                b"data: cut-off"]))  # type: ignore[arg-type]
    events = []
    while (event := await reader.next()) is not None:
        events.append(event)
    assert events == [SSEEvent("a", "1\n2"), SSEEvent("message", '{"x": 1}')]


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo"])
@pytest.mark.parametrize("date", ["Wed Oct 21 07:28:10 2015", "Wed, 21 Oct 2015 07:28:10 -0000"])
def test_retry_after_dates_without_a_zone_are_gmt_wherever_we_run(monkeypatch, tz, date):
    import time

    monkeypatch.setenv("TZ", tz)
    time.tzset()
    try:
        assert parse_retry_after({"Retry-After": date}, now=1445412480.0) == 10.0
    finally:
        monkeypatch.undo()
        time.tzset()


async def _events(chunks: list[bytes]) -> list[SSEEvent]:
    reader = SSEReader(_Chunks(chunks))  # type: ignore[arg-type]
    events = []
    while (event := await reader.next()) is not None:
        events.append(event)
    return events


@pytest.mark.parametrize(
    ("chunks", "expected"),
    [
        ([b"data: 1\r\rdata: 2\r\r"], [SSEEvent("message", "1"), SSEEvent("message", "2")]),
        ([b"data: 1\r", b"\n\r", b"\n"], [SSEEvent("message", "1")]),  # CRLF split across chunks
        ([b"\xef\xbb\xbfdata: 1\n\n"], [SSEEvent("message", "1")]),
        ([b"data: a\xffb\n\n"], [SSEEvent("message", "a\ufffdb")]),
    ],
)
async def test_sse_reader_takes_lone_cr_lines_a_bom_and_stray_bytes(chunks, expected):
    assert await _events(chunks) == expected


def test_error_details_from_fastapi_bodies_and_null_errors():
    from azr_actors.providers.retry import error_detail

    assert error_detail(b'{"detail": "Model llama3 not found"}') == "Model llama3 not found"
    assert error_detail(b'{"error": null, "message": "overloaded"}') == "overloaded"
    assert error_detail(b'{"error": {"message": "bad key"}}') == "bad key"
    assert error_detail(b"plain text\n") == "plain text"


def test_public_urls_keep_ipv6_brackets_so_endpoints_stay_apart():
    from azr_actors.providers.http import public_url

    assert public_url("http://user:pw@[::1]:8000/v1?key=x") == "http://[::1]:8000/v1"
    assert public_url("http://[::1]:8000/v1") != public_url("http://[::1:8000]/v1")


def test_an_integer_temperature_and_its_float_share_a_cache_key():
    from azr_actors.providers.cache import cache_key

    request = CompletionRequest(prompt="p", task_id="T/0", sample_idx=0, salt="s", temperature=1, max_tokens=8, seed=1)
    same = CompletionRequest(prompt="p", task_id="T/0", sample_idx=0, salt="s", temperature=1.0, max_tokens=8, seed=1)
    assert cache_key("openai", "m", request) == cache_key("openai", "m", same)
