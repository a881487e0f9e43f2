"""Tolerant comparison of outputs with docstring expectations, and output canonicalisation."""

from __future__ import annotations

import math
from typing import Any

import pytest

from azr_actors.sandbox.values import encode
from azr_actors.selection import canonical_output, expected_matches


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        ("5", 5),
        ("5", 5.0),  # value equality, as the hidden tests' == would see it
        ("0.5", 0.5000000001),
        ("3.3333", 10 / 3),  # shown with 4 decimals: half a unit of the last digit
        ("[1, 2]", (1, 2)),  # list vs tuple
        ("(1, 2)", [1, 2]),
        ("[1,2,   3]", [1, 2, 3]),  # whitespace inside the literal
        ('("Venus")', ("Venus",)),  # a parenthesised single value shown for a 1-tuple
        ("{'a': 2}", {"a": 2}),
        ("None", None),
        ("True", True),
        ("'a b'", "a b"),
        ("hello world", "hello world"),  # not a literal: compared with str()
        ("<generator>", "<generator>"),
        ("[(0, 1.5)]", [(0, 1.5)]),
    ],
)
def test_matches(expected: str, value: Any) -> None:
    assert expected_matches(expected, encode(value))


@pytest.mark.parametrize(
    ("expected", "value"),
    [
        ("5", 6),
        ("'5'", 5),  # a string is not a number: the hidden tests would fail it too
        ("5", "5"),
        ("0.5", 0.51),
        ("1.0", 1.04),  # only one decimal shown: no rounding tolerance
        ("3.3333", 3.3334),
        ("[1, 2]", [2, 1]),
        ("[1, 2]", [1, 2, 3]),
        ("None", 0),
        ("'a b'", "a  b"),  # strings compare exactly
        ("{'a': 2}", {"a": 3}),
        ('("Venus")', ("Venus", "Mars")),
    ],
)
def test_mismatches(expected: str, value: Any) -> None:
    assert not expected_matches(expected, encode(value))


def test_a_call_that_raised_matches_only_a_shown_error() -> None:
    assert not expected_matches("0", None)
    assert not expected_matches("None", None)
    assert expected_matches("Traceback (most recent call last): ValueError", None)


def test_malformed_wire_text_never_matches() -> None:
    assert not expected_matches("1", "{not json")


def test_opaque_values_do_not_pass_for_plain_ones() -> None:
    class Sneaky(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    assert not expected_matches("5", encode(Sneaky(5)))


def test_canonical_output_rounds_floats_only() -> None:
    a, b = encode([0.1 + 0.2, "x"]), encode([0.3, "x"])
    assert a != b
    assert canonical_output(a) == canonical_output(b)
    assert canonical_output(encode(0.3001)) != canonical_output(encode(0.3))
    assert canonical_output(encode([1, "float"])) == encode([1, "float"])
    assert canonical_output(None) is None
    assert canonical_output(encode(float("nan"))) == encode(float("nan"))


def test_canonical_output_folds_negative_zero_and_noise_near_zero() -> None:
    assert canonical_output(encode(-0.0)) == canonical_output(encode(0.0))
    assert canonical_output(encode([math.sin(math.pi), 1.0])) == canonical_output(encode([0.0, 1.0]))
    assert canonical_output(encode(1e-3)) != canonical_output(encode(0.0))
