"""Audit of the scale-out pieces: defects found in the PostgreSQL log and the Ray engine, pinned.

The PostgreSQL tests need asyncpg and a server at ``AZR_TEST_POSTGRES`` (default
``postgresql://postgres@127.0.0.1:5432/postgres``) and skip cleanly without
either; the Ray test needs Ray (it starts no cluster). Every PostgreSQL test
works in schemas of its own and drops them after.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from azr_actors.eventlog import LogError, LogFormatError, TaskScheduled
from postgres_server import URL, run_sql, why_no_server

WAIT_S = 10.0  # a ceiling for "promptly": a hang fails the test instead of the suite

try:
    import asyncpg
except ImportError:  # the cluster extra is not installed
    asyncpg = None


_WHY_NOT = why_no_server(asyncpg)
needs_server = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")
needs_asyncpg = pytest.mark.skipif(asyncpg is None, reason="asyncpg is not installed")


def scheduled(i: int) -> TaskScheduled:
    return TaskScheduled(key=f"sched/{i}", run_id="r1", task_id=f"HumanEval/{i}", model="m")


def with_schema(url: str, name: str, extra: str = "") -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={name}{extra}"


@pytest.fixture
def schemas() -> Iterator[list[str]]:
    """Schema names for one test (fresh ones from ``fresh``); each is dropped afterwards."""
    made: list[str] = []
    yield made
    if made:
        asyncio.run(_sql(*(f'DROP SCHEMA IF EXISTS "{name}" CASCADE' for name in made)))


def fresh(schemas: list[str]) -> str:
    name = f"azr_audit_{uuid.uuid4().hex[:12]}"
    schemas.append(name)
    return name


async def _sql(*statements: str) -> None:
    await run_sql(asyncpg, *statements)


async def _tables(schema: str) -> list[str]:
    conn = await asyncpg.connect(URL)
    try:
        rows = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY tablename", schema
        )
    finally:
        await conn.close()
    return [str(r[0]) for r in rows]


def _store(url: str, **kwargs: Any) -> Any:
    from azr_actors.eventlog.postgres import PostgresStore

    return PostgresStore(url, **kwargs)


# -- naming the log: a malformed URL, the schema parameter ---------------------------------------
@needs_asyncpg
@pytest.mark.parametrize("port", ["notaport", "99999", "1:2"])
async def test_a_malformed_url_is_a_one_line_log_error_without_the_password(port: str) -> None:
    # asyncpg raised ValueError / OverflowError for these, which escaped as a bare
    # "ValueError: invalid literal for int()" (azr: exit 1) naming no log.
    store = _store(f"postgresql://me:s3cret@127.0.0.1:{port}/db")
    with pytest.raises(LogError) as caught:
        await store.open()
    text = str(caught.value)
    assert text.startswith(f"postgresql://me:***@127.0.0.1:{port}/db: cannot connect to PostgreSQL: ")
    assert "s3cret" not in text and "\n" not in text


@needs_asyncpg
def test_a_schema_name_with_a_trailing_newline_is_refused() -> None:
    from azr_actors.eventlog.postgres import parse_url

    # re.match(r"...$") let "abc\n" through as a "plain lower-case identifier".
    with pytest.raises(LogError, match=r"bad schema name 'abc\\n'"):
        parse_url("postgresql://db/logs?schema=abc%0A")
    assert parse_url("postgresql://db/logs?schema=abc")[1] == "abc"


@needs_server
async def test_a_schema_named_by_an_sql_keyword_is_a_working_log(schemas: list[str]) -> None:
    # "symmetric" passes the name check, but unquoted in DDL it was a syntax error.
    name = "symmetric"
    await _sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
    schemas.append(name)
    url = with_schema(URL, name)
    async with _store(url) as store:
        assert await store.append([scheduled(0), scheduled(1)]) == [1, 2]
    async with _store(url, readonly=True) as store:
        assert [e.seq for e in await store.read()] == [1, 2]


# -- refusing what is not ours ----------------------------------------------------------------
@needs_server
async def test_a_schema_holding_another_apps_tables_is_refused_untouched(
    schemas: list[str],
) -> None:
    name = fresh(schemas)
    await _sql(f"CREATE SCHEMA {name}", f"CREATE TABLE {name}.users (id INT)")
    with pytest.raises(LogFormatError, match=r"is not an azr-actors event log \(schema"):
        await _store(with_schema(URL, name)).open()
    assert await _tables(name) == ["users"]  # no meta/events/counter added beside it
    # An existing but empty schema (made for the log by a DBA, say) is still ours to fill.
    empty = fresh(schemas)
    await _sql(f"CREATE SCHEMA {empty}")
    async with _store(with_schema(URL, empty)) as store:
        assert await store.append([scheduled(0)]) == [1]


@needs_server
async def test_an_undecodable_payload_is_an_error_naming_the_log(schemas: list[str]) -> None:
    name = fresh(schemas)
    async with _store(with_schema(URL, name)) as store:
        await store.append([scheduled(0), scheduled(1)])
        await _sql(f"UPDATE {name}.events SET payload = 'garbage'::bytea WHERE seq = 2")
        with pytest.raises(LogFormatError) as caught:
            await store.read()
        assert str(caught.value).startswith(f"{store.display}: undecodable event payload (seq 2)")
        with pytest.raises(LogFormatError) as caught:
            [event async for event in store.iter()]
        assert str(caught.value).startswith(f"{store.display}: undecodable event payload (seq 2)")


# -- the sequencer under a stricter default isolation -----------------------------------------
async def _until(condition: Any) -> None:
    """Poll ``await condition()`` until true; a ceiling of WAIT_S fails instead of hanging."""
    async with asyncio.timeout(WAIT_S):
        while not await condition():
            await asyncio.sleep(0.01)


@needs_server
async def test_a_writer_that_waits_for_the_counter_under_serializable_takes_the_next_seq(
    schemas: list[str],
) -> None:
    # A server (or database, or role) whose default_transaction_isolation is SERIALIZABLE or
    # REPEATABLE READ: a writer that waited for the counter row lock failed with "could not
    # serialize access due to concurrent update" instead of taking the next seq.
    name = fresh(schemas)
    url = with_schema(URL, name, "&default_transaction_isolation=serializable")
    other = await asyncpg.connect(URL)
    try:
        async with _store(url) as store:
            assert await store.append([scheduled(0)]) == [1]
            pid = store._writer.get_server_pid()
            # Another writer holds the counter row, as a concurrent append does until its commit.
            tx = other.transaction()
            await tx.start()
            await other.execute(f"UPDATE {name}.counter SET last_seq = last_seq WHERE id = 1")
            appending = asyncio.create_task(store.append([scheduled(1)]))

            async def waiting_for_the_lock() -> bool:
                state = await other.fetchval(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1", pid
                )
                return bool(state == "Lock")

            await _until(waiting_for_the_lock)
            await tx.commit()
            assert await asyncio.wait_for(appending, WAIT_S) == [2]
            assert [e.seq for e in await store.read()] == [1, 2]
    finally:
        await other.close()


# -- a server that goes away mid-run ----------------------------------------------------------
class _Proxy:
    """A TCP relay to the test server that can be cut, as a server that goes away is."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers += [writer, up_writer]

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()
        await self.server.wait_closed()


