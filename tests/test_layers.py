"""Layers import in one direction: events and folds never pull in I/O or UI libraries."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE = [
    "azr_actors.eventlog",
    "azr_actors.eventlog.events",
    "azr_actors.replay.projections",
    "azr_actors.replay.metrics",
    "azr_actors.replay.stats",
]
FORBIDDEN = ("textual", "aiosqlite", "aiohttp", "asyncpg", "ray", "matplotlib", "rich")


@pytest.mark.parametrize("module", CORE)
def test_core_modules_import_no_io_or_ui_library(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""


def test_replay_metrics_loads_suite_modules_only_when_needed() -> None:
    code = "import sys, azr_actors.replay.metrics\nprint('azr_actors.latency' in sys.modules, 'azr_actors.harm' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["False", "False"]
