"""The Ray engine on a simulated 3-node cluster (``ray.cluster_utils.Cluster``, on 127.0.0.1).

One head node (the driver's, no executor slot) and two executor nodes with one
``azr_executor`` slot each; the node-death test adds a third executor node and
kills it mid-run. Skips cleanly without Ray. The log of the cluster runs is
PostgreSQL when a server answers at ``AZR_TEST_POSTGRES``, else SQLite.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ray = pytest.importorskip("ray", reason="ray (the cluster extra) is not installed")
from ray.cluster_utils import Cluster  # noqa: E402

from azr_actors.cluster import RaySandboxPool, make_engine  # noqa: E402
from azr_actors.humaneval import problems  # noqa: E402
from azr_actors.run import RunConfig, execute  # noqa: E402
from azr_actors.sandbox import CheckJob, ProbeJob, SandboxPool  # noqa: E402

#: keys whose values are wall-clock measurements or locations, not results
NOT_RESULTS = frozenset({"latency", "timing", "resources", "log"})
POSTGRES = os.environ.get("AZR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    # Keep every node on loopback: by default Ray advertises the machine's routable address.
    # The variable reaches the node processes; this process read it at import, so patch that too.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        patch.setattr(ray._private.ray_constants, "ENABLE_RAY_CLUSTER", False)
        made = Cluster(
            initialize_head=True, head_node_args={"num_cpus": 1, "include_dashboard": False}
        )
        try:
            for _ in range(2):
                made.add_node(num_cpus=1, resources={"azr_executor": 1})
            made.wait_for_nodes()
            ray.init(address=made.address, log_to_driver=False)
            yield made
        finally:
            ray.shutdown()
            made.shutdown()


def results_only(value: Any) -> Any:
    """``value`` without its wall-clock and location entries, at every depth."""
    if isinstance(value, dict):
        return {k: results_only(v) for k, v in value.items() if k not in NOT_RESULTS}
    if isinstance(value, list):
        return [results_only(v) for v in value]
    return value


def test_the_test_cluster_stays_on_loopback_without_token_auth(cluster: Cluster) -> None:
    nodes = [n for n in ray.nodes() if n["Alive"]]
    assert len(nodes) == 3
    assert {n["NodeManagerAddress"] for n in nodes} == {"127.0.0.1"}
    assert ray.cluster_resources()["azr_executor"] == 2
    from ray._private.authentication.authentication_utils import AuthenticationMode
    from ray._raylet import get_authentication_mode

    # Joined by explicit address, with RAY_AUTH_MODE unset, Ray 2.60 does not turn tokens on.
    assert get_authentication_mode() == AuthenticationMode.DISABLED


def _jobs() -> list[CheckJob | ProbeJob]:
    jobs: list[CheckJob | ProbeJob] = []
    for i, task_id in enumerate(["HumanEval/0", "HumanEval/2", "HumanEval/4", "HumanEval/7"]):
        p = problems()[task_id]
        jobs.append(CheckJob(p.prompt, p.canonical_solution, p.test, p.entry_point, seed=i))
        jobs.append(CheckJob(p.prompt, "    return None\n", p.test, p.entry_point, seed=i))
    p = problems()["HumanEval/2"]
    jobs.append(
        CheckJob(p.prompt, "    while True:\n        pass\n", p.test, p.entry_point, timeout_s=0.5)
    )
    jobs.append(
        ProbeJob(p.prompt + p.canonical_solution, p.entry_point, ["truncate_number(3.5)", "1/0"])
    )
    return jobs


def _verdict(result: Any) -> tuple[Any, ...]:
    outputs = getattr(result, "outputs", None)
    return (result.status, getattr(result, "passed", None), outputs)


async def _run_all(pool: Any, jobs: list[CheckJob | ProbeJob]) -> list[tuple[Any, ...]]:
    async def one(job: CheckJob | ProbeJob) -> tuple[Any, ...]:
        result = await (pool.check(job) if isinstance(job, CheckJob) else pool.probe(job))
        return _verdict(result)

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def test_the_ray_pool_gives_the_local_pools_verdicts_on_both_nodes(cluster: Cluster) -> None:
    jobs = _jobs()
    async with SandboxPool(2) as local:
        expected = await _run_all(local, jobs)
    async with RaySandboxPool(batch_size=2) as pool:
        assert pool.workers == 2
        got = await _run_all(pool, jobs)
        stats = pool.cluster_stats()
        assert pool.isolation_report["level"] == local.isolation_report["level"]
    assert got == expected
    assert {v[0] for v in got} >= {"passed", "failed", "timeout", "ok"}
    assert stats["nodes"] == 2 and stats["lost_slots"] == 0


async def test_generators_of_one_provider_share_one_rate_limiter(cluster: Cluster) -> None:
    from azr_actors.cluster import RayProvider
    from azr_actors.cluster.provider import shared_limiter
    from azr_actors.providers.base import CompletionRequest
    from azr_actors.providers.sim import SimProvider

    rates = {"sim": 500.0}
    fast = await RayProvider.open("sim:strong?latency_ms=1&style=0", seed=1, rate_per_s=rates)
    slow = await RayProvider.open("sim:weak?latency_ms=1", seed=1, rate_per_s=rates)
    requests = [
        CompletionRequest(prompt=p.prompt, task_id=t, sample_idx=i)
        for i, (t, p) in enumerate(list(problems().items())[:5])
    ]
    limiter = shared_limiter("sim", rates["sim"])  # the one both generators already use
    try:
        assert (slow.name, slow.provider, slow.live, slow.simulated) == (
            "sim-weak",
            "sim",
            True,
            True,
        )
        remote = await asyncio.gather(*(g.complete(r) for g in (fast, slow) for r in requests))
        assert (await limiter.stats.remote())["granted"] == 2 * len(requests)
    finally:
        await fast.close()
        await slow.close()
        ray.kill(limiter)
    here = SimProvider("weak?latency_ms=1", seed=1)
    assert [c.text for c in remote[len(requests) :]] == [
        (await here.complete(r)).text for r in requests
    ]


@pytest.fixture
def log_url() -> Iterator[str | None]:
    """A fresh PostgreSQL log for the cluster run, or None (no server: the run uses SQLite)."""
    try:
        import asyncpg
    except ImportError:
        yield None
        return
    schema = f"azr_test_{uuid.uuid4().hex[:12]}"

    async def sql(statement: str) -> None:
        conn = await asyncpg.connect(POSTGRES, timeout=3)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    try:
        asyncio.run(sql("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError):
        yield None
        return
    yield f"{POSTGRES}{'&' if '?' in POSTGRES else '?'}schema={schema}"
    asyncio.run(sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))


def _record_pools(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Collect the pools the Ray engine hands out (behaviour unchanged), to read their statistics."""
    from azr_actors.cluster import RayEngine

    pools: list[Any] = []
    original = RayEngine.pool

    def pool(self: Any, workers: int | None = None, **kwargs: Any) -> Any:
        pools.append(original(self, workers, **kwargs))
        return pools[-1]

    monkeypatch.setattr(RayEngine, "pool", pool)
    return pools


