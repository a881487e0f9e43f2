"""How a live provider retries: the policy, the server's ``Retry-After``, and what one failed attempt was.

:class:`RetryPolicy`: 429 waits what ``Retry-After`` (or ``retry-after-ms``)
says; 5xx, timeouts, dropped connections, malformed bodies and truncated
streams back off exponentially with full jitter (``uniform(0, min(max,
base * 2**(n-1)))``); a retry that would end past ``retry_budget_s`` after
the first attempt began is not made. Each attempt has a first-token deadline,
an idle deadline between chunks, and an overall deadline.

Failures of one attempt are :class:`Transient` (retry) or :class:`Fatal` (do
not); :class:`~azr_actors.providers.http.HTTPProvider` turns them into
:class:`~azr_actors.providers.base.ProviderError` before they reach a caller.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "RETRYABLE_STATUS",
    "Fatal",
    "RetryPolicy",
    "Transient",
    "error_detail",
    "parse_retry_after",
]


@dataclass(frozen=True)
class RetryPolicy:
    """How long to wait for a response and how to retry (all times in seconds)."""

    max_retries: int = 6
    retry_budget_s: float = 300.0
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    timeout_s: float = 180.0
    first_token_timeout_s: float = 60.0
    idle_timeout_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        for name in ("retry_budget_s", "backoff_base_s", "backoff_max_s", "timeout_s",
                     "first_token_timeout_s", "idle_timeout_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter delay before retry number ``attempt`` (1-based)."""
        cap = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        return rng.uniform(0.0, cap)


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait: ``retry-after-ms``, else ``Retry-After``
    as seconds or an HTTP date; None when absent or unreadable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        try:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000.0)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # asctime dates and "-0000" carry no zone: HTTP dates are GMT
        when = when.replace(tzinfo=datetime.UTC)
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class Transient(Exception):
    """One attempt failed in a way a retry may fix."""

    def __init__(self, reason: str, detail: str = "", *, retry_after: float | None = None,
                 rate_limited: bool = False, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.detail, self.retry_after = reason, detail, retry_after
        self.rate_limited, self.status = rate_limited, status


class Fatal(Exception):
    """One attempt failed in a way no retry will fix (bad key, unknown model, bad request)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


RETRYABLE_STATUS = frozenset({408, 409, 425, 500, 502, 503, 504, 520, 522, 524, 529})


def error_detail(body: bytes) -> str:
    """A short one-line message from an error body (JSON ``error.message`` if any)."""
    text = body.decode("utf-8", "replace")
    try:
        payload = json.loads(text)
        err = (payload.get("error") or payload) if isinstance(payload, dict) else payload
        if isinstance(err, dict):  # OpenAI/Anthropic {"error": {...}}, FastAPI {"detail": ...}
            message = err.get("message") or err.get("type") or err.get("detail")
        else:
            message = err
        if message is not None:
            text = str(message)
    except ValueError:
        pass
    return " ".join(text.split())[:200]
