"""A response cache, so that rerunning a run costs nothing.

Entries are keyed by a SHA-256 of (provider, model, request kind, prompt, salt,
sample index, sampling parameters): change any of them and the request goes to
the model again. A hit returns the stored completion with ``cached=True``,
``cost_usd=0.0`` and ``retries=0`` (the tokens and timings are the ones first
recorded, so a resumed run shows the same figures). Only successful
completions are stored.

The store is one small SQLite file, next to the log (:func:`default_cache_path`
with a log path) or in the user's cache directory. Lookups are synchronous and
take well under a millisecond, so calling them from the event loop is fine.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Mapping
from pathlib import Path

from azr_actors.errors import BadInput
from azr_actors.providers.base import Completion, CompletionRequest

__all__ = ["CACHE_DIR_ENV", "ResponseCache", "cache_key", "default_cache_path"]

#: environment variable overriding the user cache directory
CACHE_DIR_ENV = "AZR_CACHE_DIR"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS responses (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    created REAL NOT NULL,
    completion TEXT NOT NULL
)
"""


def cache_key(
    provider: str, model: str, request: CompletionRequest, params: Mapping[str, object] | None = None
) -> str:
    """The hex SHA-256 naming this request; ``params`` adds provider-specific settings."""
    material = {
        "provider": provider,
        "model": model,
        "kind": request.kind,
        "prompt": request.prompt,
        "salt": request.salt,
        "sample_idx": request.sample_idx,
        "temperature": float(request.temperature),  # 1 and 1.0 send the same request
        "max_tokens": request.max_tokens,
        "seed": request.seed,
        "params": dict(params or {}),
    }
    blob = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def default_cache_path(log_path: str | os.PathLike[str] | None = None) -> Path:
    """``LOG.responses.sqlite`` next to a log, else ``$AZR_CACHE_DIR`` or ``~/.cache/azr-actors``."""
    if log_path is not None:
        log = Path(log_path)
        return log.with_name(log.name + ".responses.sqlite")
    base = os.environ.get(CACHE_DIR_ENV)
    if base:
        return Path(base) / "responses.sqlite"
    xdg = os.environ.get("XDG_CACHE_HOME")
    root = Path(xdg) if xdg else Path.home() / ".cache"
    return root / "azr-actors" / "responses.sqlite"


class ResponseCache:
    """Completions by :func:`cache_key`, persisted in SQLite (``":memory:"`` for tests)."""

    def __init__(self, path: str | os.PathLike[str] = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        try:
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:  # not a database, or a damaged one: say which file
            self._db.close()
            raise BadInput(
                f"{self.path}: the response cache is unreadable ({exc}); delete it to start a new cache"
            ) from None
        self.hits = 0
        self.misses = 0

    def __repr__(self) -> str:
        return f"ResponseCache({self.path!r})"

    def get(self, key: str, factory: type[Completion] = Completion) -> Completion | None:
        """The stored completion (built by ``factory``, a :class:`Completion` dataclass)
        marked ``cached=True`` and free, or None."""
        row = self._db.execute("SELECT completion FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        fields = json.loads(row[0])
        known = {f.name for f in dataclasses.fields(factory)}
        stored = factory(**{k: v for k, v in fields.items() if k in known})
        return dataclasses.replace(stored, cached=True, cost_usd=0.0, retries=0)

    def put(self, key: str, model: str, completion: Completion) -> None:
        """Store a successful completion (the first one stored for a key wins)."""
        record = dataclasses.asdict(completion) | {"cached": False}
        self._db.execute(
            "INSERT OR IGNORE INTO responses (key, model, created, completion) VALUES (?, ?, ?, ?)",
            (key, model, time.time(), json.dumps(record)),
        )

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> ResponseCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
