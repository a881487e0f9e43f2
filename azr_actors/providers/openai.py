"""Any OpenAI-compatible ``chat/completions`` endpoint, streamed over aiohttp.

Works with OpenAI, vLLM, Ollama, llama.cpp server and TGI. The request asks
for usage in the stream (``stream_options: {"include_usage": true}``); a
server that rejects that option with a 400 is asked again without it (once,
not counted as a retry), and a server that sends no usage gets a
length-based token estimate, flagged ``tokens_estimated=True``. A server
that answers with plain JSON instead of a stream is read as a whole.

A stream is complete at ``data: [DONE]`` or once a choice reports a
``finish_reason``; one that ends before either is a truncated stream and is
retried. See :mod:`azr_actors.providers.http` for the retry policy.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any, Unpack
from urllib.parse import urlsplit

from azr_actors.providers.base import CompletionRequest, ProviderError
from azr_actors.providers.http import (
    SYSTEM_PROMPT,
    HTTPProvider,
    HTTPSettings,
    Parsed,
    SSEReader,
    Transient,
    error_detail,
    public_url,
    render_prompt,
    token_count,
)

__all__ = ["DEFAULT_OPENAI_URL", "OpenAIProvider", "public_url"]

DEFAULT_OPENAI_URL = "https://api.openai.com/v1"
# Reasoning models take max_completion_tokens and only their default temperature.
_REASONING = re.compile(r"^(o\d|gpt-5)")


class OpenAIProvider(HTTPProvider):
    """``openai:MODEL[@BASE_URL]``: chat completions, streamed.

    ``base_url`` ends where ``/chat/completions`` is appended (``.../v1``); a
    bare host gets ``/v1``. The key comes from ``api_key`` or
    ``$OPENAI_API_KEY``; local servers may need none, api.openai.com does
    (:class:`ProviderError` with ``fatal=True`` at construction).
    """

    provider = "openai"

    def __init__(self, model: str, base_url: str | None = None, *, api_key: str | None = None,
                 **settings: Unpack[HTTPSettings]) -> None:
        url = (base_url or DEFAULT_OPENAI_URL).rstrip("/")
        if urlsplit(url).path in ("", "/"):
            url += "/v1"
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        shown = public_url(url)
        spec = f"openai:{model}" if base_url is None else f"openai:{model}@{shown}"
        if not key and urlsplit(url).hostname == "api.openai.com":
            raise ProviderError(f"{spec}: OPENAI_API_KEY is not set", fatal=True)
        super().__init__(model, spec=spec, url=url, api_key=key, **settings)
        self._include_usage = True

    def _endpoint(self) -> str:
        return f"{self._url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if self._secret:
            headers["Authorization"] = f"Bearer {self._secret}"
        return headers

    def _payload(self, request: CompletionRequest) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": render_prompt(request)}],
            "stream": True,
            "seed": request.seed,
        }
        if _REASONING.match(self.model):
            payload["max_completion_tokens"] = request.max_tokens
        else:
            payload["max_tokens"] = request.max_tokens
            payload["temperature"] = request.temperature
        if self._include_usage:
            payload["stream_options"] = {"include_usage": True}
        return payload

    def _bad_request(self, status: int, detail: str) -> Transient | None:
        if self._include_usage and "stream_options" in detail:
            self._include_usage = False
            return Transient("protocol_fallback", "stream_options unsupported")
        return None

    async def _read_stream(self, reader: SSEReader, first_token: Callable[[], None]) -> Parsed:
        pieces: list[str] = []
        usage: dict[str, Any] | None = None
        finished = False
        while (event := await reader.next()) is not None:
            if event.data.strip() == "[DONE]":
                return _parsed(pieces, usage)
            chunk = json.loads(event.data)
            if not isinstance(chunk, dict):
                raise Transient("malformed_response", "stream chunk is not an object")
            if chunk.get("error"):  # some servers send "error": null beside the choices
                raise Transient("stream_error", error_detail(json.dumps(chunk).encode()))
            if chunk.get("usage"):
                usage = chunk["usage"]
            for choice in chunk.get("choices") or []:
                content = (choice.get("delta") or {}).get("content")
                if content:
                    first_token()
                    pieces.append(content)
                finished = finished or bool(choice.get("finish_reason"))
        if finished:
            return _parsed(pieces, usage)
        raise Transient("truncated_stream", f"stream ended after {len(pieces)} chunks without [DONE]")

    def _read_json(self, payload: Any) -> Parsed:
        if payload.get("error"):
            raise Transient("stream_error", error_detail(json.dumps(payload).encode()))
        text = payload["choices"][0]["message"]["content"] or ""
        return _parsed([text], payload.get("usage"))


def _parsed(pieces: list[str], usage: dict[str, Any] | None) -> Parsed:
    """The text and whatever usage the server reported (a missing or null count is estimated)."""
    usage = usage if isinstance(usage, dict) else {}
    return Parsed(
        "".join(pieces), token_count(usage.get("prompt_tokens")), token_count(usage.get("completion_tokens"))
    )
