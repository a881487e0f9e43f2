"""Shared fixtures: where the read-only real data lives (../shared/data), skipping cleanly without it.

It also puts ``tests/`` on ``sys.path`` (pytest runs with ``--import-mode=importlib``,
which does not), so test modules import the helper modules that live beside them
(``fault_server``, ``fixtures_log``) by name.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

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
