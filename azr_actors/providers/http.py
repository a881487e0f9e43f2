"""What the live HTTP providers share: the request loop, prompts, secrets.

* :class:`HTTPProvider`: the retry loop, cache, timing and pricing around one
  wire protocol; subclasses build the request and read its stream.
* The parts it is built from live in their own modules and are re-exported
  here: :mod:`~azr_actors.providers.retry` (:class:`RetryPolicy`,
  ``Retry-After``, :class:`Transient` / :class:`Fatal`),
  :mod:`~azr_actors.providers.limiter` (:class:`AdaptiveLimiter`, AIMD
  concurrency) and :mod:`~azr_actors.providers.sse` (:class:`SSEReader`).

Failures of one attempt are :class:`Transient` (retry) or :class:`Fatal` (do
not); neither leaves this module: callers get :class:`ProviderError` with a
one-line message, raised outside any ``except`` block so that no aiohttp
exception (whose request info holds the auth header) rides along as its
context. Every message passes through :func:`redact` first.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, fields, replace
from typing import Any, TypedDict, Unpack
from urllib.parse import urlsplit, urlunsplit

import aiohttp

from azr_actors.providers.base import (
    Completion,
    CompletionRequest,
    ProviderError,
    RetryCallback,
    RetryInfo,
)
from azr_actors.providers.cache import ResponseCache, cache_key
from azr_actors.providers.limiter import AdaptiveLimiter, LimiterStatistics
from azr_actors.providers.pricing import PRICES_ENV, PriceTable, load_prices
from azr_actors.providers.retry import (
    RETRYABLE_STATUS,
    Fatal,
    RetryPolicy,
    Transient,
    error_detail,
    parse_retry_after,
)
from azr_actors.providers.sse import DeadlineReader, SSEEvent, SSEReader

__all__ = [
    "SYSTEM_PROMPT",
    "AdaptiveLimiter",
    "Fatal",
    "HTTPProvider",
    "HTTPSettings",
    "LimiterStatistics",
    "LiveCompletion",
    "Parsed",
    "RetryPolicy",
    "SSEEvent",
    "SSEReader",
    "Sleep",
    "Transient",
    "error_detail",
    "parse_retry_after",
    "public_url",
    "redact",
    "render_prompt",
    "token_count",
]

Sleep = Callable[[float], Awaitable[None]]


class HTTPSettings(TypedDict, total=False):
    """The keyword settings every HTTP provider takes; unset ones keep their defaults.

    Timeouts, retries and backoff default to :class:`RetryPolicy`'s fields of
    the same names; ``concurrency`` (requests in flight at most) to 16. With
    ``owns_cache`` the provider closes its ``cache`` when it is closed.
    """

    timeout_s: float
    first_token_timeout_s: float
    idle_timeout_s: float
    max_retries: int
    retry_budget_s: float
    backoff_base_s: float
    backoff_max_s: float
    concurrency: int
    cache: ResponseCache | None
    owns_cache: bool
    prices: PriceTable | None
    rng: random.Random | None
    sleep: Sleep | None


_POLICY_FIELDS = frozenset(field.name for field in fields(RetryPolicy))


@dataclass(frozen=True)
class LiveCompletion(Completion):
    """A :class:`Completion` with accounting flags a live provider knows about.

    ``tokens_estimated`` is True when the server reported no usage and the
    token counts are a length-based estimate; ``price_known`` is False when
    the model is missing from the price table (its cost is then 0).
    """

    tokens_estimated: bool = False
    price_known: bool = True


# OpenAI/Anthropic-style keys (also masked ones servers echo back, sk-...****abcd) and bearer tokens
_KEYLIKE = re.compile(r"\b(?:sk|pk|rk)[-_][A-Za-z0-9_\-\*\.]{6,}|\bBearer\s+\S+")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """``text`` with every secret and anything shaped like an API key replaced."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


def public_url(url: str) -> str:
    """``url`` without user info, query or fragment (where credentials may hide)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


SYSTEM_PROMPT = "You are a careful Python programmer."
_CODE_INSTRUCTION = (
    "Complete the following Python function. Reply with the whole function "
    "(signature, body and any imports it needs) in a single ```python code block."
)
_TESTS_INSTRUCTION = (
    "Write tests for the following Python function as plain assert statements "
    "in a single ```python code block. Do not implement the function."
)


def render_prompt(request: CompletionRequest) -> str:
    """The user message for ``request``, ending with its salt as a harmless nonce line."""
    if request.kind == "code":
        body = f"{_CODE_INSTRUCTION}\n\n```python\n{request.prompt}\n```"
    elif request.kind == "tests":
        body = f"{_TESTS_INSTRUCTION}\n\n```python\n{request.prompt}\n```"
    else:
        body = request.prompt
    if request.salt:
        body += f"\n\n(request id: {request.salt}; ignore this line)"
    return body


@dataclass(frozen=True)
class Parsed:
    """What a subclass read from one response."""

    text: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    streamed: bool = True  #: False when the endpoint sent one whole body: no time to first token


def token_count(value: object) -> int | None:
    """A usage field as a token count; None (estimate it) when absent, null or not a number."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value)


