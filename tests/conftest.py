"""Shared fixtures: where the read-only real data lives (../shared/data), skipping cleanly without it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


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
