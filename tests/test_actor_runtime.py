"""The actor base and supervisor, on the in-memory log."""

from __future__ import annotations

import asyncio
from typing import ClassVar

from azr_actors.eventlog import (
    ActorFailed,
    Event,
    EventWriter,
    HiddenVerdictPosted,
    MemoryStore,
    SampleGenerated,
    VisibleVerdictPosted,
)

from azr_actors.actor import Actor, ActorContext, Supervisor


def _sample(i: int) -> SampleGenerated:
    return SampleGenerated(key=f"g:{i}", task_id="T", model="m", sample_idx=i, raw="", code="")


class Echo(Actor):
    """Answers every sample with a visible verdict; fails on sample 3."""

    name = "echo"
    subscribes: ClassVar[tuple[str, ...]] = ("sample_generated",)
    outputs: ClassVar[tuple[str, ...]] = ("visible_verdict_posted",)

    def __init__(self, ctx: ActorContext) -> None:
        self.max_inflight = 4
        super().__init__(ctx)
        self.seen: list[Event] = []
        self.handled = 0

    async def handle(self, event: Event) -> None:
        self.seen.append(event)
        assert isinstance(event, SampleGenerated)
        key = f"v:{event.sample_idx}"
        if key in self.done:
            return
        self.handled += 1
        await self.spawn(self._work(event, key), about=key)

    async def _work(self, event: SampleGenerated, key: str) -> None:
        if event.sample_idx == 3:
            raise RuntimeError("boom on 3")
        await asyncio.sleep(0.001)
        await self.emit(VisibleVerdictPosted(key=key, task_id="T", model="m", sample_idx=event.sample_idx, outputs=[]))


async def _settle(store: MemoryStore, kind: str, n: int) -> None:
    for _ in range(500):
        if await store.count(kind) >= n:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"only {await store.count(kind)} {kind} events")


async def _start(store: MemoryStore) -> tuple[EventWriter, Echo, Supervisor]:
    writer = EventWriter(store)
    await writer.start()
    actor = Echo(ActorContext(writer=writer, run_id="r", seed=0))
    supervisor = Supervisor(store, [actor], poll_s=0.01)
    await supervisor.start()
    return writer, actor, supervisor


async def test_actor_sees_only_its_kinds_and_failures_become_events() -> None:
    store = MemoryStore()
    await store.open()
    writer, actor, supervisor = await _start(store)
    for i in range(6):
        await writer.append(_sample(i))
        await writer.append(HiddenVerdictPosted(key=f"h:{i}", task_id="T", model="m", sample_idx=i, passed=True, status="passed"))
    await _settle(store, "visible_verdict_posted", 5)
    await _settle(store, "actor_failed", 1)
    await supervisor.stop()
    await writer.close()
    assert {type(e) for e in actor.seen} == {SampleGenerated}
    failures = [e for e in await store.read(kinds=["actor_failed"]) if isinstance(e, ActorFailed)]
    assert failures[0].failed_actor == "echo" and "boom on 3" in failures[0].error
    stamped = (await store.read(kinds=["visible_verdict_posted"]))[0]
    assert (stamped.run_id, stamped.actor) == ("r", "echo") and stamped.ts > 0


async def test_restarted_actor_skips_work_already_done() -> None:
    store = MemoryStore()
    await store.open()
    writer, actor, supervisor = await _start(store)
    for i in range(3):
        await writer.append(_sample(i))
    await _settle(store, "visible_verdict_posted", 3)
    await supervisor.stop()
    await writer.close()

    writer, actor, supervisor = await _start(store)
    await writer.append(_sample(4))
    await _settle(store, "visible_verdict_posted", 4)
    await supervisor.stop()
    await writer.close()
    assert actor.handled == 1  # only the new sample
    assert await store.count("visible_verdict_posted") == 4


async def test_mailbox_is_bounded() -> None:
    store = MemoryStore()
    await store.open()
    writer = EventWriter(store)
    await writer.start()

    class Slow(Echo):
        mailbox_size = 4

        async def handle(self, event: Event) -> None:
            await asyncio.sleep(0.005)

    actor = Slow(ActorContext(writer=writer, run_id="r", seed=0))
    supervisor = Supervisor(store, [actor], poll_s=0.01)
    await supervisor.start()
    for i in range(40):
        writer.submit(_sample(i))
    await writer.flush()
    await asyncio.sleep(0.05)
    assert actor.mailbox_stats().peak <= 4
    await supervisor.stop()
    await writer.close()
