"""The code passes ruff with the project's configuration (pyproject.toml's commented ignore list)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing() -> None:
    if shutil.which("ruff") is None and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode:
        pytest.skip("ruff is not installed (pip install '.[test]')")
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format", "concise", str(REPO)],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert done.returncode == 0, done.stdout[-3000:]


def test_mypy_finds_nothing(tmp_path: Path) -> None:
    """mypy on the package as installed: pyproject.toml maps eventlog/ and replay/ into it,
    which mypy cannot follow in the source tree, so the check runs on that layout."""
    if subprocess.run([sys.executable, "-m", "mypy", "--version"], capture_output=True).returncode:
        pytest.skip("mypy is not installed (pip install '.[test]')")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    package = tmp_path / "azr_actors"
    shutil.copytree(REPO / "azr_actors", package, ignore=ignore)
    for inner in ("eventlog", "replay"):
        shutil.copytree(REPO / inner, package / inner, ignore=ignore)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml"),
         "--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "azr_actors"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:]
