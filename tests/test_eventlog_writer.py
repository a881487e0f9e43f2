"""The single writer: batching, ordering, idempotency, flush/close, failure and stats."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from azr_actors.eventlog import (
    Event,
    EventWriter,
    LogError,
    MemoryStore,
    TaskScheduled,
    WriterStats,
)

WAIT_S = 5.0


def scheduled(i: int, key: str | None = None) -> TaskScheduled:
    return TaskScheduled(key=key or f"k{i}", task_id=f"HumanEval/{i}", model="m")


class RecordingStore(MemoryStore):
    """A MemoryStore that records each batch and can be told to fail some."""

    def __init__(self, fail_batches: frozenset[int] = frozenset()) -> None:
        super().__init__()
        self.batches: list[list[str]] = []
        self.fail_batches = fail_batches

    async def append(self, events: Sequence[Event]) -> list[int]:
        index = len(self.batches)
        self.batches.append([e.key for e in events])
        if index in self.fail_batches:
            raise LogError("disk on fire")
        return await super().append(events)


async def test_a_burst_is_committed_in_full_batches_in_submission_order() -> None:
    async with RecordingStore() as store:
        writer = EventWriter(store, max_batch=4, max_delay_s=60)
        await writer.start()
        futures = [writer.submit(scheduled(i)) for i in range(10)]
        await asyncio.wait_for(writer.close(), WAIT_S)  # close drains what lingers
        assert [f.result() for f in futures] == list(range(1, 11))
        assert [len(b) for b in store.batches] == [4, 4, 2]
        assert [e.key for e in await store.read()] == [f"k{i}" for i in range(10)]


async def test_append_waits_for_the_commit_and_reports_duplicates_as_zero() -> None:
    async with MemoryStore() as store, EventWriter(store, max_delay_s=0) as writer:
        assert await writer.append(scheduled(1)) == 1
        assert await store.has_key("k1")
        assert await writer.append(scheduled(2, key="k1")) == 0
        twins = [writer.submit(scheduled(3, key="twin")) for _ in range(2)]
        assert [await f for f in twins] == [2, 0]
        assert writer.stats() == WriterStats(
            pending=0, peak_pending=2, batches=3, committed=2, duplicates=2, failed=0
        )


async def test_a_lone_append_waits_for_one_commit_not_for_max_delay() -> None:
    async with RecordingStore() as store, EventWriter(store, max_delay_s=60) as writer:
        for i in range(3):  # a sequential emitter: each event is its own batch
            assert await asyncio.wait_for(writer.append(scheduled(i)), WAIT_S) == i + 1
        assert store.batches == [["k0"], ["k1"], ["k2"]]


async def test_appends_ready_in_the_same_turn_share_one_batch() -> None:
    async with RecordingStore() as store, EventWriter(store, max_delay_s=60) as writer:
        seqs = await asyncio.wait_for(
            asyncio.gather(*(writer.append(scheduled(i)) for i in range(10))), WAIT_S
        )
        assert seqs == list(range(1, 11))
        assert store.batches == [[f"k{i}" for i in range(10)]]


async def test_a_producer_that_submits_every_turn_fills_batches_up_to_max_batch() -> None:
    async with RecordingStore() as store, EventWriter(store, max_batch=8, max_delay_s=60) as writer:
        for i in range(40):
            writer.submit(scheduled(i))
            await asyncio.sleep(0)
        await asyncio.wait_for(writer.flush(), WAIT_S)
        sizes = [len(batch) for batch in store.batches]
        assert max(sizes) == 8
        assert len(sizes) <= 40 // 8 + 1
        assert [k for batch in store.batches for k in batch] == [f"k{i}" for i in range(40)]


async def test_flush_commits_what_was_submitted_without_waiting_out_the_delay() -> None:
    async with RecordingStore() as store, EventWriter(store, max_delay_s=60) as writer:
        futures = [writer.submit(scheduled(i)) for i in range(3)]
        assert writer.stats().pending == 3
        await asyncio.wait_for(writer.flush(), WAIT_S)
        assert all(f.done() for f in futures)
        assert await store.last_seq() == 3
        assert writer.stats().pending == 0
        await writer.flush()  # nothing pending: returns at once


async def test_a_failed_batch_fails_its_events_and_the_writer_goes_on() -> None:
    async with RecordingStore(fail_batches=frozenset({0})) as store:
        async with EventWriter(store, max_batch=2, max_delay_s=60) as writer:
            doomed = [writer.submit(scheduled(i)) for i in range(2)]
            kept = writer.submit(scheduled(2))
        for future in doomed:
            with pytest.raises(LogError, match="disk on fire"):
                future.result()
        assert kept.result() == 1
        assert writer.stats().failed == 2
        assert writer.stats().committed == 1


async def test_submitting_outside_the_writers_life_is_refused() -> None:
    async with MemoryStore() as store:
        writer = EventWriter(store)
        with pytest.raises(LogError, match=r"^the event writer is not running"):
            writer.submit(scheduled(0))
        await writer.start()
        with pytest.raises(LogError, match="already started"):
            await writer.start()
        with pytest.raises(TypeError, match="expected an Event, got dict"):
            writer.submit({"key": "x"})  # type: ignore[arg-type]
        await writer.close()
        await writer.close()  # idempotent
        with pytest.raises(LogError, match=r"^the event writer is not running"):
            writer.submit(scheduled(0))


def test_arguments_are_checked_up_front() -> None:
    store = MemoryStore()
    with pytest.raises(ValueError, match=r"^max_batch must be >= 1, got 0$"):
        EventWriter(store, max_batch=0)
    with pytest.raises(ValueError, match=r"^max_delay_s must be >= 0, got -1$"):
        EventWriter(store, max_delay_s=-1)


async def test_a_cancelled_caller_does_not_withdraw_its_event() -> None:
    async with MemoryStore() as store, EventWriter(store, max_delay_s=60) as writer:
        waiting = asyncio.create_task(writer.append(scheduled(0)))
        await asyncio.sleep(0)
        waiting.cancel()
        dropped = writer.submit(scheduled(1))
        dropped.cancel()
        await asyncio.wait_for(writer.flush(), WAIT_S)
        assert [e.key for e in await store.read()] == ["k0", "k1"]
        assert writer.stats().committed == 2


async def test_flush_fails_rather_than_hangs_when_the_writer_task_dies() -> None:
    async with MemoryStore() as store:
        writer = EventWriter(store, max_delay_s=60)
        await writer.start()
        future = writer.submit(scheduled(0))
        (task,) = [t for t in asyncio.all_tasks() if t.get_name() == "azr-event-writer"]
        task.cancel()
        with pytest.raises(LogError, match="stopped before its events were committed"):
            await asyncio.wait_for(writer.flush(), WAIT_S)
        assert future.cancelled()
        await writer.close()  # closing a dead writer is harmless