# sim:strong runs as a Ray actor in another process: its answers must not depend on the
# process (e.g. on PYTHONHASHSEED), or the cluster run would differ from the local one.
CONFIG = {
    "models": ("sim:strong", "sim:weak"),
    "tasks": "6",
    "budgets": (1, 3),
    "suites": ("code",),
    "seed": 3,
}


async def test_a_cluster_run_gives_exactly_the_local_runs_metrics(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, log_url: str | None
) -> None:
    local, _ = await execute(RunConfig(**CONFIG, log=tmp_path / "local.db", workers=2))  # type: ignore[arg-type]
    pools = _record_pools(monkeypatch)
    remote_log = log_url if log_url is not None else tmp_path / "ray.db"
    remote, _ = await execute(RunConfig(**CONFIG, log=remote_log, engine="ray"))  # type: ignore[arg-type]
    assert local["status"] == remote["status"] == "completed"
    assert results_only(remote) == results_only(local)
    assert [p.cluster_stats()["nodes"] for p in pools] == [2]


async def test_killing_a_worker_node_mid_run_gives_the_same_metrics(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local, _ = await execute(RunConfig(**CONFIG, log=tmp_path / "local.db", workers=2))  # type: ignore[arg-type]
    doomed = cluster.add_node(num_cpus=1, resources={"azr_executor": 1})
    cluster.wait_for_nodes()
    pools = _record_pools(monkeypatch)
    killed = asyncio.Event()

    async def kill_when_busy() -> None:
        while not pools or pools[0].stats().busy < 3:
            await asyncio.sleep(0.01)
        await asyncio.to_thread(cluster.remove_node, doomed)
        killed.set()

    killer = asyncio.create_task(kill_when_busy())
    try:
        remote, _ = await execute(RunConfig(**CONFIG, log=tmp_path / "ray.db", engine="ray"))  # type: ignore[arg-type]
    finally:
        killer.cancel()
    assert killed.is_set()
    stats = pools[0].cluster_stats()
    assert stats["lost_slots"] >= 1 and stats["retried_jobs"] >= 1
    assert results_only(remote) == results_only(local)


def test_make_engine_refuses_bad_usage_in_one_line() -> None:
    from azr_actors.cluster import LocalEngine
    from azr_actors.errors import BadInput

    assert isinstance(make_engine("local", address=None, workers=3), LocalEngine)
    with pytest.raises(BadInput, match=r"^unknown engine 'spark' \(choose from local, ray\)$"):
        make_engine("spark", address=None, workers=None)
    with pytest.raises(BadInput, match=r"^--ray-address needs --engine ray$"):
        make_engine("local", address="127.0.0.1:6379", workers=None)
