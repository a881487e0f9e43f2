"""The PostgreSQL server the tests use, if one answers: ``AZR_TEST_POSTGRES``
(default ``postgresql://postgres@127.0.0.1:5432/postgres``)."""

from __future__ import annotations

import asyncio
import os
from typing import Any

URL = os.environ.get("AZR_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def why_no_server(asyncpg: Any) -> str | None:
    """None when a server answers at :data:`URL`, else why not (``asyncpg`` None: not installed)."""
    if asyncpg is None:
        return "asyncpg (the cluster extra) is not installed"

    async def probe() -> None:
        conn = await asyncpg.connect(URL, timeout=3)
        await conn.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
        return f"no PostgreSQL server at {URL}: {type(exc).__name__}"
    return None


async def run_sql(asyncpg: Any, *statements: str) -> None:
    """Run ``statements`` on the server at :data:`URL`, one connection for all."""
    conn = await asyncpg.connect(URL)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()
