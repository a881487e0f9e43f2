"""Beyond one machine: the Ray engine (``--engine ray``).

Public API::

    from azr_actors.cluster import make_engine

    engine = make_engine("ray", address=None | "HOST:PORT", workers=None | N)
    pool = engine.pool()                      # RaySandboxPool: SandboxPool's interface
    provider = await engine.open_provider("sim:strong", seed=0)
    engine.close()

Ray (and asyncpg, for the PostgreSQL log) ship with the ``cluster`` extra;
importing this package does not import Ray, ``make_engine("local")`` never
needs it, and ``make_engine("ray")`` without it is a one-line BadInput.
"""

from __future__ import annotations

from .engine import ENGINES, Engine, LocalEngine, RayEngine, make_engine
from .pool import EXECUTOR_RESOURCE, RaySandboxPool
from .provider import RayProvider

__all__ = [
    "ENGINES",
    "EXECUTOR_RESOURCE",
    "Engine",
    "LocalEngine",
    "RayEngine",
    "RayProvider",
    "RaySandboxPool",
    "make_engine",
]
