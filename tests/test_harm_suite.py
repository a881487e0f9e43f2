"""The packaged harm suite, its parser, and the simulated responder."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter

import pytest

from azr_actors.harm import (
    LABELS,
    SUITE_VERSION,
    Scenario,
    SuiteError,
    classify,
    load_suite,
    parse_suite,
    simulate_response,
)


@pytest.fixture(scope="module")
def suite() -> list[Scenario]:
    return load_suite()


def test_suite_size_versions_and_expectations(suite: list[Scenario]) -> None:
    harmful = [s for s in suite if s.harmful]
    contrast = [s for s in suite if not s.harmful]
    assert len(harmful) >= 50
    assert len(contrast) >= len(harmful)
    assert {s.version for s in suite} == {SUITE_VERSION}
    assert all(s.expected == ("refuse" if s.harmful else "comply") for s in suite)
    assert len({s.id for s in suite}) == len(suite)


def test_every_category_has_harmful_and_contrast_prompts(suite: list[Scenario]) -> None:
    kinds = Counter((s.category, s.harmful) for s in suite)
    categories = {s.category for s in suite}
    assert len(categories) >= 8
    for cat in categories:
        assert kinds[(cat, True)] >= 5 and kinds[(cat, False)] >= 5, cat


def test_jailbreak_wrappers_are_covered_on_both_sides(suite: list[Scenario]) -> None:
    harmful_wrappers = {s.wrapper for s in suite if s.harmful and s.wrapper}
    contrast_wrappers = {s.wrapper for s in suite if not s.harmful and s.wrapper}
    assert {"roleplay", "research"} <= harmful_wrappers
    assert harmful_wrappers == contrast_wrappers


def test_scenarios_are_frozen(suite: list[Scenario]) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        suite[0].prompt = "changed"  # type: ignore[misc]


def _line(**over: object) -> str:
    base = {
        "id": "x-1",
        "version": SUITE_VERSION,
        "category": "c",
        "prompt": "p",
        "harmful": True,
        "expected": "refuse",
        "wrapper": None,
    }
    base.update(over)
    return json.dumps(base)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "line 1: invalid JSON"),
        ("[1, 2]", "line 1: expected a JSON object"),
        (
            json.dumps({"id": "a"}),
            "line 1: missing version, category, prompt, harmful, expected, wrapper",
        ),
        (
            _line(expected="comply"),
            "line 1: expected must be 'refuse' for harmful prompts and 'comply' otherwise",
        ),
        (_line(harmful="yes"), "line 1: harmful must be a boolean"),
        (_line(prompt=""), "line 1: prompt must be a non-empty string"),
        (_line(version="0.0"), "line 1: version '0.0' != "),
        (_line(wrapper=3), "line 1: wrapper must be a string or null"),
        (_line() + "\n\n" + _line(), "line 3: duplicate id 'x-1'"),
    ],
)
def test_parse_suite_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(SuiteError, match=re.escape(message)):
        parse_suite(text)


def test_parse_suite_accepts_a_valid_file() -> None:
    out = parse_suite(
        _line() + "\n" + _line(id="x-2", harmful=False, expected="comply", wrapper="roleplay")
    )
    assert [s.id for s in out] == ["x-1", "x-2"]
    assert out[1].wrapper == "roleplay"


# --- simulated responder ---------------------------------------------------


def test_simulation_is_deterministic_per_seed(suite: list[Scenario]) -> None:
    a = [simulate_response(s, "sim:a", random.Random(7)) for s in suite]
    b = [simulate_response(s, "sim:a", random.Random(7)) for s in suite]
    assert a == b


def test_simulated_models_differ_in_style(suite: list[Scenario]) -> None:
    rng_a, rng_b = random.Random(1), random.Random(1)
    a = [simulate_response(s, "sim:alpha", rng_a) for s in suite]
    b = [simulate_response(s, "sim:omega", rng_b) for s in suite]
    assert a != b


def test_simulation_produces_every_label_and_respects_safety(suite: list[Scenario]) -> None:
    def labels(safety: float) -> Counter[tuple[bool, str]]:
        rng = random.Random(3)
        return Counter(
            (
                s.harmful,
                classify(
                    s.prompt, simulate_response(s, "sim:m", rng, safety=safety), s.harmful
                ).label,
            )
            for _ in range(4)
            for s in suite
        )

    mixed = labels(0.6)
    assert {lab for _, lab in mixed} == set(LABELS)
    safe = labels(1.0)
    assert safe[(True, "slipped")] == 0
    assert safe[(False, "refused")] == 0
    unsafe = labels(0.0)
    harmful_n = 4 * sum(s.harmful for s in suite)
    assert unsafe[(True, "slipped")] >= 0.9 * harmful_n


def test_simulated_harmful_compliance_is_placeholder_only(suite: list[Scenario]) -> None:
    rng = random.Random(0)
    for s in (s for s in suite if s.harmful):
        text = simulate_response(s, "sim:m", rng, safety=0.0)
        assert "[REDACTED]" in text
        assert not re.search(r"\d+\s*(?:g|mg|ml)\b", text)  # no real quantities leak in


def test_simulation_checks_safety_range(suite: list[Scenario]) -> None:
    with pytest.raises(ValueError, match=re.escape("safety must be in [0, 1], got 1.5")):
        simulate_response(suite[0], "sim:m", random.Random(0), safety=1.5)
