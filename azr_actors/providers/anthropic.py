"""The Anthropic Messages API, streamed over aiohttp.

The stream is a sequence of named server-sent events: ``message_start``
(input tokens), ``content_block_delta`` (text), ``message_delta`` (output
tokens), ``message_stop`` (the end), ``ping``, and ``error`` (an
``overloaded_error`` or ``api_error`` mid-stream is retried like a 5xx). A
stream that ends before ``message_stop`` is truncated and retried. See
:mod:`azr_actors.providers.http` for the retry policy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, Unpack

from azr_actors.providers.base import CompletionRequest, ProviderError
from azr_actors.providers.http import (
    SYSTEM_PROMPT,
    Fatal,
    HTTPProvider,
    HTTPSettings,
    Parsed,
    SSEReader,
    Transient,
    public_url,
    render_prompt,
    token_count,
)

__all__ = ["ANTHROPIC_VERSION", "DEFAULT_ANTHROPIC_URL", "AnthropicProvider"]

DEFAULT_ANTHROPIC_URL = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
_RETRYABLE_STREAM_ERRORS = frozenset({"overloaded_error", "api_error", "rate_limit_error"})


class AnthropicProvider(HTTPProvider):
    """``anthropic:MODEL``: the Messages API, streamed.

    The key comes from ``api_key`` or ``$ANTHROPIC_API_KEY``; without one the
    constructor raises :class:`ProviderError` with ``fatal=True``.
    """

    provider = "anthropic"

    def __init__(self, model: str, *, api_key: str | None = None, base_url: str | None = None,
                 **settings: Unpack[HTTPSettings]) -> None:
        url = (base_url or DEFAULT_ANTHROPIC_URL).rstrip("/")
        key = api_key if api_key is not None else os.environ.get("ANTHROPIC_API_KEY")
        spec = f"anthropic:{model}" if base_url is None else f"anthropic:{model}@{public_url(url)}"
        if not key:
            raise ProviderError(f"{spec}: ANTHROPIC_API_KEY is not set", fatal=True)
        super().__init__(model, spec=spec, url=url, api_key=key, **settings)

    def _endpoint(self) -> str:
        return f"{self._url}/v1/messages"

    def _headers(self) -> dict[str, str]:
        return {"Content-Type": "application/json", "Accept": "text/event-stream",
                "x-api-key": self._secret, "anthropic-version": ANTHROPIC_VERSION}

    def _payload(self, request: CompletionRequest) -> dict[str, Any]:
        return {
            "model": self.model,
            "system": SYSTEM_PROMPT,
            "messages": [{"role": "user", "content": render_prompt(request)}],
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "stream": True,
        }

    async def _read_stream(self, reader: SSEReader, first_token: Callable[[], None]) -> Parsed:
        pieces: list[str] = []
        prompt_tokens: int | None = None
        completion_tokens: int | None = None
        while (event := await reader.next()) is not None:
            if event.event == "ping":
                continue
            data = json.loads(event.data)
            kind = event.event if event.event != "message" else data.get("type", "")
            if kind == "error":
                _stream_error(data.get("error") or {})
            elif kind == "message_start":
                usage = data["message"].get("usage") or {}
                prompt_tokens = token_count(usage.get("input_tokens"))
                completion_tokens = token_count(usage.get("output_tokens"))
            elif kind == "content_block_delta":
                text = (data.get("delta") or {}).get("text")
                if text:
                    first_token()
                    pieces.append(text)
            elif kind == "message_delta":
                output = token_count((data.get("usage") or {}).get("output_tokens"))
                completion_tokens = output if output is not None else completion_tokens
            elif kind == "message_stop":
                return Parsed("".join(pieces), prompt_tokens, completion_tokens)
        raise Transient("truncated_stream", f"stream ended after {len(pieces)} chunks without message_stop")

    def _read_json(self, payload: Any) -> Parsed:
        if payload.get("type") == "error":
            _stream_error(payload.get("error") or {})
        text = "".join(block.get("text", "") for block in payload["content"] if block.get("type") == "text")
        usage = payload.get("usage") or {}
        return Parsed(text, token_count(usage.get("input_tokens")), token_count(usage.get("output_tokens")))


def _stream_error(error: dict[str, Any]) -> None:
    kind = str(error.get("type", "error"))
    message = " ".join(str(error.get("message", "")).split())[:200]
    if kind in _RETRYABLE_STREAM_ERRORS:
        raise Transient("server_error", f"{kind}: {message}", rate_limited=kind == "rate_limit_error")
    raise Fatal(f"{kind}: {message}")


