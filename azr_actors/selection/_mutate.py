"""Type-aware mutation of example inputs, the way EvalPlus grows tests.

Each argument of each docstring example is mutated by its exact type (ints
+-1, 0, negated, doubled; strings emptied, case-swapped, a character dropped
or repeated; lists emptied, reversed, shortened, an element duplicated or
appended or mutated; dicts emptied, a key dropped; ...). Multi-argument
examples are also recombined across examples. When the prompt shows no usable
example, inputs come from the signature's annotations instead.

Everything is pure and deterministic given the seed; only what the prompt
shows is used.
"""

from __future__ import annotations

import ast
import contextlib
import math
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from ._source import Signature, entry_call

__all__ = ["Derived", "derive_calls", "mutations"]

#: Derived calls longer than this are dropped (they bloat the log for no evidence).
MAX_CALL_CHARS = 1000
_BIG_INT_LIMIT = 10**6


@dataclass(frozen=True)
class Derived:
    """A derived call and how it was made (``origin`` such as ``"derived:mutate-int"``)."""

    call: str
    origin: str


@dataclass(frozen=True)
class _Args:
    args: tuple[Any, ...]
    kwargs: tuple[tuple[str, Any], ...]

    def render(self, entry_point: str) -> str:
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"{entry_point}({', '.join(parts)})"

    def values(self) -> list[Any]:
        return [*self.args, *(v for _, v in self.kwargs)]

    def replaced(self, index: int, value: Any) -> _Args:
        if index < len(self.args):
            args = list(self.args)
            args[index] = value
            return _Args(tuple(args), self.kwargs)
        kwargs = list(self.kwargs)
        name, _ = kwargs[index - len(self.args)]
        kwargs[index - len(self.args)] = (name, value)
        return _Args(self.args, tuple(kwargs))


def mutations(value: Any, depth: int = 0) -> list[tuple[str, Any]]:
    """Type-aware variants of ``value`` as ``(kind, variant)``, never ``value`` itself.

    Exact types only (a bool is not an int here); unknown types give no variant.
    """
    t = type(value)
    out: list[tuple[str, Any]]
    if t is bool:
        out = [("bool", not value)]
    elif t is int:
        out = [("int", value + 1), ("int", value - 1), ("int", 0), ("int", -value), ("int", 1)]
        if abs(value) <= _BIG_INT_LIMIT:
            out.append(("int", 2 * value + 3))
    elif t is float:
        out = [("float", value + 1.0), ("float", value / 2), ("float", -value), ("float", 0.0)]
        if math.isfinite(value):  # a test may write 1e999: inf cannot be rounded
            out.append(("float", float(round(value))))
    elif t is str:
        out = [("str", ""), ("str", value.swapcase()), ("str", value[1:]), ("str", value[::-1])]
        if value:
            mid = len(value) // 2
            out += [("str", value + value[-1]), ("str", value[:mid] + " " + value[mid:])]
            out.append(("str", value.upper() if value != value.upper() else value.lower()))
    elif t is list or t is tuple:
        out = [(t.__name__, t(v)) for v in _sequence_variants(list(value), depth)]
    elif t is dict:
        out = _dict_variants(value, depth)
    else:
        out = []
    seen: list[Any] = [value]
    unique: list[tuple[str, Any]] = []
    for kind, variant in out:
        if not any(type(variant) is type(s) and variant == s for s in seen):
            seen.append(variant)
            unique.append((kind, variant))
    return unique


def _sequence_variants(items: list[Any], depth: int) -> list[list[Any]]:
    out: list[list[Any]] = [[], items[::-1], items[1:], items[:-1]]
    if items:
        out.append([items[0], *items])
        out.append([*items, items[-1]])
        if depth < 3:
            for _, variant in mutations(items[-1], depth + 1)[:2]:
                out.append([*items, variant])
            for _, variant in mutations(items[0], depth + 1)[:2]:
                out.append([variant, *items[1:]])
        with contextlib.suppress(TypeError):  # mixed types do not sort
            out.append(sorted(items))
    return out


def _dict_variants(value: dict[Any, Any], depth: int) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [("dict", {})]
    if value:
        keys = list(value)
        out.append(("dict", {k: value[k] for k in keys[1:]}))
        first = keys[0]
        if depth < 3:
            for _, variant in mutations(value[first], depth + 1)[:2]:
                out.append(("dict", {**value, first: variant}))
            for _, key in mutations(first, depth + 1)[:2]:
                with contextlib.suppress(TypeError):  # an unhashable variant key
                    out.append(("dict", {**value, key: value[first]}))
    return out


