"""Engines: where a run's generators and executors run (``--engine local|ray``).

An engine hands the orchestrator two things, and the orchestrator keeps the
rest (the actors, the single log writer, the folds) in the driver process::

    engine = make_engine("ray", address="10.0.0.1:6379", workers=None)
    pool = engine.pool(cfg.workers)                    # SandboxPool interface; start()/close()
    provider = await engine.open_provider(spec, seed=cfg.seed)   # Provider protocol
    ...
    engine.close()

``local`` is the default single-machine engine (SandboxPool, providers in
process). ``ray`` runs executors as Ray actors pinned to hosts offering the
``azr_executor`` resource and live generators as Ray async actors; recorded
models (``samples:``, ``replay:``) are file reads and stay in the driver.
The same seed and the same recorded generations give the same metrics on
either engine.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import BadInput
from ..providers.base import Provider
from ..sandbox import Limits
from .pool import EXECUTOR_RESOURCE, RaySandboxPool

__all__ = ["ENGINES", "Engine", "LocalEngine", "RayEngine", "make_engine"]

ENGINES = ("local", "ray")
#: provider kinds whose generators run as Ray actors; the others are read in the driver
_REMOTE_KINDS = ("sim", "openai", "anthropic")


class Engine(Protocol):
    """What the orchestrator needs from an engine."""

    name: str

    def pool(self, workers: int | None = None, *, limits: Limits | None = None) -> Any:
        """An unstarted pool with SandboxPool's interface (start/close/check/probe/calibrate)."""
        ...

    async def open_provider(self, spec: str, *, seed: int = 0) -> Provider:
        """The provider ``spec`` names, running where this engine runs generators."""
        ...

    def nodes(self) -> int:
        """How many machines (nodes) the engine runs on."""
        ...

    def close(self) -> None:
        """Release what the engine started (idempotent)."""
        ...


@dataclass
class LocalEngine:
    """This machine only: the hardened SandboxPool and in-process providers."""

    workers: int | None = None
    name: str = "local"

    def pool(self, workers: int | None = None, *, limits: Limits | None = None) -> Any:
        from ..sandbox import SandboxPool

        return SandboxPool(workers or self.workers, limits=limits)

    async def open_provider(self, spec: str, *, seed: int = 0) -> Provider:
        from ..providers.spec import open_provider

        return await open_provider(spec, seed=seed)

    def nodes(self) -> int:
        return 1

    def close(self) -> None:
        return None


@dataclass
class RayEngine:
    """A Ray cluster: executor slots on ``azr_executor`` hosts, generators as async actors.

    ``address``: a running cluster (``HOST:PORT``, ``ray://HOST:PORT`` or ``auto``);
    None starts a one-machine Ray on loopback whose node offers one executor slot
    per CPU. ``rate_per_s``: shared request rate per provider kind.
    """

    address: str | None = None
    workers: int | None = None
    rate_per_s: dict[str, float] = field(default_factory=dict)
    generator_concurrency: int = 64
    name: str = "ray"
    _started_ray: bool = False

    def __post_init__(self) -> None:
        if self.address is None:
            _keep_on_loopback()
        import ray

        if ray.is_initialized():
            return
        if self.address is None:
            cpus = os.cpu_count() or 1
            ray.init(
                num_cpus=cpus,
                resources={EXECUTOR_RESOURCE: self.workers or cpus},
                include_dashboard=False,
                log_to_driver=False,
                configure_logging=False,
            )
        else:
            _check_reachable(self.address)
            try:
                ray.init(address=self.address, log_to_driver=False, configure_logging=False)
            except (ConnectionError, RuntimeError, ValueError) as exc:
                raise BadInput(f"cannot join the Ray cluster at {self.address}: {exc}") from None
        self._started_ray = True

    def pool(self, workers: int | None = None, *, limits: Limits | None = None) -> RaySandboxPool:
        return RaySandboxPool(workers or self.workers, limits=limits)

    async def open_provider(self, spec: str, *, seed: int = 0) -> Provider:
        if spec.partition(":")[0] not in _REMOTE_KINDS:
            from ..providers.spec import open_provider

            return await open_provider(spec, seed=seed)
        from .provider import RayProvider

        return await RayProvider.open(
            spec, seed=seed, concurrency=self.generator_concurrency, rate_per_s=self.rate_per_s
        )

    def nodes(self) -> int:
        import ray

        nodes: list[dict[str, Any]] = ray.nodes()
        return len([node for node in nodes if node.get("Alive")])

    def close(self) -> None:
        import ray

        if self._started_ray and ray.is_initialized():
            ray.shutdown()
        self._started_ray = False


def _check_reachable(address: str, timeout_s: float = 10.0) -> None:
    """Raise BadInput at once when nothing answers at ``HOST:PORT`` (or ``ray://HOST:PORT``).

    ``ray.init`` would retry an unreachable head for many minutes before failing.
    Other forms (``auto``, ...) are left to Ray.
    """
    host, sep, port = address.removeprefix("ray://").rpartition(":")
    if not sep or not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
        raise BadInput(f"cannot join the Ray cluster at {address}: {reason}") from None


def _keep_on_loopback() -> None:
    """Keep a private one-machine Ray on 127.0.0.1.

    By default Ray advertises the machine's routable address, and a local cluster
    can hang on it. ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` keeps Ray's processes on
    loopback; Ray reads it once, at import, so a process that imported Ray already
    gets the same setting on the constant it was read into. An explicit ``=1``
    from the user is respected.
    """
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    constants: Any = sys.modules.get("ray._private.ray_constants")
    if constants is not None and os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0":
        constants.ENABLE_RAY_CLUSTER = False


def make_engine(engine: str, *, address: str | None = None, workers: int | None = None) -> Engine:
    """The engine ``--engine`` names; ``address`` (``--ray-address``) applies to ``ray`` only.

    Raises BadInput for an unknown engine, an address without ``--engine ray``,
    or Ray missing (it ships with the ``cluster`` extra).
    """
    if engine not in ENGINES:
        raise BadInput(f"unknown engine {engine!r} (choose from {', '.join(ENGINES)})")
    if workers is not None and workers < 1:
        raise BadInput(f"--workers must be >= 1, got {workers}")
    if engine == "local":
        if address is not None:
            raise BadInput("--ray-address needs --engine ray")
        return LocalEngine(workers)
    if importlib.util.find_spec("ray") is None:
        raise BadInput(
            "--engine ray needs the cluster extra: pip install 'azr-actors[cluster]'"
        ) from None
    return RayEngine(address=address, workers=workers)
