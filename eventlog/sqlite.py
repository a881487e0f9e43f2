"""The SQLite event log (on aiosqlite), and ``open_store`` to pick a backend by location.

Layout (schema version 1)::

    meta(key TEXT PRIMARY KEY, value TEXT NOT NULL)   -- app='azr-actors', schema_version, created_at
    events(seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL,
           run_id TEXT, task_id TEXT, model TEXT, ts REAL, payload BLOB NOT NULL)
    indexes on events(kind) and events(task_id)

Contract, beyond :class:`EventStore`'s:

* WAL journal, ``synchronous=NORMAL``: a committed batch survives the death of
  the writing process (kill -9); a batch interrupted before its commit is absent;
* ``seq`` is the rowid: one ``BEGIN IMMEDIATE`` transaction per batch makes the
  order of seqs the order of commits, across processes too (rowids are never
  reused: rows are never deleted);
* ``INSERT OR IGNORE`` on the unique key makes appends idempotent;
* ``open()`` validates before it writes anything: a missing file is created
  (atomically: it appears complete or not at all) only with ``create=True``;
  an empty, non-SQLite, corrupt or foreign SQLite file raises LogFormatError,
  a newer schema LogVersionError, and such a file is left byte-for-byte as it was;
* ``task_id`` and ``model`` columns copy the event's attributes when it has
  them, for queries; the payload (see :mod:`.codec`) is the source of truth.

One connection writes, another reads (read-only): readers only ever see
committed batches, even while this process's writer is mid-transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

import aiosqlite

from ._sql import Row, check_meta, event_row
from .codec import decode
from .errors import LogError, LogFormatError, LogNotFoundError, LogReadOnlyError
from .events import Event
from .store import APP_NAME, SCHEMA_VERSION, EventStore, MemoryStore, _utc_now, check_limit

__all__ = ["SQLiteStore", "open_store"]

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SCHEMA = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE events (seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE,"
    " kind TEXT NOT NULL, run_id TEXT, task_id TEXT, model TEXT, ts REAL,"
    " payload BLOB NOT NULL)",
    "CREATE INDEX events_kind ON events (kind)",
    "CREATE INDEX events_task_id ON events (task_id)",
)
_INSERT = (
    "INSERT OR IGNORE INTO events (key, kind, run_id, task_id, model, ts, payload)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)


class SQLiteStore(EventStore):
    """An event log in one SQLite file (see the module docstring for the contract)."""

    def __init__(
        self,
        path: str | Path,
        *,
        create: bool = True,
        readonly: bool = False,
        busy_timeout_s: float = 10.0,
    ) -> None:
        """``busy_timeout_s``: how long an append waits for another process's write lock."""
        super().__init__()
        if busy_timeout_s < 0:
            raise ValueError(f"busy_timeout_s must be >= 0, got {busy_timeout_s!r}")
        self.path = Path(path)
        self.create = create
        self.readonly = readonly
        self.busy_timeout_s = busy_timeout_s
        self._writer: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    def __repr__(self) -> str:
        mode = "readonly" if self.readonly else "readwrite"
        return f"SQLiteStore({str(self.path)!r}, {mode})"

    # -- lifecycle -----------------------------------------------------------
    async def open(self) -> None:
        if self._reader is not None:
            return
        if not self.path.exists():
            if self.readonly or not self.create:
                raise LogNotFoundError(f"{self.path}: no event log there")
            await self._create()
        else:
            _check_header(self.path)
        # Validate on a read-only connection, so a foreign file is never touched. With no
        # WAL beside the file there is nothing to recover, and "immutable" keeps SQLite
        # from creating the -wal and -shm files next to a file that may not be ours.
        wal = self.path.with_name(self.path.name + "-wal")
        probe = await self._connect(readonly=True, immutable=not wal.exists())
        try:
            await _validate(probe, self.path)
        finally:
            await probe.close()
        # On a read-only file system no process can write this log, and with no WAL
        # beside it SQLite could not create the -shm file a WAL reader needs.
        frozen = not wal.exists() and _on_read_only_fs(self.path)
        reader = await self._connect_reader(immutable=frozen)
        writer = None
        try:
            await reader.execute_fetchall("SELECT count(*) FROM meta")
            if not self.readonly:
                writer = await self._connect(readonly=False, begin="IMMEDIATE")
                await writer.execute("PRAGMA journal_mode=WAL")
                await writer.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.Error as exc:
            await reader.close()
            if writer is not None:
                await writer.close()
            action = "read" if writer is None else "write"
            if not os.access(self.path.parent, os.W_OK) or not os.access(self.path, os.W_OK):
                reason = f"{exc} (it or its directory is read-only)"
            else:
                reason = str(exc)
            raise LogError(f"{self.path}: cannot {action} the event log: {reason}") from None
        except BaseException:
            await reader.close()
            if writer is not None:
                await writer.close()
            raise
        self._reader, self._writer = reader, writer

    async def close(self) -> None:
        writer, reader = self._writer, self._reader
        self._writer = self._reader = None
        # The writer closes last: the last connection folds the WAL into the file.
        if reader is not None:
            await reader.close()
        if writer is not None:
            await writer.close()

    async def _connect(
        self, *, readonly: bool, immutable: bool = False, begin: str | None = None
    ) -> aiosqlite.Connection:
        """A connection to the log; ``begin`` is the isolation level of implicit transactions."""
        target = f"{self.path.resolve().as_uri()}?mode={'ro' if readonly else 'rw'}"
        if immutable:
            target += "&immutable=1"
        try:
            conn = await aiosqlite.connect(target, uri=True, isolation_level=begin)
        except sqlite3.Error as exc:
            raise LogError(f"{self.path}: cannot open the event log: {exc}") from None
        try:
            await conn.execute(f"PRAGMA busy_timeout={round(self.busy_timeout_s * 1000)}")
        except BaseException:
            await conn.close()
            raise
        return conn

    async def _connect_reader(self, *, immutable: bool = False) -> aiosqlite.Connection:
        """A connection that never writes rows; read-write when the file allows it,
        so that, closing last, it can fold the WAL back into the file."""
        if immutable:
            return await self._connect(readonly=True, immutable=True)
        try:
            conn = await self._connect(readonly=False)
        except LogError:
            return await self._connect(readonly=True)
        await conn.execute("PRAGMA query_only=ON")
        return conn

    async def _create(self) -> None:
        """Build an empty log beside the target, then link it into place in one step."""
        try:
            await self._build_and_link()
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise LogError(f"{self.path}: cannot create the event log: {reason}") from None

    async def _build_and_link(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.path.with_name(f".{self.path.name}.creating-{os.getpid()}")
        scratch.unlink(missing_ok=True)
        try:
            conn = await aiosqlite.connect(scratch, isolation_level=None)
            try:
                await conn.execute("PRAGMA journal_mode=WAL")
                await conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA:
                    await conn.execute(statement)
                await conn.executemany(
                    "INSERT INTO meta (key, value) VALUES (?, ?)",
                    [
                        ("app", APP_NAME),
                        ("schema_version", str(SCHEMA_VERSION)),
                        ("created_at", _utc_now()),
                    ],
                )
                await conn.execute("COMMIT")
            finally:
                await conn.close()  # the last connection folds the WAL into the file
            try:
                os.link(scratch, self.path)  # fails if another process created it first
            except FileExistsError:
                pass
            except OSError:  # a filesystem without hard links
                os.replace(scratch, self.path)
        finally:
            scratch.unlink(missing_ok=True)

    # -- writing -------------------------------------------------------------
    async def append(self, events: Sequence[Event]) -> list[int]:
        writer = self._require_writer()
        if not events:
            return []
        rows = [event_row(event) for event in events]
        async with self._write_lock:
            try:
                # The INSERT opens the transaction with BEGIN IMMEDIATE (the writer
                # connection's isolation level), which takes the file's write lock.
                cursor = await writer.executemany(_INSERT, rows)
                inserted = cursor.rowcount  # ignored duplicates change nothing
                await cursor.close()
                seqs = await _assigned_seqs(writer, rows, inserted)
                await writer.commit()
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    await writer.rollback()
                if isinstance(exc, sqlite3.Error):  # locked past the busy timeout, disk full, ...
                    raise LogError(f"{self.path}: append failed: {exc}") from exc
                raise
        if inserted:
            self._notify_commit()
        return seqs

    # -- reading -------------------------------------------------------------
    async def read(
        self, after: int = 0, limit: int | None = None, kinds: Collection[str] | None = None
    ) -> list[Event]:
        check_limit(limit)
        sql, params = _select_events(after, limit, None if kinds is None else sorted(set(kinds)))
        rows = await self._query(sql, params)
        try:
            return [decode(payload, seq) for seq, payload in rows]
        except LogFormatError as exc:
            raise LogFormatError(f"{self.path}: {exc}") from None

    async def last_seq(self) -> int:
        return int((await self._query("SELECT coalesce(max(seq), 0) FROM events", ()))[0][0])

    async def has_key(self, key: str) -> bool:
        return bool(await self._query("SELECT 1 FROM events WHERE key = ?", (key,)))

    async def count(self, kind: str | None = None) -> int:
        if kind is None:
            rows = await self._query("SELECT count(*) FROM events", ())
        else:
            rows = await self._query("SELECT count(*) FROM events WHERE kind = ?", (kind,))
        return int(rows[0][0])

    async def meta(self) -> dict[str, str]:
        return {str(k): str(v) for k, v in await self._query("SELECT key, value FROM meta", ())}

    # -- helpers -------------------------------------------------------------
    def _require_writer(self) -> aiosqlite.Connection:
        if self.readonly:
            raise LogReadOnlyError(f"{self.path} is open read-only; appends are refused")
        if self._writer is None:
            raise LogError(f"{self.path}: the event log is not open")
        return self._writer

    async def _query(self, sql: str, params: Sequence[Any]) -> list[Any]:
        if self._reader is None:
            raise LogError(f"{self.path}: the event log is not open")
        try:
            return list(await self._reader.execute_fetchall(sql, params))
        except sqlite3.DatabaseError as exc:
            raise LogFormatError(f"{self.path} is damaged: {exc}") from None


def open_store(location: str | Path, *, create: bool = True, readonly: bool = False) -> EventStore:
    """The store for ``location``, not yet opened (use ``async with open_store(...) as store``).

    ``":memory:"`` gives a MemoryStore, ``postgresql://...`` the cluster backend,
    anything else is the path of an SQLite log.
    """
    text = str(location)
    if text == ":memory:":
        return MemoryStore()
    if text.startswith(("postgresql://", "postgres://")):
        return _postgres_store(text, create=create, readonly=readonly)
    return SQLiteStore(location, create=create, readonly=readonly)


def _postgres_store(url: str, *, create: bool, readonly: bool) -> EventStore:
    """The PostgreSQL backend, which ships with the ``cluster`` extra (asyncpg)."""
    try:
        from .postgres import PostgresStore
    except ImportError:
        raise LogError(
            "PostgreSQL logs need the cluster extra: pip install 'azr-actors[cluster]'"
        ) from None
    return PostgresStore(url, create=create, readonly=readonly)


# -- validation ------------------------------------------------------------------
def _on_read_only_fs(path: Path) -> bool:
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def _check_header(path: Path) -> None:
    """Refuse, by reading only, what is not an SQLite file at all."""
    if path.is_dir():
        raise LogFormatError(f"{path} is a directory, not an azr-actors event log")
    try:
        with path.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise LogError(f"{path}: cannot read the event log: {exc.strerror}") from None
    if not head:
        raise LogFormatError(f"{path} is an empty file, not an azr-actors event log")
    if head != _SQLITE_MAGIC:
        raise LogFormatError(f"{path} is not an azr-actors event log (not an SQLite file)")


async def _validate(conn: aiosqlite.Connection, path: Path) -> None:
    """Check the header tables on a read-only connection."""
    foreign = LogFormatError(
        f"{path} is not an azr-actors event log (an SQLite file without our meta table)"
    )
    try:
        tables = {
            name
            for (name,) in await conn.execute_fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        }
        if "meta" not in tables:
            raise foreign
        rows = await conn.execute_fetchall("SELECT key, value FROM meta")
        meta: dict[str, str] = {str(k): str(v) for k, v in rows}
    except sqlite3.DatabaseError as exc:
        raise LogFormatError(f"{path} is not an azr-actors event log (corrupt: {exc})") from None
    version = check_meta(meta, str(path), foreign)
    if version < 1 or "events" not in tables:
        raise LogFormatError(f"{path} is not a complete azr-actors event log (no events table)")


# -- queries and rows -------------------------------------------------------------
def _select_events(after: int, limit: int | None, kinds: list[str] | None) -> tuple[str, list[Any]]:
    """SQL for one page of events; each kind is read through its (kind, seq) index.

    With several kinds and a limit, each kind contributes at most ``limit`` rows
    to a merge, so a page costs O(kinds x limit) whatever the log's size, rather
    than sorting every matching row after ``after``.
    """
    columns = "SELECT seq, payload FROM events WHERE seq > ?"
    if kinds is None:
        if limit is None:
            return f"{columns} ORDER BY seq", [after]
        return f"{columns} ORDER BY seq LIMIT ?", [after, limit]
    if not kinds or limit == 0:
        return f"{columns} AND 0", [after]
    if limit is None or len(kinds) == 1:
        marks = ", ".join("?" * len(kinds))
        sql = f"{columns} AND kind IN ({marks}) ORDER BY seq"
        return (
            (sql, [after, *kinds]) if limit is None else (f"{sql} LIMIT ?", [after, *kinds, limit])
        )
    arm = f"SELECT * FROM ({columns} AND kind = ? ORDER BY seq LIMIT ?)"
    sql = " UNION ALL ".join([arm] * len(kinds)) + " ORDER BY seq LIMIT ?"
    params: list[Any] = []
    for kind in kinds:
        params += [after, kind, limit]
    return sql, [*params, limit]


async def _assigned_seqs(conn: aiosqlite.Connection, rows: list[Row], inserted: int) -> list[int]:
    """The seq of each row just inserted in the open transaction, 0 for an ignored one.

    Inside one write transaction the inserted rows take the consecutive rowids
    ending at ``last_insert_rowid()``, in row order; only when some rows were
    ignored must the stored keys be read back to tell which.
    """
    if inserted == 0:
        return [0] * len(rows)
    last = await _scalar(conn, "SELECT last_insert_rowid()")
    first = last - inserted + 1
    if inserted == len(rows):
        return list(range(first, last + 1))
    stored = await conn.execute_fetchall("SELECT key, seq FROM events WHERE seq >= ?", (first,))
    new: dict[str, int] = {str(key): int(seq) for key, seq in stored}
    return [new.pop(row[0], 0) for row in rows]


async def _scalar(conn: aiosqlite.Connection, sql: str) -> int:
    rows = list(await conn.execute_fetchall(sql))
    return int(rows[0][0])