def _example_args(call: str, entry_point: str) -> _Args | None:
    try:
        call_node = entry_call(ast.parse(call, mode="eval").body, entry_point)
        if call_node is None:
            return None
        args = tuple(ast.literal_eval(a) for a in call_node.args)
        kwargs = tuple((k.arg or "", ast.literal_eval(k.value)) for k in call_node.keywords)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return None
    return _Args(args, kwargs)


def _mutation_streams(examples: Sequence[_Args]) -> list[list[tuple[_Args, str]]]:
    """One stream per (example, argument): that argument's variants, the others kept."""
    streams: list[list[tuple[_Args, str]]] = []
    for ex in examples:
        for index, value in enumerate(ex.values()):
            streams.append(
                [(ex.replaced(index, v), f"derived:mutate-{kind}") for kind, v in mutations(value)]
            )
    return streams


def _recombined(examples: Sequence[_Args]) -> list[tuple[_Args, str]]:
    """Argument i from one example with the other arguments of another."""
    out: list[tuple[_Args, str]] = []
    for a in examples:
        for b in examples:
            if a is b or len(a.values()) != len(b.values()) or len(a.values()) < 2:
                continue
            for index, value in enumerate(b.values()):
                out.append((a.replaced(index, value), "derived:recombine"))
    return out


_SEEDS: dict[str, list[Any]] = {
    "int": [0, 1, 2, 3, 7, 10, 12, 25],
    "float": [0.0, 1.5, 2.0, 3.75, -1.25],
    "str": ["", "a", "abc", "Hello world", "aBcD", "racecar", "a b  c"],
    "bool": [True, False],
    "list[int]": [[], [1], [1, 2, 3], [3, 1, 2], [5, -2, 0, 5], [10, 20, 30, 40]],
    "list[float]": [[], [1.0], [1.0, 2.5, 3.0], [-1.5, 0.0, 4.25]],
    "list[str]": [[], ["a"], ["abc", "b", "ab"], ["Hello", "world", "hello"]],
}
_NAME_HINTS: dict[str, str] = {
    "n": "int", "m": "int", "k": "int", "x": "int", "y": "int", "num": "int", "number": "int",
    "s": "str", "string": "str", "text": "str", "word": "str", "txt": "str",
    "lst": "list[int]", "arr": "list[int]", "l": "list[int]", "numbers": "list[int]",
}  # fmt: skip


def _seed_kind(annotation: str, name: str) -> str | None:
    text = annotation.replace(" ", "").lower().replace("typing.", "")
    if text == "list":
        text = "list[int]"
    if text in _SEEDS:
        return text
    return None if text else _NAME_HINTS.get(name.lower())


def _signature_calls(sig: Signature, entry_point: str) -> list[tuple[_Args, str]]:
    """Inputs from the annotations (or conventional names) when no example can be mutated."""
    params = sig.params[: sig.required]
    kinds = [_seed_kind(a, n) for a, n in zip(sig.annotations, sig.params, strict=False)]
    if not params or any(k is None for k in kinds[: len(params)]):
        return []
    pools = [_SEEDS[k] for k in kinds[: len(params)] if k is not None]
    longest = max(len(p) for p in pools)
    rounds = longest * (2 if len(pools) > 1 else 1)
    out: list[tuple[_Args, str]] = []
    for i in range(rounds):
        values = tuple(pool[(i + j * (i // longest)) % len(pool)] for j, pool in enumerate(pools))
        out.append((_Args(values, ()), "derived:signature"))
    return out


def _round_robin(streams: list[list[tuple[_Args, str]]]) -> Iterator[tuple[_Args, str]]:
    index = 0
    while any(index < len(s) for s in streams):
        for stream in streams:
            if index < len(stream):
                yield stream[index]
        index += 1


def derive_calls(
    example_calls: Sequence[str],
    sig: Signature,
    entry_point: str,
    seed: int,
    max_derived: int,
) -> list[Derived]:
    """Up to ``max_derived`` new calls of ``entry_point``, none equal to an example call.

    Deterministic given ``seed``: the seed orders the streams (which example and
    argument is mutated first), so different seeds cover different variants when
    there are more than ``max_derived``.
    """
    if max_derived <= 0:
        return []
    parsed = [a for a in (_example_args(c, entry_point) for c in example_calls) if a is not None]
    streams = _mutation_streams(parsed)
    rng = random.Random(f"judge-plan:{seed}:{entry_point}")
    rng.shuffle(streams)
    streams.append(_recombined(parsed))
    if not parsed:
        streams = [_signature_calls(sig, entry_point)]
    seen = set(example_calls)
    out: list[Derived] = []
    for args, origin in _round_robin(streams):
        try:
            call = args.render(entry_point)
        except (ValueError, RecursionError):  # pathological reprs
            continue
        if call in seen or len(call) > MAX_CALL_CHARS:
            continue
        seen.add(call)
        out.append(Derived(call, origin))
        if len(out) >= max_derived:
            break
    return out
