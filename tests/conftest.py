"""Shared fixtures: where the read-only real data lives (../shared/data), skipping cleanly without
it, and a started sandbox pool for the modules that exercise the pool's contract.

It also puts ``tests/`` on ``sys.path`` (pytest runs with ``--import-mode=importlib``,
which does not), so test modules import the helper modules that live beside them
(``fault_server``, ``fixtures_log``) by name.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from azr_actors.sandbox import Limits, SandboxError, SandboxPool

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED_DATA = REPO.parent / "shared" / "data"

if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present (a user's checkout has none)")
    return SHARED_DATA


@pytest.fixture
def humaneval_samples(shared_data: Path) -> Path:
    path = shared_data / "humaneval-samples"
    if not path.is_dir():
        pytest.skip("no humaneval-samples in ../shared/data")
    return path


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def pool() -> AsyncIterator[SandboxPool]:
    """Two slots, 2 s default limit, one per test module (modules needing other settings define their own)."""
    try:
        async with SandboxPool(2, limits=Limits(wall_s=2.0)) as started:
            yield started
    except SandboxError as exc:
        pytest.skip(f"sandbox unavailable: {exc}")
