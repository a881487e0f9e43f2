"""The PostgreSQL log: the shared contract, and what only it promises.

Needs a server at ``AZR_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``) and asyncpg; skips cleanly
without either. Every test works in schemas of its own and drops them after.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

asyncpg = pytest.importorskip("asyncpg", reason="asyncpg (the cluster extra) is not installed")

from azr_actors.eventlog import (  # noqa: E402
    EventStore,
    LogError,
    LogFormatError,
    LogNotFoundError,
    LogReadOnlyError,
    LogVersionError,
    TaskScheduled,
    open_store,
)
from azr_actors.eventlog.postgres import PostgresStore, parse_url  # noqa: E402
from postgres_server import URL, run_sql, why_no_server  # noqa: E402
from test_eventlog_contract import WAIT_S, EventStoreContract, collect, scheduled  # noqa: E402

_WHY_NOT = why_no_server(asyncpg)
needs_server = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Fresh schema names for one test; each is dropped afterwards."""
    made: list[str] = []
    yield made

    async def drop() -> None:
        conn = await asyncpg.connect(URL)
        try:
            for name in made:
                await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
        finally:
            await conn.close()

    if made:
        asyncio.run(drop())


def fresh(schemas: list[str]) -> str:
    name = f"azr_test_{uuid.uuid4().hex[:12]}"
    schemas.append(name)
    return f"{URL}{'&' if '?' in URL else '?'}schema={name}"


@needs_server
class TestPostgresStoreContract(EventStoreContract):
    @pytest.fixture(autouse=True)
    def _schemas(self, schemas: list[str]) -> None:
        self.made = schemas

    def make_store(self, tmp_path: Path) -> EventStore:
        return PostgresStore(fresh(self.made))


# -- choosing and naming the log -----------------------------------------------------------
def test_open_store_picks_postgres_by_url() -> None:
    store = open_store("postgresql://u@db.example/azr?schema=run_7", create=False, readonly=True)
    assert isinstance(store, PostgresStore)
    assert (store.schema, store.create, store.readonly) == ("run_7", False, True)
    assert isinstance(open_store("postgres://db.example/azr"), PostgresStore)


def test_the_url_is_shown_without_its_password() -> None:
    dsn, schema, shown = parse_url("postgresql://me:s3cret@db:5433/logs?schema=a1&sslmode=disable")
    assert (schema, shown) == ("a1", "postgresql://me:***@db:5433/logs?schema=a1&sslmode=disable")
    assert dsn == "postgresql://me:s3cret@db:5433/logs?sslmode=disable"
    with pytest.raises(LogError, match=r"bad schema name 'A; drop'"):
        parse_url("postgresql://db/logs?schema=A; drop")


async def test_an_unreachable_server_is_a_one_line_error_without_the_password() -> None:
    store = PostgresStore("postgresql://me:s3cret@127.0.0.1:1/nowhere")
    with pytest.raises(LogError) as caught:
        await store.open()
    text = str(caught.value)
    assert text.startswith(
        "postgresql://me:***@127.0.0.1:1/nowhere: cannot connect to PostgreSQL: "
    )
    assert "s3cret" not in text and "\n" not in text


# -- creation, modes, refusal ------------------------------------------------------------------
@needs_server
async def test_missing_log_without_create_is_not_found(schemas: list[str]) -> None:
    url = fresh(schemas)
    for store in (PostgresStore(url, create=False), PostgresStore(url, readonly=True)):
        with pytest.raises(LogNotFoundError, match="no event log there"):
            await store.open()


@needs_server
async def test_a_log_persists_across_reopen_and_readonly_refuses_appends(
    schemas: list[str],
) -> None:
    url = fresh(schemas)
    async with PostgresStore(url) as store:
        assert await store.append([scheduled(0), scheduled(1)]) == [1, 2]
    async with PostgresStore(url, create=False) as store:
        assert await store.append([scheduled(1), scheduled(2)]) == [0, 3]
        assert (await store.meta())["backend"] == "postgresql"
    async with PostgresStore(url, readonly=True) as store:
        assert [e.seq for e in await store.read()] == [1, 2, 3]
        with pytest.raises(LogReadOnlyError, match="is open read-only; appends are refused"):
            await store.append([scheduled(9)])


async def _sql(*statements: str) -> None:
    await run_sql(asyncpg, *statements)


