"""The contract every EventStore backend keeps.

``EventStoreContract`` is abstract: a backend's test module subclasses it and
implements ``make_store`` (return an unopened store; ``tmp_path`` is that
test's private directory).  The concrete subclasses at the bottom run it on
MemoryStore and SQLiteStore; a PostgreSQL backend adds its own subclass::

    from test_eventlog_contract import EventStoreContract

    class TestPostgresStoreContract(EventStoreContract):
        def make_store(self, tmp_path): ...
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import msgspec
import pytest
from azr_actors.eventlog import (
    Alert,
    Event,
    EventStore,
    EventWriter,
    LogError,
    MemoryStore,
    ModelInfo,
    RunFinished,
    RunStarted,
    SampleGenerated,
    SQLiteStore,
    TaskScheduled,
)

WAIT_S = 5.0  # generous ceiling for "promptly": a hang fails the test instead of the suite


def scheduled(i: int, key: str | None = None) -> TaskScheduled:
    return TaskScheduled(key=key or f"sched/{i}", run_id="r1", task_id=f"HumanEval/{i}", model="m")


def sample(i: int) -> SampleGenerated:
    return SampleGenerated(
        key=f"gen/{i}", run_id="r1", task_id=f"HumanEval/{i % 5}", model="m", sample_idx=i,
        raw=f"```python\ndef f():\n    return {i}\n```", code=f"def f():\n    return {i}\n",
    )  # fmt: skip


def alert(i: int) -> Alert:
    return Alert(key=f"alert/{i}", level="warn", what="p95", message=f"slow {i}")


def stored(event: Event, seq: int) -> Event:
    return msgspec.structs.replace(event, seq=seq)


async def collect(it: AsyncIterator[Event]) -> list[Event]:
    return [event async for event in it]


class EventStoreContract(abc.ABC):
    """Abstract contract tests; subclass and implement ``make_store``."""

    @abc.abstractmethod
    def make_store(self, tmp_path: Path) -> EventStore:
        """A new, empty, unopened store."""

    @pytest.fixture
    async def store(self, tmp_path: Path) -> AsyncIterator[EventStore]:
        async with self.make_store(tmp_path) as opened:
            yield opened

    # -- header and emptiness ---------------------------------------------------
    async def test_new_store_is_empty_and_has_a_header(self, store: EventStore) -> None:
        assert await store.last_seq() == 0
        assert await store.count() == 0
        assert await store.read() == []
        meta = await store.meta()
        assert meta["app"] == "azr-actors"
        assert meta["schema_version"] == "1"
        assert meta["created_at"]

    async def test_use_after_close_is_refused(self, tmp_path: Path) -> None:
        store = self.make_store(tmp_path)
        await store.open()
        await store.close()
        with pytest.raises(LogError, match="not open"):
            await store.append([scheduled(0)])

    # -- append: order and idempotency -------------------------------------------
    async def test_seqs_start_at_one_and_follow_commit_order(self, store: EventStore) -> None:
        first = [scheduled(i) for i in range(3)]
        second = [sample(i) for i in range(2)]
        assert await store.append(first) == [1, 2, 3]
        assert await store.append(second) == [4, 5]
        assert await store.read() == [stored(e, i + 1) for i, e in enumerate(first + second)]
        assert await store.last_seq() == 5

    async def test_the_callers_seq_is_ignored(self, store: EventStore) -> None:
        assert await store.append([stored(scheduled(0), 99)]) == [1]
        assert [e.seq for e in await store.read()] == [1]

    async def test_empty_append_is_a_no_op(self, store: EventStore) -> None:
        assert await store.append([]) == []
        assert await store.last_seq() == 0

    async def test_duplicate_keys_in_one_batch_keep_the_first(self, store: EventStore) -> None:
        a, b = scheduled(1, key="same"), scheduled(2, key="same")
        assert await store.append([a, scheduled(3), b]) == [1, 2, 0]
        assert await store.read() == [stored(a, 1), stored(scheduled(3), 2)]

    async def test_duplicate_keys_across_batches_are_ignored(self, store: EventStore) -> None:
        original = scheduled(1, key="k")
        await store.append([original, scheduled(2)])
        assert await store.append([scheduled(9, key="k"), scheduled(3)]) == [0, 3]
        assert await store.append([scheduled(9, key="k")]) == [0]
        events = await store.read()
        assert [e.key for e in events] == ["k", "sched/2", "sched/3"]
        assert events[0] == stored(original, 1)  # the first version stays

    async def test_has_key_and_count(self, store: EventStore) -> None:
        await store.append([scheduled(0), scheduled(1), alert(0)])
        assert await store.has_key("alert/0")
        assert not await store.has_key("alert/1")
        assert await store.count() == 3
        assert await store.count("task_scheduled") == 2
        assert await store.count("alert") == 1
        assert await store.count("run_finished") == 0

    async def test_every_kind_of_event_round_trips(self, store: EventStore) -> None:
        events: list[Event] = [
            RunStarted(
                key="run", run_id="r1", actor="cli", ts=1.5, seed=7,
                models=[ModelInfo(name="m", spec="sim:m", provider="sim", simulated=True)],
                tasks=["HumanEval/0"], budgets=[1, 4], suites=["code"],
                config={"nested": {"seq": 3}, "list": [1, "two", None]},
            ),
            scheduled(0),
            sample(0),
            alert(0),
            RunFinished(key="done", status="ok", tasks_completed=1),
        ]  # fmt: skip
        await store.append(events)
        assert await store.read() == [stored(e, i + 1) for i, e in enumerate(events)]

    # -- reads --------------------------------------------------------------------
    async def test_read_pages_and_filters(self, store: EventStore) -> None:
        mixed: list[Event] = []
        for i in range(6):
            mixed += [scheduled(i), sample(i), alert(i)]
        await store.append(mixed)
        assert [e.seq for e in await store.read(after=4, limit=3)] == [5, 6, 7]
        assert await store.read(after=18) == []
        assert await store.read(limit=0) == []
        assert await store.read(kinds=[]) == []
        alerts = await store.read(kinds={"alert"})
        assert [e.seq for e in alerts] == [3, 6, 9, 12, 15, 18]
        two = await store.read(after=3, limit=4, kinds=["alert", "task_scheduled"])
        assert [(e.seq, type(e).__name__) for e in two] == [
            (4, "TaskScheduled"), (6, "Alert"), (7, "TaskScheduled"), (9, "Alert"),
        ]  # fmt: skip
        with pytest.raises(ValueError, match="limit must be >= 0"):
            await store.read(limit=-1)

    async def test_iter_walks_every_page_in_order(self, store: EventStore) -> None:
        await store.append([scheduled(i) for i in range(10)])
        await store.append([alert(i) for i in range(3)])
        assert [e.seq for e in await collect(store.iter(batch=3))] == list(range(1, 14))
        assert [e.seq for e in await collect(store.iter(after=9, batch=2))] == [10, 11, 12, 13]
        only = await collect(store.iter(batch=2, kinds=["alert"]))
        assert [e.key for e in only] == ["alert/0", "alert/1", "alert/2"]
        with pytest.raises(ValueError, match="batch must be >= 1"):
            await collect(store.iter(batch=0))

    # -- tail -----------------------------------------------------------------------
    async def test_tail_yields_existing_then_new_events_and_stops(self, store: EventStore) -> None:
        await store.append([scheduled(0), scheduled(1)])
        stop = asyncio.Event()
        seen: list[int] = []
        ready = asyncio.Event()

        async def follow() -> None:
            # poll_s is far above WAIT_S: only the commit notification can deliver in time.
            async for event in store.tail(poll_s=60, stop=stop):
                seen.append(event.seq)
                if event.seq == 2:
                    ready.set()
                if event.seq == 5:
                    stop.set()

        task = asyncio.create_task(follow())
        await asyncio.wait_for(ready.wait(), WAIT_S)
        await store.append([scheduled(2)])
        await store.append([scheduled(3), scheduled(4)])
        await asyncio.wait_for(task, WAIT_S)
        assert seen == [1, 2, 3, 4, 5]

    async def test_tail_from_the_middle_with_kinds(self, store: EventStore) -> None:
        await store.append([scheduled(0), alert(0), scheduled(1), alert(1)])
        stop = asyncio.Event()

        async def follow() -> list[Event]:
            out: list[Event] = []
            async for event in store.tail(after=2, kinds=["alert"], poll_s=60, stop=stop):
                out.append(event)
                if len(out) == 2:
                    stop.set()
            return out

        task = asyncio.create_task(follow())
        await asyncio.sleep(0)
        await store.append([scheduled(2), alert(2)])
        got = await asyncio.wait_for(task, WAIT_S)
        assert [(e.seq, e.key) for e in got] == [(4, "alert/1"), (6, "alert/2")]

    async def test_tail_ends_when_stop_is_set_while_idle(self, store: EventStore) -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(collect(store.tail(poll_s=60, stop=stop)))
        await asyncio.sleep(0.01)
        assert not task.done()
        stop.set()
        assert await asyncio.wait_for(task, WAIT_S) == []

    async def test_concurrent_writer_and_tailer_see_every_seq_once(self, store: EventStore) -> None:
        producers, per_producer = 4, 60
        total = producers * per_producer
        stop = asyncio.Event()

        async def follow() -> list[int]:
            seqs: list[int] = []
            async for event in store.tail(poll_s=60, stop=stop, batch=7):
                seqs.append(event.seq)
                if len(seqs) == total:
                    stop.set()
            return seqs

        async def produce(writer: EventWriter, p: int) -> None:
            for i in range(per_producer):
                writer.submit(scheduled(p * 1000 + i))
                if i % 10 == 0:
                    await asyncio.sleep(0)

        tailer = asyncio.create_task(follow())
        async with EventWriter(store, max_batch=16, max_delay_s=0.001) as writer:
            await asyncio.gather(*(produce(writer, p) for p in range(producers)))
            # A duplicate of something already submitted: must not reach the tail twice.
            assert await writer.append(scheduled(0)) == 0
        assert await asyncio.wait_for(tailer, WAIT_S) == list(range(1, total + 1))
        assert writer.stats().batches > 1


class TestMemoryStoreContract(EventStoreContract):
    def make_store(self, tmp_path: Path) -> EventStore:
        return MemoryStore()


class TestSQLiteStoreContract(EventStoreContract):
    def make_store(self, tmp_path: Path) -> EventStore:
        return SQLiteStore(tmp_path / "log.azr")
