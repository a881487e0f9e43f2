"""What only the SQLite log promises: the file format, its validation, durability."""

from __future__ import annotations

import asyncio
import random
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from azr_actors.eventlog import (
    Alert,
    EventStore,
    LogError,
    LogFormatError,
    LogNotFoundError,
    LogReadOnlyError,
    LogVersionError,
    MemoryStore,
    SampleGenerated,
    SQLiteStore,
    TaskScheduled,
    open_store,
)

WAIT_S = 20.0  # ceiling for subprocess steps, far above their normal duration


def sample(i: int, batch: str = "b") -> SampleGenerated:
    return SampleGenerated(
        key=f"{batch}/{i}", run_id="r", task_id=f"HumanEval/{i % 7}", model="m", sample_idx=i,
        raw="x" * 300, code="def f():\n    return 1\n",
    )  # fmt: skip


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in ``directory`` with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


async def make_log(path: Path, n: int = 3) -> None:
    async with SQLiteStore(path) as store:
        await store.append([sample(i) for i in range(n)])


# -- creation, reopening, modes ------------------------------------------------------
async def test_a_log_persists_across_reopen_and_seqs_continue(tmp_path: Path) -> None:
    path = tmp_path / "runs" / "log.azr"  # missing parent directories are created
    await make_log(path, 3)
    assert [p.name for p in path.parent.iterdir()] == ["log.azr"]  # no scratch or WAL left
    async with SQLiteStore(path, create=False) as store:
        assert [e.key for e in await store.read()] == ["b/0", "b/1", "b/2"]
        assert await store.append([sample(2), sample(3)]) == [0, 4]
        assert (await store.meta())["app"] == "azr-actors"