class HTTPProvider:
    """The retry loop, cache, timing and pricing shared by the wire protocols.

    ``complete`` is safe to call from many tasks at once; the limiter bounds
    how many requests are in flight. Timings are measured from the call to
    ``complete``: ``ttft_ms`` to the first piece of text, ``total_ms`` to the
    end of the successful response, both including queueing and retries
    (what a user waits). An endpoint that answers with one whole JSON body
    instead of a stream has no first token: ``ttft_ms`` is None, not ``total_ms``.
    """

    provider = "http"
    simulated = False
    live = True

    def __init__(self, model: str, *, spec: str, url: str, api_key: str | None,
                 **settings: Unpack[HTTPSettings]) -> None:
        unknown = sorted(set(settings) - HTTPSettings.__optional_keys__)
        if unknown:
            raise TypeError(f"{type(self).__name__}() got unexpected settings: {', '.join(unknown)}")
        concurrency = settings.get("concurrency", 16)
        if concurrency < 1:
            raise ValueError("concurrency must be >= 1")
        policy = RetryPolicy(**{k: v for k, v in settings.items() if k in _POLICY_FIELDS})  # type: ignore[arg-type]
        prices = settings.get("prices")
        self._url = url
        self.name = model
        self.model = model
        self.spec = spec
        self.policy = policy
        self.limiter = AdaptiveLimiter(concurrency, maximum=concurrency)
        self.cache = settings.get("cache")
        self._owns_cache = settings.get("owns_cache", False)
        self.prices = prices if prices is not None else _default_prices(spec)
        self._secret = api_key or ""
        self._rng = settings.get("rng") or random.Random()
        self._sleep: Sleep = settings.get("sleep") or asyncio.sleep
        self._session: aiohttp.ClientSession | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.spec!r})"

    # -- what a wire protocol supplies ------------------------------------------------
    def _endpoint(self) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _payload(self, request: CompletionRequest) -> dict[str, Any]:
        raise NotImplementedError

    def _cache_params(self) -> dict[str, object]:
        """What besides the request makes a cached answer reusable: the endpoint, without credentials."""
        return {"url": public_url(self._url)}

    async def _read_stream(self, reader: SSEReader, first_token: Callable[[], None]) -> Parsed:
        raise NotImplementedError

    def _read_json(self, payload: Any) -> Parsed:
        raise NotImplementedError

    def _bad_request(self, status: int, detail: str) -> Transient | None:
        """A chance to turn a 400 into an immediate protocol fallback (None: fatal)."""
        return None

    # -- the shared machinery -----------------------------------------------------
    def _fail(self, message: str) -> str:
        return redact(f"{self.spec}: {message}", (self._secret,))

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None
        if self._owns_cache and self.cache is not None:
            self.cache.close()

    async def complete(self, request: CompletionRequest, on_retry: RetryCallback | None = None) -> Completion:
        key = None
        if self.cache is not None:
            key = cache_key(self.provider, self.model, request, self._cache_params())
            hit = self.cache.get(key, LiveCompletion)
            if hit is not None:
                return hit
        completion = await self._with_retries(request, on_retry)
        if self.cache is not None and key is not None:
            self.cache.put(key, self.model, completion)
        return completion

    async def _with_retries(self, request: CompletionRequest, on_retry: RetryCallback | None) -> LiveCompletion:
        started = time.perf_counter()  # timings use perf_counter: uvloop's clock has 1 ms steps
        retries = 0
        while True:
            first: list[float] = []
            parsed: Parsed | None = None
            failure: Transient | None = None
            fatal = ""
            async with self.limiter.slot() as ticket:
                try:
                    parsed = await self._attempt(request, first)
                except Transient as exc:
                    failure = exc
                except Fatal as exc:
                    fatal = exc.message
            if fatal:
                raise ProviderError(self._fail(fatal), retries=retries, fatal=True)
            if parsed is not None:
                self.limiter.succeeded()
                return self._finish(request, parsed, started, first, time.perf_counter(), retries)
            assert failure is not None
            if failure.rate_limited:
                self.limiter.rate_limited(ticket)
            if failure.reason == "protocol_fallback":
                continue
            delay = failure.retry_after if failure.retry_after is not None else self.policy.backoff(retries + 1, self._rng)
            message = self._give_up(failure, retries, time.perf_counter() - started + delay)
            if message:
                raise ProviderError(self._fail(message), retries=retries)
            retries += 1
            if on_retry is not None:
                extra = {"status": str(failure.status)} if failure.status is not None else {}
                if failure.detail:
                    extra["detail"] = self._fail(failure.detail).removeprefix(f"{self.spec}: ")
                on_retry(RetryInfo(retries, failure.reason, delay, extra))
            await self._sleep(delay)

    def _give_up(self, failure: Transient, retries: int, resume_at: float) -> str:
        """Why not to retry ``failure`` (empty: retry); ``resume_at`` is when the retry
        would start, in seconds since the first attempt began."""
        what = failure.reason + (f" ({failure.detail})" if failure.detail else "")
        if retries >= self.policy.max_retries:
            return f"gave up after {retries} retries: {what}"
        if resume_at > self.policy.retry_budget_s:
            return f"retry budget of {self.policy.retry_budget_s:g}s exhausted after {retries} retries: {what}"
        return ""

    def _finish(self, request: CompletionRequest, parsed: Parsed, started: float,
                first: list[float], ended: float, retries: int) -> LiveCompletion:
        estimated = parsed.prompt_tokens is None or parsed.completion_tokens is None
        prompt_tokens = parsed.prompt_tokens if parsed.prompt_tokens is not None else _estimate_tokens(render_prompt(request))
        completion_tokens = parsed.completion_tokens if parsed.completion_tokens is not None else _estimate_tokens(parsed.text)
        cost = self.prices.cost(self.model, prompt_tokens, completion_tokens)
        return LiveCompletion(
            text=parsed.text,
            ttft_ms=(first[0] - started) * 1000.0 if first and parsed.streamed else None,
            total_ms=(ended - started) * 1000.0,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost.usd,
            retries=retries,
            tokens_estimated=estimated,
            price_known=cost.known,
        )

    async def _attempt(self, request: CompletionRequest, first: list[float]) -> Parsed:
        loop = asyncio.get_running_loop()
        begun = loop.time()
        overall = begun + self.policy.timeout_s
        phase = "first_token_timeout"

        def first_token() -> None:
            nonlocal phase
            if not first:
                first.append(time.perf_counter())
                phase = "timeout"

        try:
            async with asyncio.timeout_at(min(overall, begun + self.policy.first_token_timeout_s)) as deadline:
                async with self._client().post(self._endpoint(), json=self._payload(request),
                                               headers=self._headers()) as response:
                    await self._check_status(response)
                    if "event-stream" not in response.headers.get("Content-Type", ""):
                        body = await response.read()
                        first_token()
                        return replace(self._read_json(json.loads(body)), streamed=False)
                    reader = DeadlineReader(response.content, deadline, loop, overall,
                                             self.policy.idle_timeout_s, lambda: bool(first))
                    return await self._read_stream(reader, first_token)
        except (Transient, Fatal):
            raise
        except TimeoutError:
            limit = self.policy.first_token_timeout_s if phase == "first_token_timeout" else self.policy.timeout_s
            reason = phase if phase == "first_token_timeout" else "timeout"
            raise Transient(reason, f"no {'first token' if reason != 'timeout' else 'complete response'} within {limit:g}s") from None
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as exc:
            raise Transient("connection_error", type(exc).__name__) from None
        except aiohttp.ClientError as exc:
            raise Transient("connection_error", type(exc).__name__) from None
        except (ValueError, KeyError, TypeError, IndexError, AttributeError) as exc:
            raise Transient("malformed_response", type(exc).__name__) from None

    async def _check_status(self, response: aiohttp.ClientResponse) -> None:
        status = response.status
        if status < 300:
            return
        detail = error_detail(await response.content.read(8192))
        if status == 429:
            raise Transient("rate_limited", detail, retry_after=parse_retry_after(response.headers),
                            rate_limited=True, status=status)
        if status in RETRYABLE_STATUS or status >= 500:
            raise Transient("server_error", f"HTTP {status}: {detail}",
                            retry_after=parse_retry_after(response.headers), status=status)
        if status == 400:
            fallback = self._bad_request(status, detail)
            if fallback is not None:
                raise fallback
        labels = {401: "unauthorized (check the API key)", 403: "forbidden", 404: "not found (check the model name and base URL)"}
        raise Fatal(f"HTTP {status} {labels.get(status, 'rejected')}: {detail}")


def _estimate_tokens(text: str) -> int:
    """About four characters a token, the usual rule of thumb for English and code."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def _default_prices(spec: str) -> PriceTable:
    """The built-in table extended by ``$AZR_PRICES``; a bad file is a fatal ProviderError."""
    problem = ""
    try:
        return load_prices()
    except (OSError, ValueError) as exc:
        problem = " ".join(str(exc).split())
    raise ProviderError(f"{spec}: bad price file in ${PRICES_ENV}: {problem}", fatal=True)
