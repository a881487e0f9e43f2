"""The type-exact wire format: plain values round-trip, anything else stays opaque, bad text is refused."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from azr_actors.sandbox import values

scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8) | st.binary(max_size=8)
floats = st.floats(allow_nan=False)
plain = st.recursive(
    scalars | floats | st.complex_numbers(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=4)
        | st.frozensets(scalars, max_size=4)
    ),
    max_leaves=12,
)


@given(plain)
def test_plain_values_round_trip_with_their_exact_types(value: object) -> None:
    back = values.decode(values.encode(value))
    assert back == value
    assert type(back) is type(value)


def test_numbers_keep_their_type() -> None:
    encodings = {values.encode(1), values.encode(1.0), values.encode(True), values.encode("1")}
    assert len(encodings) == 4
    assert math.isnan(values.decode(values.encode(float("nan"))))


def test_subclasses_and_unknown_types_are_opaque() -> None:
    class Rigged(float):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = float.__hash__

    decoded = values.decode(values.encode([Rigged(2.0), object()]))
    assert decoded != [2.0, decoded[1]]
    assert all(isinstance(item, values.Opaque) for item in decoded)
    assert decoded[0] != 2.0 and decoded[0] == decoded[0]
    # an opaque value equals only itself, even another of the same type
    assert decoded[0] != values.Opaque(decoded[0].type_name)
    assert values.decode('{"other": "Fraction"}') != values.decode('{"other": "Fraction"}')


@pytest.mark.parametrize(
    "text",
    [
        '{"float": 1.5}',
        "1.5",
        '{"complex": [1]}',
        '{"tuple": 3}',
        '{"nope": 1}',
        '{"a": 1, "b": 2}',
        "[",
        '{"dict": [[1]]}',
    ],
)
def test_malformed_text_is_refused(text: str) -> None:
    with pytest.raises(values.WireError):
        values.decode(text)


def test_a_set_or_dict_whose_keys_flood_one_hash_is_refused() -> None:
    flood = [k * (2**61 - 1) for k in range(1, 200)]  # all hash to 0
    assert {hash(k) for k in flood} == {0}
    for text in (json.dumps({"set": flood}), json.dumps({"dict": [[k, 0] for k in flood]})):
        with pytest.raises(values.WireError, match="share one hash"):
            values.decode(text)
    assert values.decode(json.dumps({"set": list(range(1000))})) == set(range(1000))


@pytest.mark.parametrize("text", ['{"complex": [' + "1" * 400 + ', {"float": "0.0"}]}', '{"complex": [1, 2]}'])
def test_complex_parts_must_be_floats(text: str) -> None:
    with pytest.raises(values.WireError):
        values.decode(text)
