"""Event-log throughput: append (through EventWriter) and replay (iter + decode), in events/s.

Usage: python benchmarks/bench_eventlog.py [--events 100000 1000000] [--quick] [--dir DIR]

Each size runs on a MemoryStore and an SQLiteStore (a fresh file in a scratch
directory, deleted afterwards).  Events are SampleGenerated facts of realistic
size (a markdown answer of about 600 characters and its extracted code), built
inside the timed loop the way actors build them.  Appends go through one
EventWriter with its default batching, with at most a few batches in flight
(backpressure), and are timed until close() has committed the last one.
Replay reads the whole log with ``store.iter()``, decoding every event.

Rates are wall-clock; "cpu us/ev" is this process's CPU time (every thread,
SQLite's included) per event, which stays meaningful on a busy machine where
the wall-clock rates mostly measure the other processes.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from azr_actors.eventlog import EventStore, EventWriter, MemoryStore, SampleGenerated, SQLiteStore

_VARIANTS = 64  # distinct answer texts, reused so a 10^6-event MemoryStore fits in memory
_IN_FLIGHT_CHUNKS = 8


@dataclass(frozen=True)
class Result:
    backend: str
    events: int
    append_per_s: float
    append_cpu_us: float
    replay_per_s: float
    replay_cpu_us: float
    payload_mb: float


def _answers() -> list[tuple[str, str]]:
    out = []
    for v in range(_VARIANTS):
        code = (
            f"def solve(numbers: list[int], threshold: float = {v}.5) -> bool:\n"
            '    """Return True if two numbers are closer than threshold."""\n'
            "    ordered = sorted(numbers)\n"
            "    for left, right in zip(ordered, ordered[1:]):\n"
            "        if right - left < threshold:\n"
            "            return True\n"
            f"    return False  # variant {v}\n"
        )
        raw = f"Here is a solution that sorts first, then compares neighbours.\n\n```python\n{code}```\n\nIt runs in O(n log n) time and O(n) extra space."
        out.append((raw, code))
    return out


def _event(i: int, answers: list[tuple[str, str]]) -> SampleGenerated:
    raw, code = answers[i % _VARIANTS]
    return SampleGenerated(
        key=f"bench/gpt-sim/HumanEval/{i // 200}/{i % 200}", run_id="bench-run", actor="generator",
        ts=1_700_000_000.0 + i * 0.001, task_id=f"HumanEval/{i // 200 % 164}", model="gpt-sim",
        sample_idx=i % 200, raw=raw, code=code, ttft_ms=120.0 + i % 50, total_ms=900.0 + i % 300,
        prompt_tokens=180, completion_tokens=140, cost_usd=0.00042,
    )  # fmt: skip


@dataclass(frozen=True)
class Rate:
    per_s: float
    cpu_us: float

    @classmethod
    def since(cls, wall0: float, cpu0: float, n: int) -> Rate:
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        return cls(n / wall, cpu / n * 1e6)


async def _append(store: EventStore, n: int) -> Rate:
    answers = _answers()
    writer = EventWriter(store)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    await writer.start()
    window: deque[asyncio.Future[int]] = deque()
    chunk = 512
    for base in range(0, n, chunk):
        last = None
        for i in range(base, min(base + chunk, n)):
            last = writer.submit(_event(i, answers))
        assert last is not None
        window.append(last)
        if len(window) > _IN_FLIGHT_CHUNKS:
            await window.popleft()
    await writer.close()
    rate = Rate.since(wall0, cpu0, n)
    stats = writer.stats()
    assert stats.committed == n and stats.failed == 0, stats
    return rate


async def _replay(store: EventStore, n: int) -> Rate:
    wall0, cpu0 = time.perf_counter(), time.process_time()
    count = 0
    async for _ in store.iter():
        count += 1
    rate = Rate.since(wall0, cpu0, n)
    assert count == n, (count, n)
    return rate


async def _run(backend: str, make: Callable[[], EventStore], n: int, path: Path | None) -> Result:
    gc.collect()
    async with make() as store:
        append = await _append(store, n)
    async with make() as store:  # reopened: replay reads what was committed
        replay = await _replay(store, n)
    size = path.stat().st_size / 1e6 if path is not None else float("nan")
    return Result(backend, n, append.per_s, append.cpu_us, replay.per_s, replay.cpu_us, size)


async def main(sizes: list[int], scratch: Path) -> list[Result]:
    results = []
    for n in sizes:
        memory = MemoryStore()
        results.append(await _run("memory", lambda m=memory: m, n, None))
        del memory
        path = scratch / f"bench-{n}.azr"
        results.append(await _run("sqlite", lambda p=path: SQLiteStore(p), n, path))
        path.unlink()
    return results


def _print(results: list[Result]) -> None:
    print(
        f"{'backend':<8} {'events':>9} {'append ev/s':>12} {'cpu us/ev':>9}"
        f" {'replay ev/s':>12} {'cpu us/ev':>9} {'file MB':>8}"
    )
    for r in results:
        size = "-" if r.payload_mb != r.payload_mb else f"{r.payload_mb:.0f}"
        print(
            f"{r.backend:<8} {r.events:>9,} {r.append_per_s:>12,.0f} {r.append_cpu_us:>9.1f}"
            f" {r.replay_per_s:>12,.0f} {r.replay_cpu_us:>9.1f} {size:>8}"
        )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--quick", action="store_true", help="one small size (20,000 events)")
    parser.add_argument("--dir", type=Path, default=None, help="scratch directory for SQLite files")
    args = parser.parse_args()
    sizes = [20_000] if args.quick else args.events
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="azr-bench-") as scratch:
        _print(asyncio.run(main(sizes, Path(scratch))))


if __name__ == "__main__":
    cli()
