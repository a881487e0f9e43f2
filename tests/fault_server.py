"""A local server that speaks the OpenAI and Anthropic streaming wire protocols
and misbehaves on demand, for testing the live providers without a network.

``POST /v1/chat/completions`` answers like OpenAI (SSE ``data:`` chunks, usage
when ``stream_options.include_usage`` is set, ``data: [DONE]``); ``POST
/v1/messages`` answers like Anthropic (named SSE events ending in
``message_stop``). Each request takes the next :class:`Fault` from the
script (then ``default``): the answer itself, a slow first token, a 429 with
``Retry-After``, a 5xx, a dropped connection, malformed JSON, a truncated
stream, a hang, a 401 that echoes the key, a 400 for ``stream_options``, or a
plain JSON (non-streaming) body. It listens on 127.0.0.1 only and records
every request it receives.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

__all__ = ["PROMPT_TOKENS", "REPLY", "Fault", "FaultServer", "Received"]

REPLY = "```python\ndef add(a, b):\n    return a + b\n```"
PROMPT_TOKENS = 42
KINDS = frozenset({
    "ok", "slow", "rate_limit", "server_error", "drop", "malformed", "truncated", "hang",
    "unauthorized", "reject_stream_options", "no_usage", "json", "stream_error",
})


@dataclass(frozen=True)
class Fault:
    """What to do with one request; ``delay_s`` is the wait before the first token
    (``slow``, ``ok``) or the longest hang (``hang``)."""

    kind: str = "ok"
    delay_s: float = 0.0
    retry_after: str | None = None
    status: int = 500

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}")


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]
    fault: Fault


@dataclass
class FaultServer:
    """``async with FaultServer() as server:`` then point a provider at ``server.url``."""

    text: str = REPLY
    chunk_chars: int = 6
    default: Fault = field(default_factory=Fault)
    received: list[Received] = field(default_factory=list)
    peak_in_flight: int = 0

    def __post_init__(self) -> None:
        self._script: deque[Fault] = deque()
        self._in_flight = 0
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        self._server = TestServer(app, host="127.0.0.1")

    def script(self, *faults: Fault | str) -> None:
        """Queue faults for the next requests, in order."""
        self._script.extend(Fault(f) if isinstance(f, str) else f for f in faults)

    @property
    def url(self) -> str:
        return str(self._server.make_url("")).rstrip("/")

    async def __aenter__(self) -> FaultServer:
        await self._server.start_server(shutdown_timeout=1.0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._closing.set()
        await self._server.close()

    # -- request handling ------------------------------------------------------------
    async def _take(self, request: web.Request) -> tuple[Fault, dict[str, Any]]:
        body = await request.json()
        fault = self._script.popleft() if self._script else self.default
        self.received.append(Received(request.path, dict(request.headers), body, fault))
        return fault, body

    def _chunks(self) -> list[str]:
        return [self.text[i : i + self.chunk_chars] for i in range(0, len(self.text), self.chunk_chars)]

    async def _openai(self, request: web.Request) -> web.StreamResponse:
        fault, body = await self._take(request)
        early = self._early(request, fault, anthropic=False)
        if early is not None:
            return early
        if fault.kind == "reject_stream_options" and "stream_options" in body:
            return _error(400, {"error": {"message": "Unrecognized request argument supplied: stream_options",
                                          "type": "invalid_request_error"}})
        chunks = self._chunks()
        usage = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": len(chunks),
                 "total_tokens": PROMPT_TOKENS + len(chunks)}
        if fault.kind == "json":
            return web.json_response({"choices": [{"index": 0, "message": {"role": "assistant", "content": self.text},
                                                   "finish_reason": "stop"}], "usage": usage})
        self._in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            response = await _open_stream(request)
            if await self._misbehave_before_text(fault, response):
                return response
            for i, piece in enumerate(chunks):
                await _data(response, {"choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
                if await self._misbehave_mid_stream(fault, request, response, i, anthropic=False):
                    return response
            await _data(response, {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
            wants_usage = (body.get("stream_options") or {}).get("include_usage")
            if wants_usage and fault.kind != "no_usage":
                await _data(response, {"choices": [], "usage": usage})
            await response.write(b"data: [DONE]\n\n")
            await response.write_eof()
            return response
        finally:
            self._in_flight -= 1

    async def _anthropic(self, request: web.Request) -> web.StreamResponse:
        fault, _ = await self._take(request)
        early = self._early(request, fault, anthropic=True)
        if early is not None:
            return early
        chunks = self._chunks()
        if fault.kind == "json":
            return web.json_response({"type": "message", "role": "assistant",
                                      "content": [{"type": "text", "text": self.text}],
                                      "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": len(chunks)}})
        self._in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
        try:
            response = await _open_stream(request)
            await _event(response, "message_start", {"type": "message_start", "message": {
                "id": "msg_1", "type": "message", "role": "assistant", "content": [],
                "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": 1}}})
            if await self._misbehave_before_text(fault, response):
                return response
            await _event(response, "content_block_start", {"type": "content_block_start", "index": 0,
                                                           "content_block": {"type": "text", "text": ""}})
            await _event(response, "ping", {"type": "ping"})
            for i, piece in enumerate(chunks):
                await _event(response, "content_block_delta", {"type": "content_block_delta", "index": 0,
                                                               "delta": {"type": "text_delta", "text": piece}})
                if await self._misbehave_mid_stream(fault, request, response, i, anthropic=True):
                    return response
            await _event(response, "content_block_stop", {"type": "content_block_stop", "index": 0})
            await _event(response, "message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                                                     "usage": {"output_tokens": len(chunks)}})
            await _event(response, "message_stop", {"type": "message_stop"})
            await response.write_eof()
            return response
        finally:
            self._in_flight -= 1

    def _early(self, request: web.Request, fault: Fault, *, anthropic: bool) -> web.Response | None:
        """Answers that end before any stream starts: 429, 5xx, 401."""
        if fault.kind == "rate_limit":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            body = ({"type": "error", "error": {"type": "rate_limit_error", "message": "Rate limited"}}
                    if anthropic else {"error": {"message": "Rate limit reached", "type": "requests"}})
            return _error(429, body, headers)
        if fault.kind == "server_error":
            body = ({"type": "error", "error": {"type": "api_error", "message": "Internal server error"}}
                    if anthropic else {"error": {"message": "The server had an error", "type": "server_error"}})
            return _error(fault.status, body)
        if fault.kind == "unauthorized":
            # Echo the key back, as some servers do, to prove the client redacts it.
            key = request.headers.get("x-api-key") or request.headers.get("Authorization", "").removeprefix("Bearer ")
            message = f"Incorrect API key provided: {key}"
            body = ({"type": "error", "error": {"type": "authentication_error", "message": message}}
                    if anthropic else {"error": {"message": message, "type": "invalid_request_error"}})
            return _error(401, body)
        return None

    async def _misbehave_before_text(self, fault: Fault, response: web.StreamResponse) -> bool:
        """Slow first token or hang; True when the response is finished (hang)."""
        if fault.kind in ("slow", "ok") and fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        if fault.kind == "hang":
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._closing.wait(), fault.delay_s or 10.0)
            return True
        return False

    async def _misbehave_mid_stream(self, fault: Fault, request: web.Request,
                                    response: web.StreamResponse, index: int, *, anthropic: bool) -> bool:
        """After the second text chunk: drop, corrupt, truncate or error. True: stop writing."""
        if index != 1:
            return False
        if fault.kind == "drop":
            assert request.transport is not None
            request.transport.close()
            return True
        if fault.kind == "malformed":
            await response.write(b"event: content_block_delta\n" if anthropic else b"")
            await response.write(b'data: {"choices": [{"delta": {"content": \n\n')
            await response.write_eof()
            return True
        if fault.kind == "truncated":
            await response.write_eof()
            return True
        if fault.kind == "stream_error":
            if anthropic:
                await _event(response, "error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
            else:
                await _data(response, {"error": {"message": "upstream overloaded", "type": "server_error"}})
            await response.write_eof()
            return True
        return False


def _error(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers)


async def _open_stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
    await response.prepare(request)
    return response


async def _data(response: web.StreamResponse, payload: dict[str, Any]) -> None:
    await response.write(f"data: {json.dumps(payload)}\n\n".encode())


async def _event(response: web.StreamResponse, name: str, payload: dict[str, Any]) -> None:
    await response.write(f"event: {name}\ndata: {json.dumps(payload)}\n\n".encode())