async def test_query_columns_copy_the_events_attributes(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    async with SQLiteStore(path) as store:
        await store.append(
            [sample(3), Alert(key="a", run_id="r2", level="l", what="w", message="m")]
        )
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT seq, kind, run_id, task_id, model FROM events").fetchall()
    conn.close()
    assert rows == [
        (1, "sample_generated", "r", "HumanEval/3", "m"),
        (2, "alert", "r2", None, None),
    ]


async def test_missing_log_without_create_is_not_found(tmp_path: Path) -> None:
    for store in (
        SQLiteStore(tmp_path / "a.azr", create=False),
        SQLiteStore(tmp_path / "b.azr", readonly=True),
    ):
        with pytest.raises(LogNotFoundError, match="no event log there"):
            await store.open()
    assert list(tmp_path.iterdir()) == []


async def test_a_log_that_cannot_be_created_is_a_one_line_log_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    path = blocker / "log.azr"
    with pytest.raises(LogError) as caught:
        await SQLiteStore(path).open()
    assert str(caught.value).startswith(f"{path}: cannot create the event log: ")
    assert "\n" not in str(caught.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


async def test_readonly_reads_but_refuses_appends(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    await make_log(path, 2)
    before = snapshot(tmp_path)
    async with SQLiteStore(path, readonly=True) as store:
        assert await store.count() == 2
        with pytest.raises(LogReadOnlyError, match=r"is open read-only; appends are refused"):
            await store.append([sample(9)])
    assert snapshot(tmp_path) == before


async def test_two_stores_on_one_file_share_one_order(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    async with SQLiteStore(path) as one, SQLiteStore(path) as two:

        async def write(store: EventStore, tag: str) -> None:
            for b in range(5):
                await store.append([sample(i, f"{tag}{b}") for i in range(20)])

        await asyncio.gather(write(one, "x"), write(two, "y"))
        events = await one.read()
    assert [e.seq for e in events] == list(range(1, 201))
    batches = [e.key.split("/")[0] for e in events[::20]]
    assert sorted(batches) == sorted([f"x{b}" for b in range(5)] + [f"y{b}" for b in range(5)])
    assert all(
        len({e.key.split("/")[0] for e in events[i : i + 20]}) == 1 for i in range(0, 200, 20)
    )


# -- refusing what is not ours, without touching it ----------------------------------------
def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.commit()
    conn.close()


def _foreign_meta(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.execute("INSERT INTO meta VALUES ('app', 'someone-else')")
    conn.commit()
    conn.close()


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def _corrupt_sqlite(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + random.Random(7).randbytes(8192))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_foreign_sqlite, "is not an azr-actors event log (an SQLite file without our meta table)"),
        (_foreign_meta, "is not an azr-actors event log"),
        (_random_bytes, "is not an azr-actors event log (not an SQLite file)"),
        (_corrupt_sqlite, "is not an azr-actors event log (corrupt: "),
        (_empty, "is an empty file, not an azr-actors event log"),
    ],
)
async def test_a_file_that_is_not_a_log_is_refused_untouched(
    tmp_path: Path, make: Callable[[Path], None], message: str
) -> None:
    path = tmp_path / "thing.db"
    make(path)
    before = snapshot(tmp_path)
    for readonly in (False, True):
        with pytest.raises(LogFormatError) as caught:
            await SQLiteStore(path, readonly=readonly).open()
        text = str(caught.value)
        assert text.startswith(str(path))
        assert message in text
        assert "\n" not in text
    assert snapshot(tmp_path) == before


async def test_a_log_from_a_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    await make_log(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    before = snapshot(tmp_path)
    with pytest.raises(LogVersionError) as caught:
        await SQLiteStore(path).open()
    assert str(caught.value) == (
        f"{path} was written by event-log schema version 2; this azr-actors reads up to"
        " version 1: upgrade azr-actors to open it"
    )
    assert snapshot(tmp_path) == before


async def test_a_damaged_payload_is_a_format_error_naming_the_log(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    await make_log(path, 2)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE events SET payload = ? WHERE seq = 2", (b'{"kind":"nope"}',))
    conn.commit()
    conn.close()
    async with SQLiteStore(path) as store:
        assert [e.seq for e in await store.read(limit=1)] == [1]
        with pytest.raises(LogFormatError) as caught:
            await store.read()
    assert str(caught.value) == (
        f"{path}: undecodable event payload (seq 2): Invalid value 'nope' - at `$.kind`"
    )


async def test_an_append_blocked_past_the_busy_timeout_is_a_log_error(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    await make_log(path, 0)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    try:
        async with SQLiteStore(path, busy_timeout_s=0.05) as store:
            with pytest.raises(LogError, match=r": append failed: database is locked$"):
                await store.append([sample(0)])
            blocker.execute("ROLLBACK")
            assert await store.append([sample(0)]) == [1]
    finally:
        blocker.close()


# -- backend selection ----------------------------------------------------------------------
def test_open_store_picks_the_backend_by_location(tmp_path: Path) -> None:
    assert isinstance(open_store(":memory:"), MemoryStore)
    store = open_store(tmp_path / "x.azr", create=False, readonly=True)
    assert isinstance(store, SQLiteStore)
    assert (store.path, store.create, store.readonly) == (tmp_path / "x.azr", False, True)
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        with pytest.raises(LogError, match=r"^PostgreSQL logs need the cluster extra"):
            open_store("postgresql://db.example/azr")
    else:
        from azr_actors.eventlog.postgres import PostgresStore

        assert isinstance(open_store("postgresql://db.example/azr"), PostgresStore)


# -- other processes -------------------------------------------------------------------------
_APPENDER = """
import asyncio, sys
from azr_actors.eventlog import SQLiteStore, SampleGenerated

async def main(path, batches, size):
    async with SQLiteStore(path, create=False) as store:
        for b in range(batches):
            await store.append([
                SampleGenerated(key=f"p{b}/{i}", task_id="t", model="m", sample_idx=i, raw="r", code="c")
                for i in range(size)
            ])

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""

# Appends whole batches and reports each commit; the COMMIT of batch `stall_at` never
# comes, so the parent's SIGKILL lands inside a transaction whose rows are already written.
_STALLING_APPENDER = """
import asyncio, sys
import aiosqlite
from azr_actors.eventlog import SQLiteStore, SampleGenerated

path, size, stall_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
real_commit = aiosqlite.Connection.commit
commits = 0

async def commit(self):
    global commits
    if commits == stall_at:
        print("stalled", flush=True)
        await asyncio.sleep(3600)
    commits += 1
    return await real_commit(self)

aiosqlite.Connection.commit = commit

async def main():
    async with SQLiteStore(path, create=False) as store:
        for b in range(stall_at + 1):
            await store.append([
                SampleGenerated(key=f"{b}/{i}", task_id="t", model="m", sample_idx=i,
                                raw="x" * 400, code="y" * 200)
                for i in range(size)
            ])
            print("committed", b, flush=True)

asyncio.run(main())
"""


async def test_a_writer_killed_mid_batch_leaves_only_whole_batches(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    await make_log(path, 0)
    size, stall_at = 3000, 3  # 3000 rows of ~700 bytes overflow the page cache into the WAL
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _STALLING_APPENDER, str(path), str(size), str(stall_at),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while not lines or lines[-1] != "stalled":
            line = await asyncio.wait_for(proc.stdout.readline(), WAIT_S)
            assert line, f"appender ended early after {lines}"
            lines.append(line.decode().strip())
    finally:
        proc.kill()  # SIGKILL
        await proc.wait()
    assert lines == [f"committed {b}" for b in range(stall_at)] + ["stalled"]
    async with SQLiteStore(path, create=False) as store:
        events = await store.read()
        assert [e.seq for e in events] == list(range(1, stall_at * size + 1))
        assert {e.key.split("/")[0] for e in events} == {str(b) for b in range(stall_at)}
        assert not await store.has_key(f"{stall_at}/0")
        assert await store.append([sample(0)]) == [stall_at * size + 1]


async def test_tail_follows_commits_made_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "log.azr"
    batches, size = 3, 10
    async with SQLiteStore(path) as store:
        stop = asyncio.Event()

        async def follow() -> list[int]:
            seqs: list[int] = []
            async for event in store.tail(poll_s=0.05, stop=stop, kinds=["sample_generated"]):
                seqs.append(event.seq)
                if len(seqs) == batches * size:
                    stop.set()
            return seqs

        tailer = asyncio.create_task(follow())
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-c", _APPENDER, str(path), str(batches), str(size)
        )
        assert await asyncio.wait_for(proc.wait(), WAIT_S) == 0
        assert await asyncio.wait_for(tailer, WAIT_S) == list(range(1, batches * size + 1))


async def test_the_store_does_not_depend_on_tail_polling_for_its_own_commits(
    tmp_path: Path,
) -> None:
    async with SQLiteStore(tmp_path / "log.azr") as store:
        stop = asyncio.Event()
        got: list[str] = []

        async def follow() -> None:
            async for event in store.tail(poll_s=60, stop=stop):
                got.append(event.key)
                stop.set()

        task = asyncio.create_task(follow())
        await asyncio.sleep(0.01)
        await store.append([TaskScheduled(key="t", task_id="HumanEval/0", model="m")])
        await asyncio.wait_for(task, 5)
        assert got == ["t"]
