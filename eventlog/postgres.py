"""The PostgreSQL event log (on asyncpg): the shared log of a multi-host run.

Chosen by URL: ``postgresql://[user[:password]@]host[:port]/database[?schema=NAME]``.
Each log lives in its own schema of the database (default ``azr``), so one
server holds many logs. Layout (schema version 1, the same idea as SQLite's)::

    meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)     -- app, schema_version, created_at
    events(seq BIGINT PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
           run_id TEXT, task_id TEXT, model TEXT, ts DOUBLE PRECISION, payload BYTEA NOT NULL)
    counter(id INT PRIMARY KEY CHECK (id = 1), last_seq BIGINT NOT NULL)
    indexes on events(kind, seq) and events(task_id)

Contract, beyond :class:`EventStore`'s:

* one sequencer: every append locks the single ``counter`` row (``FOR UPDATE``)
  for the whole transaction, and takes its seqs from it; writers in any number
  of processes and hosts are serialised, so the order of seqs is the order of
  commits and a reader of ``seq > last`` can never skip a row that commits later;
* idempotent: a key already stored (or repeated in the batch) is a no-op, seq 0;
* each committed batch sends exactly one ``NOTIFY`` on the log's channel, with
  its last seq as payload; ``tail`` wakes on it (a listening connection), on
  commits through this object at once, and otherwise polls (the fallback when
  notifications are lost, e.g. while the listening connection reconnects);
* ``iter`` reads through a server-side cursor (one snapshot, fetched in pages
  of ``batch``), then pages on with plain reads up to the end of the log;
* ``open()`` validates before writing: a missing log is created (atomically,
  under an advisory lock) only with ``create=True``; a schema that is not ours
  raises LogFormatError, a newer layout LogVersionError; ``readonly=True``
  refuses appends with LogReadOnlyError.

Error messages name the log by its URL with any password removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import urllib.parse
from collections.abc import AsyncIterator, Collection, Sequence
from typing import Any

import asyncpg  # ships no stubs: pyproject.toml [tool.mypy] ignores its missing types

from ._sql import ROW_COLUMNS, check_meta, event_row
from .codec import decode
from .errors import LogError, LogFormatError, LogNotFoundError, LogReadOnlyError
from .events import Event
from .store import (
    APP_NAME,
    SCHEMA_VERSION,
    EventStore,
    _check_batch,
    _utc_now,
    check_limit,
    printable_location,
)

__all__ = ["DEFAULT_SCHEMA", "PostgresStore", "parse_url"]

DEFAULT_SCHEMA = "azr"
_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,47}$")
_COLUMNS = ("seq", *ROW_COLUMNS)
_READ_POOL_SIZE = 4
# What a connection attempt raises: the server's refusal, a lost or refused socket, a DSN
# asyncpg cannot parse (a bad port is a ValueError, an out-of-range one an OverflowError).
_CONNECT_ERRORS = (OSError, ValueError, OverflowError, asyncpg.PostgresError, asyncpg.InterfaceError)
# What a statement raises: the server's error, or the connection lost under it (closed by
# the server, a restart, a network cut: InterfaceError or OSError, not a PostgresError).
_QUERY_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


def parse_url(url: str) -> tuple[str, str, str]:
    """Split a log URL into (the DSN for asyncpg, the schema, a printable URL without password).

    Raises LogError when the ``schema`` parameter is not a plain lower-case identifier.
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schema = next((v for k, v in query if k == "schema"), DEFAULT_SCHEMA)
    rest = urllib.parse.urlencode([(k, v) for k, v in query if k != "schema"])
    dsn = urllib.parse.urlunsplit(parts._replace(query=rest))
    shown = printable_location(url)
    if not _SCHEMA_NAME.fullmatch(schema):
        raise LogError(f"{shown}: bad schema name {schema!r} (use lower-case letters, digits, _)")
    return dsn, schema, shown


