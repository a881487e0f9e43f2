"""Type-exact wire encoding of values that cross the sandbox boundary.

A sandboxed sample returns values; the trusted parent compares them. The
encoding therefore checks exact types (``type(x) is int``, never
``isinstance``), so a subclass with a rigged ``__eq__`` or ``__repr__`` cannot
pass for a plain value: it is encoded as ``{"other": TYPE_NAME}``.

Wire format (JSON):

=================  =========================================
value              encoding
=================  =========================================
None, bool, str    JSON null, true/false, string
int                JSON integer; ``{"int": HEX}`` past 4,000 digits (Python's
                   decimal conversion refuses 4,300; hex has no limit)
float              ``{"float": repr(x)}`` (keeps 1.0 apart from 1, and nan/inf)
list               JSON array
tuple              ``{"tuple": [...]}``
dict               ``{"dict": [[k, v], ...]}`` in insertion order
set / frozenset    ``{"set": [...]}`` / ``{"frozenset": [...]}``, sorted by encoding
bytes              ``{"bytes": HEX}``
complex            ``{"complex": [re, im]}`` (each a float encoding)
anything else      ``{"other": "module.Qualname"}``
=================  =========================================

``decode`` never evaluates code: it rebuilds plain Python values, and an
``other`` becomes an :class:`Opaque` that equals only itself.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from typing import Any

__all__ = ["MAX_DEPTH", "Opaque", "WireError", "decode", "encode", "to_wire"]

MAX_DEPTH = 100


class WireError(ValueError):
    """The text is not a valid wire encoding."""


class Opaque:
    """A value of a type the wire format does not carry (or nested too deep).

    It equals only itself: two opaque results, even of the same type, are never
    equal, or ``assert f(a) == f(b)`` would pass for two different wrong answers.
    Nor is it true or false: the object it stands for may be falsy (``Decimal(0)``,
    a ``__bool__`` returning False or raising), so ``assert f(a)`` must not pass on it.
    """

    __slots__ = ("type_name",)

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return object.__hash__(self)

    def __bool__(self) -> bool:
        raise TypeError(f"the truth of a value of type {self.type_name} is unknown")

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


def _float(x: float) -> dict[str, str]:
    return {"float": float.__repr__(x)}


def to_wire(value: Any, depth: int = 0) -> Any:
    """Turn a value into JSON-ready data, by exact type."""
    if depth > MAX_DEPTH:
        return {"other": "too-deep"}
    t = type(value)
    if value is None or t is bool or t is str:
        return value
    if t is int:
        if value.bit_length() > _DECIMAL_BITS:  # too long for int -> decimal str
            return {"int": format(value, "x")}
        return value
    if t is float:
        return _float(value)
    if t is list:
        return [to_wire(v, depth + 1) for v in value]
    if t is tuple:
        return {"tuple": [to_wire(v, depth + 1) for v in value]}
    if t is dict:
        return {"dict": [[to_wire(k, depth + 1), to_wire(v, depth + 1)] for k, v in dict.items(value)]}
    if t is set or t is frozenset:
        items = sorted((to_wire(v, depth + 1) for v in value), key=_sort_key)
        return {t.__name__: items}
    if t is bytes:
        return {"bytes": bytes.hex(value)}
    if t is complex:
        return {"complex": [_float(value.real), _float(value.imag)]}
    return {"other": f"{t.__module__}.{t.__qualname__}"}


#: Ints longer than this (about 4,000 decimal digits) travel as hex: ``json`` writes
#: and reads ints in decimal, which ``sys.int_max_str_digits`` caps at 4,300 digits.
_DECIMAL_BITS = 13_000
#: The longest big int accepted (32 MiB of bits; a frame is capped far below anyway).
_MAX_HEX_DIGITS = 1 << 23


def _sort_key(item: Any) -> str:
    return json.dumps(item, sort_keys=True)


def encode(value: Any) -> str:
    """Encode a value as compact wire JSON text."""
    return json.dumps(to_wire(value), separators=(",", ":"))


def decode(text: str) -> Any:
    """Rebuild a plain Python value from wire text; raise WireError if malformed."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WireError(f"not JSON: {exc}") from None
    try:
        return _from_wire(data, 0)
    except WireError:
        raise
    except (ValueError, TypeError, RecursionError, ArithmeticError) as exc:  # {"complex": [1]}
        raise WireError(f"malformed: {type(exc).__name__}") from None


def _from_wire(data: Any, depth: int) -> Any:
    if depth > MAX_DEPTH + 1:
        raise WireError("nesting too deep")
    if data is None or isinstance(data, (bool, int, str)):
        return data
    if isinstance(data, float):
        raise WireError("bare float (floats are tagged)")
    if isinstance(data, list):
        return [_from_wire(v, depth + 1) for v in data]
    if not isinstance(data, dict) or len(data) != 1:
        raise WireError("expected a one-key tagged object")
    (tag, body), = data.items()
    if tag == "float":
        return _parse_float(body)
    if tag == "tuple":
        return tuple(_from_wire(v, depth + 1) for v in _as_list(body))
    if tag == "dict":
        pairs = []
        for pair in _as_list(body):
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("dict items must be pairs")
            pairs.append((_hashable(_from_wire(pair[0], depth + 1)), _from_wire(pair[1], depth + 1)))
        _no_hash_flood([key for key, _ in pairs])
        return dict(pairs)
    if tag in ("set", "frozenset"):
        items = [_hashable(_from_wire(v, depth + 1)) for v in _as_list(body)]
        _no_hash_flood(items)
        return set(items) if tag == "set" else frozenset(items)
    if tag == "int":
        if not isinstance(body, str) or len(body) > _MAX_HEX_DIGITS:
            raise WireError("bad big int")
        return int(body, 16)
    if tag == "bytes":
        try:
            return bytes.fromhex(str(body))
        except ValueError:
            raise WireError("bad bytes") from None
    if tag == "complex":
        re_, im = (_from_wire(part, depth + 1) for part in _as_list(body))
        if type(re_) is not float or type(im) is not float:
            raise WireError("complex parts must be floats")
        return complex(re_, im)
    if tag == "other":
        return Opaque(str(body))
    raise WireError(f"unknown tag {tag!r}")


#: Distinct keys sharing one hash, the most a set or dict from a sample may have. Honest
#: values almost never share a full hash; many that do (k * (2**61 - 1) all hash to 0)
#: make building the set quadratic, which would stall the trusted runner.
MAX_SHARED_HASH = 16


def _no_hash_flood(keys: list[Any]) -> None:
    if len(keys) > MAX_SHARED_HASH:
        _, most = Counter(map(hash, keys)).most_common(1)[0]
        if most > MAX_SHARED_HASH:
            raise WireError(f"{most} keys share one hash (a hash flood)")


def _parse_float(body: Any) -> float:
    if not isinstance(body, str):
        raise WireError("float body must be a string")
    try:
        value = float(body)
    except ValueError:
        raise WireError(f"bad float {body!r}") from None
    if math.isnan(value) and body.lower() != "nan":
        raise WireError(f"bad float {body!r}")
    return value


def _as_list(body: Any) -> list[Any]:
    if not isinstance(body, list):
        raise WireError("expected a list body")
    return body


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    if isinstance(value, set):
        return frozenset(value)
    return value
