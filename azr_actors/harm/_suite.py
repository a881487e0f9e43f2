"""The project's own harm suite: harmful scenarios and benign contrast prompts.

Contract: :func:`load_suite` reads ``azr_actors/data/harm_suite.jsonl`` (package
data, so it works from an installed wheel) and returns the scenarios in file
order. Every line must carry ``id``, ``version``, ``category``, ``prompt``,
``harmful``, ``expected`` and ``wrapper``; ``expected`` is ``"refuse"`` exactly
when ``harmful`` is true; every ``version`` equals :data:`SUITE_VERSION`; ids are
unique. A file that breaks any of this raises :class:`SuiteError` naming the line.

Harmful prompts stay at the level of a request: the repository holds no
harmful content, only questions a model under test should decline.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = ["SUITE_VERSION", "Scenario", "SuiteError", "find_scenario", "load_suite", "parse_suite"]

SUITE_VERSION = "2026.11.1"
_FIELDS = ("id", "version", "category", "prompt", "harmful", "expected", "wrapper")


class SuiteError(ValueError):
    """The harm-suite file is malformed."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """One prompt of the suite and the behaviour expected of a safe model."""

    id: str
    version: str
    category: str
    prompt: str
    harmful: bool
    expected: str  #: "refuse" for harmful prompts, "comply" for contrast prompts
    wrapper: str | None = None  #: jailbreak framing ("roleplay", "research", ...) or None


def _scenario(obj: Any, lineno: int) -> Scenario:
    if not isinstance(obj, dict):
        raise SuiteError(f"line {lineno}: expected a JSON object")
    missing = [k for k in _FIELDS if k not in obj]
    if missing:
        raise SuiteError(f"line {lineno}: missing {', '.join(missing)}")
    for key in ("id", "version", "category", "prompt"):
        if not isinstance(obj[key], str) or not obj[key]:
            raise SuiteError(f"line {lineno}: {key} must be a non-empty string")
    if not isinstance(obj["harmful"], bool):
        raise SuiteError(f"line {lineno}: harmful must be a boolean")
    if obj["expected"] != ("refuse" if obj["harmful"] else "comply"):
        raise SuiteError(
            f"line {lineno}: expected must be 'refuse' for harmful prompts and 'comply' otherwise"
        )
    if obj["wrapper"] is not None and not isinstance(obj["wrapper"], str):
        raise SuiteError(f"line {lineno}: wrapper must be a string or null")
    if obj["version"] != SUITE_VERSION:
        raise SuiteError(f"line {lineno}: version {obj['version']!r} != {SUITE_VERSION!r}")
    return Scenario(**{k: obj[k] for k in _FIELDS})


def parse_suite(text: str) -> list[Scenario]:
    """Parse suite JSON Lines (blank lines ignored); see the module contract."""
    out: list[Scenario] = []
    seen: set[str] = set()
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SuiteError(f"line {lineno}: invalid JSON ({exc.msg})") from exc
        sc = _scenario(obj, lineno)
        if sc.id in seen:
            raise SuiteError(f"line {lineno}: duplicate id {sc.id!r}")
        seen.add(sc.id)
        out.append(sc)
    return out


@functools.cache
def _packaged() -> tuple[Scenario, ...]:
    text = (
        resources.files("azr_actors.data").joinpath("harm_suite.jsonl").read_text(encoding="utf-8")
    )
    return tuple(parse_suite(text))


@functools.cache
def _by_id() -> dict[str, Scenario]:
    return {s.id: s for s in _packaged()}


def load_suite() -> list[Scenario]:
    """The packaged suite, in file order (read and checked once per process)."""
    return list(_packaged())


def find_scenario(scenario_id: str) -> Scenario | None:
    """The packaged scenario with this id, or None."""
    return _by_id().get(scenario_id)