@needs_server
async def test_a_foreign_schema_is_refused_untouched(schemas: list[str]) -> None:
    url = fresh(schemas)
    name = schemas[-1]
    await _sql(f"CREATE SCHEMA {name}", f"CREATE TABLE {name}.events (body TEXT)")
    with pytest.raises(LogFormatError, match=r"is not an azr-actors event log \(schema"):
        await PostgresStore(url).open()
    await _sql(
        f"CREATE TABLE {name}.meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        f"INSERT INTO {name}.meta VALUES ('app', 'someone-else')",
    )
    with pytest.raises(LogFormatError, match="is not an azr-actors event log"):
        await PostgresStore(url).open()
    conn = await asyncpg.connect(URL)
    try:
        assert await conn.fetchval(f"SELECT count(*) FROM {name}.events") == 0
    finally:
        await conn.close()


@needs_server
async def test_a_log_from_a_newer_schema_is_refused(schemas: list[str]) -> None:
    url = fresh(schemas)
    async with PostgresStore(url):
        pass
    await _sql(f"UPDATE {schemas[-1]}.meta SET value = '2' WHERE key = 'schema_version'")
    with pytest.raises(
        LogVersionError, match="schema version 2; this azr-actors reads up to version 1"
    ):
        await PostgresStore(url).open()


# -- one sequencer, many writers; notifications; the cursor --------------------------------------
@needs_server
async def test_writers_on_separate_connections_share_one_gapless_order(schemas: list[str]) -> None:
    url = fresh(schemas)
    batches, size = 6, 25
    async with PostgresStore(url) as one, PostgresStore(url) as two, PostgresStore(url) as reader:
        stop = asyncio.Event()

        async def follow() -> list[int]:
            seqs: list[int] = []
            # poll_s far above WAIT_S: only NOTIFY from the other connections can wake it.
            async for event in reader.tail(poll_s=60, stop=stop, batch=9):
                seqs.append(event.seq)
                if len(seqs) == 2 * batches * size:
                    stop.set()
            return seqs

        async def write(store: EventStore, tag: str) -> None:
            for b in range(batches):
                await store.append([scheduled(i, f"{tag}{b}/{i}") for i in range(size)])

        tailer = asyncio.create_task(follow())
        await asyncio.gather(write(one, "x"), write(two, "y"))
        assert await asyncio.wait_for(tailer, WAIT_S) == list(range(1, 2 * batches * size + 1))
        events = await reader.read()
    # Each batch holds a run of consecutive seqs: the counter lock serialised the writers.
    prefixes = [e.key.split("/")[0] for e in events]
    runs = [prefixes[i : i + size] for i in range(0, len(prefixes), size)]
    assert all(len(set(run)) == 1 for run in runs)
    assert sorted(run[0] for run in runs) == sorted(f"{t}{b}" for t in "xy" for b in range(batches))


@needs_server
async def test_concurrent_appends_on_one_store_object_are_serialised(schemas: list[str]) -> None:
    async with PostgresStore(fresh(schemas)) as store:
        batches = await asyncio.gather(
            *(store.append([scheduled(b * 10 + i) for i in range(10)]) for b in range(5))
        )
        assert sorted(seq for batch in batches for seq in batch) == list(range(1, 51))
        assert all(batch == list(range(batch[0], batch[0] + 10)) for batch in batches)


@needs_server
async def test_one_notification_per_committed_batch(schemas: list[str]) -> None:
    url = fresh(schemas)
    async with PostgresStore(url) as store:
        got: list[str] = []
        done = asyncio.Event()
        conn = await asyncpg.connect(URL)

        def heard(_conn: object, _pid: int, _channel: str, payload: str) -> None:
            got.append(payload)
            if len(got) == 2:
                done.set()

        try:
            await conn.add_listener(store.channel, heard)  # type: ignore[attr-defined]
            await store.append([scheduled(i) for i in range(50)])
            await store.append([scheduled(0)])  # all duplicates: nothing committed, no notice
            await store.append([TaskScheduled(key="last", task_id="HumanEval/1", model="m")])
            await asyncio.wait_for(done.wait(), WAIT_S)
            await asyncio.sleep(0.05)
        finally:
            await conn.close()
    assert got == ["50", "51"]


@needs_server
async def test_iter_reads_a_cursor_then_catches_up(schemas: list[str]) -> None:
    url = fresh(schemas)
    async with PostgresStore(url) as store:
        await store.append([scheduled(i) for i in range(300)])
        seen: list[int] = []
        async for event in store.iter(after=5, batch=40):
            seen.append(event.seq)
            if event.seq == 100:  # appended during the cursor's snapshot: read after it
                await store.append([scheduled(i) for i in range(300, 310)])
        assert seen == list(range(6, 311))
        only = await collect(store.iter(batch=7, kinds=["task_scheduled"]))
        assert len(only) == 310