class PostgresStore(EventStore):
    """An event log in one schema of a PostgreSQL database (see the module docstring)."""

    def __init__(self, url: str, *, create: bool = True, readonly: bool = False) -> None:
        super().__init__()
        self.url = url
        self._dsn, self.schema, self.display = parse_url(url)
        self.create = create
        self.readonly = readonly
        self.channel = f"azr_log_{self.schema}"
        self._writer: asyncpg.Connection | None = None
        self._readers: asyncpg.Pool | None = None
        self._listener: asyncpg.Connection | None = None
        self._write_lock = asyncio.Lock()  # one statement at a time on the writer connection

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "readwrite"
        return f"PostgresStore({self.display!r}, {mode})"

    # -- lifecycle -----------------------------------------------------------
    async def open(self) -> None:
        if self._readers is not None:
            return
        conn = await self._connect()
        try:
            if not await self._exists(conn):
                if self.readonly or not self.create:
                    raise LogNotFoundError(f"{self.display}: no event log there")
                await self._create(conn)
            await self._validate(conn)
            readers = await self._pool()
            try:
                listener = await self._listen()
            except BaseException:
                await readers.close()
                raise
        except BaseException:
            await conn.close()
            raise
        if self.readonly:
            await conn.close()
            conn = None
        self._writer, self._readers, self._listener = conn, readers, listener

    async def close(self) -> None:
        writer, readers, listener = self._writer, self._readers, self._listener
        self._writer = self._readers = self._listener = None
        for conn in (listener, writer):
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        if readers is not None:
            with contextlib.suppress(Exception):
                await readers.close()

    async def _connect(self) -> asyncpg.Connection:
        try:
            return await asyncpg.connect(self._dsn, server_settings=self._settings())
        except _CONNECT_ERRORS as exc:
            raise LogError(
                f"{self.display}: cannot connect to PostgreSQL: {_one_line(exc)}"
            ) from None

    async def _pool(self) -> asyncpg.Pool:
        try:
            return await asyncpg.create_pool(
                self._dsn, min_size=1, max_size=_READ_POOL_SIZE, server_settings=self._settings()
            )
        except _CONNECT_ERRORS as exc:
            raise LogError(
                f"{self.display}: cannot connect to PostgreSQL: {_one_line(exc)}"
            ) from None

    def _settings(self) -> dict[str, str]:
        # search_path pins every unqualified name to this log's schema.
        return {"search_path": self.schema, "application_name": APP_NAME}

    async def _listen(self) -> asyncpg.Connection | None:
        """A connection that turns this log's NOTIFYs into wake-ups of local tailers.

        Best effort: without it, tailers still find other processes' commits by polling.
        """
        try:
            conn = await asyncpg.connect(self._dsn, server_settings=self._settings())
            await conn.add_listener(self.channel, self._on_notify)
        except _CONNECT_ERRORS:
            return None
        return conn

    def _on_notify(self, *_args: object) -> None:
        self._notify_commit()

    async def _exists(self, conn: asyncpg.Connection) -> bool:
        q = _quoted(self.schema)
        found = await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{q}.meta")
        return bool(found) or bool(
            await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"{q}.events")
        )

    async def _create(self, conn: asyncpg.Connection) -> None:
        """Create the schema's tables in one transaction; concurrent creators wait for the first."""
        s = _quoted(self.schema)  # quoted: a name like "user" or "order" is a keyword in SQL
        try:
            async with conn.transaction():
                await conn.execute(
                    "SELECT pg_advisory_xact_lock(hashtext($1))", f"azr-create:{self.schema}"
                )
                if await self._exists(conn):
                    return
                # An existing schema is ours to fill only while it is empty: never add a log's
                # tables beside another application's (``?schema=public``, say).
                if await conn.fetchval(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = $1",
                    self.schema,
                ):
                    raise self._foreign()
                await conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
                await conn.execute(
                    f"CREATE TABLE {s}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
                    f"CREATE TABLE {s}.events (seq BIGINT PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
                    " kind TEXT NOT NULL, run_id TEXT, task_id TEXT, model TEXT,"
                    " ts DOUBLE PRECISION, payload BYTEA NOT NULL);"
                    f"CREATE INDEX events_kind ON {s}.events (kind, seq);"
                    f"CREATE INDEX events_task_id ON {s}.events (task_id);"
                    f"CREATE TABLE {s}.counter (id INT PRIMARY KEY CHECK (id = 1),"
                    " last_seq BIGINT NOT NULL);"
                    f"INSERT INTO {s}.counter VALUES (1, 0)"
                )
                await conn.executemany(
                    f"INSERT INTO {s}.meta (key, value) VALUES ($1, $2)",
                    [
                        ("app", APP_NAME),
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("created_at", _utc_now()),
                    ],
                )
        except asyncpg.PostgresError as exc:
            raise LogError(
                f"{self.display}: cannot create the event log: {_one_line(exc)}"
            ) from None

    async def _validate(self, conn: asyncpg.Connection) -> None:
        foreign = self._foreign()
        try:
            rows = await conn.fetch(f"SELECT key, value FROM {_quoted(self.schema)}.meta")
        except asyncpg.PostgresError:
            raise foreign from None
        meta = {str(r["key"]): str(r["value"]) for r in rows}
        version = check_meta(meta, self.display, foreign)
        tables = {
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = $1", self.schema
            )
        }
        if version < 1 or not {"events", "counter"} <= tables:
            raise LogFormatError(f"{self.display} is not a complete azr-actors event log")

    def _foreign(self) -> LogFormatError:
        return LogFormatError(
            f"{self.display} is not an azr-actors event log (schema {self.schema!r} holds other tables)"
        )

    # -- writing -------------------------------------------------------------
    async def append(self, events: Sequence[Event]) -> list[int]:
        writer = self._require_writer()
        if not events:
            return []
        rows = [event_row(event) for event in events]
        keys = [row[0] for row in rows]
        try:
            # READ COMMITTED whatever the server's default_transaction_isolation: under
            # REPEATABLE READ or SERIALIZABLE, a writer that waited for the counter row
            # would fail with a serialization error instead of taking the next seq.
            async with self._write_lock, writer.transaction(isolation="read_committed"):
                # The sequencer: this row lock serialises every writer of the log until commit.
                last = int(
                    await writer.fetchval("SELECT last_seq FROM counter WHERE id = 1 FOR UPDATE")
                )
                taken = {
                    str(r["key"])
                    for r in await writer.fetch(
                        "SELECT key FROM events WHERE key = ANY($1::text[])", keys
                    )
                }
                seqs: list[int] = []
                new: list[tuple[Any, ...]] = []
                for row in rows:
                    if row[0] in taken:
                        seqs.append(0)
                        continue
                    taken.add(row[0])
                    last += 1
                    seqs.append(last)
                    new.append((last, *row))
                if new:
                    await writer.copy_records_to_table(
                        "events", records=new, columns=_COLUMNS, schema_name=self.schema
                    )
                    await writer.execute("UPDATE counter SET last_seq = $1 WHERE id = 1", last)
                    await writer.execute("SELECT pg_notify($1, $2)", self.channel, str(last))
        except _QUERY_ERRORS as exc:
            raise LogError(f"{self.display}: append failed: {_one_line(exc)}") from None
        if new:
            self._notify_commit()
        return seqs

    # -- reading -------------------------------------------------------------
    async def read(
        self, after: int = 0, limit: int | None = None, kinds: Collection[str] | None = None
    ) -> list[Event]:
        check_limit(limit)
        if limit == 0 or (kinds is not None and not kinds):
            self._require_readers()
            return []
        sql, params = _select(after, limit, kinds)
        rows = await self._fetch(sql, *params)
        return [self._decode(r[1], r[0]) for r in rows]

    async def iter(
        self, after: int = 0, *, batch: int = 2000, kinds: Collection[str] | None = None
    ) -> AsyncIterator[Event]:
        """Every event after ``after`` (of the given kinds), in order.

        Reads through a server-side cursor over one snapshot, fetching ``batch``
        rows at a time, then pages on with plain reads until the end of the log.
        """
        _check_batch(batch)
        readers = self._require_readers()
        if kinds is not None and not kinds:
            return
        sql, params = _select(after, None, kinds)
        cursor = after
        try:
            async with (
                readers.acquire() as conn,
                conn.transaction(isolation="repeatable_read", readonly=True),
            ):
                async for record in conn.cursor(sql, *params, prefetch=batch):
                    cursor = int(record[0])
                    yield self._decode(record[1], cursor)
        except _QUERY_ERRORS as exc:
            raise LogError(f"{self.display}: read failed: {_one_line(exc)}") from None
        async for event in super().iter(cursor, batch=batch, kinds=kinds):
            yield event

    async def last_seq(self) -> int:
        return int((await self._fetch("SELECT coalesce(max(seq), 0) FROM events"))[0][0])

    async def has_key(self, key: str) -> bool:
        return bool(await self._fetch("SELECT 1 FROM events WHERE key = $1", key))

    async def count(self, kind: str | None = None) -> int:
        if kind is None:
            rows = await self._fetch("SELECT count(*) FROM events")
        else:
            rows = await self._fetch("SELECT count(*) FROM events WHERE kind = $1", kind)
        return int(rows[0][0])

    async def meta(self) -> dict[str, str]:
        rows = await self._fetch("SELECT key, value FROM meta")
        return {str(r[0]): str(r[1]) for r in rows} | {"backend": "postgresql"}

    # -- helpers -------------------------------------------------------------
    def _require_writer(self) -> asyncpg.Connection:
        if self.readonly:
            raise LogReadOnlyError(f"{self.display} is open read-only; appends are refused")
        if self._writer is None:
            raise LogError(f"{self.display}: the event log is not open")
        return self._writer

    def _require_readers(self) -> asyncpg.Pool:
        if self._readers is None:
            raise LogError(f"{self.display}: the event log is not open")
        return self._readers

    async def _fetch(self, sql: str, *params: Any) -> list[Any]:
        readers = self._require_readers()
        try:
            return list(await readers.fetch(sql, *params))
        except _QUERY_ERRORS as exc:
            raise LogError(f"{self.display}: read failed: {_one_line(exc)}") from None

    def _decode(self, payload: bytes, seq: int) -> Event:
        """One stored event; an undecodable payload is a LogFormatError naming this log."""
        try:
            return decode(bytes(payload), int(seq))
        except LogFormatError as exc:
            raise LogFormatError(f"{self.display}: {exc}") from None


def _select(after: int, limit: int | None, kinds: Collection[str] | None) -> tuple[str, list[Any]]:
    """SQL and parameters for the events after ``after`` (of ``kinds``), in seq order."""
    sql = "SELECT seq, payload FROM events WHERE seq > $1"
    params: list[Any] = [after]
    if kinds is not None:
        params.append(sorted(set(kinds)))
        sql += f" AND kind = ANY(${len(params)}::text[])"
    sql += " ORDER BY seq"
    if limit is not None:
        params.append(limit)
        sql += f" LIMIT ${len(params)}"
    return sql, params


def _quoted(schema: str) -> str:
    """The schema as a quoted SQL identifier (``parse_url`` allows only [a-z0-9_] in it)."""
    return f'"{schema}"'


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