@pytest.fixture
async def proxy() -> AsyncIterator[_Proxy]:
    import urllib.parse

    parts = urllib.parse.urlsplit(URL)
    relay = _Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    yield relay
    if relay.server is not None and relay.server.is_serving():
        await relay.cut()


@needs_server
async def test_a_server_that_goes_away_gives_one_line_log_errors(
    schemas: list[str], proxy: _Proxy
) -> None:
    import urllib.parse

    # Before: the writer's lost connection raised asyncpg's bare InterfaceError ("connection
    # is closed") and reads an OSError, naming no log; the EventWriter, taking them for a bad
    # event, then retried the batch one event at a time.
    name = fresh(schemas)
    parts = urllib.parse.urlsplit(URL)
    port = await proxy.start()
    user = parts.username or "postgres"
    url = with_schema(f"postgresql://{user}:s3cret@127.0.0.1:{port}{parts.path}", name)
    async with _store(url) as store:
        assert await store.append([scheduled(0)]) == [1]
        await proxy.cut()
        calls = {
            "append": lambda: store.append([scheduled(1)]),
            "read": store.read,
            "last_seq": store.last_seq,
            "iter": lambda: _drain(store.iter()),
        }
        for what, call in calls.items():
            with pytest.raises(LogError) as caught:
                await asyncio.wait_for(call(), WAIT_S)
            text = str(caught.value)
            assert text.startswith(f"{store.display}: "), (what, text)
            assert "s3cret" not in text and "\n" not in text, (what, text)
    async with _store(with_schema(URL, name), readonly=True) as direct:
        assert [e.key for e in await direct.read()] == ["sched/0"]  # nothing half-written


async def _drain(events: AsyncIterator[Any]) -> list[Any]:
    return [event async for event in events]


# -- Ray: an unreachable --ray-address ---------------------------------------------------------
def test_an_unreachable_ray_address_is_a_prompt_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    ray = pytest.importorskip("ray", reason="ray (the cluster extra) is not installed")
    from azr_actors.cluster import make_engine
    from azr_actors.errors import BadInput

    if ray.is_initialized():
        pytest.skip("Ray is already initialised in this process")
    # Before: ray.init(address=...) retried the GCS for many minutes, printing warnings,
    # before anything reached the user. Here it must not be called at all.
    def no_init(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("ray.init was called for an unreachable address")

    monkeypatch.setattr(ray, "init", no_init)
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BadInput, match=rf"^cannot join the Ray cluster at 127\.0\.0\.1:{port}: "):
        make_engine("ray", address=f"127.0.0.1:{port}")
