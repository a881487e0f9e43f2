"""Parse the input/output examples a HumanEval-style docstring shows.

Forms understood (all seen in HumanEval):

* doctest: ``>>> f(x)`` followed by the output line(s); an empty output means ``None``,
  and ``>>> f(x) == y`` with output ``True`` becomes the call ``f(x)`` expecting ``y``;
* inline: ``f(x) == y``, ``f(x) ➞ y``, ``f(x) => y``, ``f(x) -> y``, ``f(x) → y``,
  ``f(x) = y``, ``f(x) should return y``, ``f(x) returns y``; a chain such as
  ``f(x) == 1 + 9 = 10`` keeps the last value;
* prose: parameter assignments (``For N = 1000 ... the output should be "1"``,
  ``Input: grid = [...], k = 3`` then ``Output: [1, 2, 1]``).

:func:`parse_examples` is total: any prompt gives a (possibly empty) tuple, never an error.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._source import (
    Signature,
    balanced_call,
    entry_call,
    entry_signature,
    is_literal,
    longest_expression_prefix,
    parses,
)

__all__ = ["Example", "parse_examples", "parse_model_tests"]

_INLINE_SEP = re.compile(
    r"^\s*(?:#\s*)?(?:==>|==|➞|=>|->|→|=(?!=)|should\s+return|should\s+be|returns?|gives|is)\s*",
    re.IGNORECASE,
)
_OUTPUT_MARK = re.compile(
    r"(?:output\s+should\s+be|result\s+should\s+be|should\s+return|returns?\s*:|output\s*:|result\s*:"
    r"|^\s*(?:=>\s*)?(?:return|result)\s*=?)\s*",
    re.IGNORECASE,
)
_LOWER_BOOL = {"true": "True", "false": "False", "none": "None"}


@dataclass(frozen=True)
class Example:
    """One docstring example: ``call`` is an expression calling the entry point.

    ``expected`` is the shown output, as Python source where it parses, else the
    text as written (compared textually). ``form`` names where it came from.
    """

    call: str
    expected: str
    form: str


def parse_examples(prompt: str, entry_point: str) -> tuple[Example, ...]:
    """Every distinct example of ``entry_point`` the prompt's docstring shows, in order.

    A call shown twice keeps its first expected output.
    """
    sig = entry_signature(prompt, entry_point)
    found = [
        *_doctest_examples(sig.docstring, entry_point),
        *_inline_examples(sig.docstring, entry_point),
        *_prose_examples(sig, entry_point),
    ]
    return _first_per_call(found)


def parse_model_tests(text: str, entry_point: str) -> tuple[Example, ...]:
    """Input/output pairs from tests a model wrote (``assert f(x) == y`` lines, or doctests).

    For CodeT-style dual agreement; form ``"model-test"``. Tests that only
    assert truthiness carry no expected value and are skipped.
    """
    text = _without_assert_messages(text)
    found = [
        *_doctest_examples(text, entry_point),
        *_inline_with_name(text, entry_point, entry_point),
    ]
    return _first_per_call(Example(e.call, e.expected, "model-test") for e in found)


def _without_assert_messages(text: str) -> str:
    """``assert f(x) == y, "msg"`` lines as ``assert f(x) == y`` (the message is no part of y)."""
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("assert ") and "," in stripped:
            try:
                node = ast.parse(stripped).body[0]
            except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
                node = None
            if isinstance(node, ast.Assert) and node.msg is not None:
                indent = line[: len(line) - len(line.lstrip())]
                line = f"{indent}assert {ast.unparse(node.test)}"
        lines.append(line)
    return "\n".join(lines)


def _first_per_call(found: Iterable[Example]) -> tuple[Example, ...]:
    seen: set[str] = set()
    out: list[Example] = []
    for ex in found:
        if ex.call not in seen:
            seen.add(ex.call)
            out.append(ex)
    return tuple(out)


def _normal_call(source: str, entry_point: str) -> str | None:
    """The expression as canonical source, or None unless it calls the entry point on literals."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    call = entry_call(tree.body, entry_point)
    if call is None:
        return None
    args = [*call.args, *(k.value for k in call.keywords)]
    if any(isinstance(a, ast.Starred) or not is_literal(ast.unparse(a)) for a in args):
        return None
    if any(k.arg is None for k in call.keywords):
        return None
    return ast.unparse(tree.body)


def _clean_expected(text: str) -> str | None:
    """The expected literal: the last link of an ``a = b`` chain, trailing prose cut.

    Prose spellings ``true``/``false``/``none`` become Python's constants.
    """
    text = " ".join(text.split())
    parts = re.split(r"(?<![=!<>])=(?!=)", text)
    if len(parts) > 1 and parses(parts[-1]):
        text = parts[-1]
    text = text.strip()
    word = re.match(r"[A-Za-z]+", text)
    if word and word.group(0).lower() in _LOWER_BOOL:
        return _LOWER_BOOL[word.group(0).lower()]
    value = longest_expression_prefix(text, literal=True)
    if value.endswith(".") and is_literal(value[:-1]):  # "should return 2." ends a sentence
        value = value[:-1]
    return value or None


def _doctest_examples(docstring: str, entry_point: str) -> list[Example]:
    try:
        examples = doctest.DocTestParser().get_examples(docstring)
    except ValueError:
        examples = _loose_doctest(docstring)
    out: list[Example] = []
    for ex in examples:
        call = _normal_call(ex.source, entry_point)
        if call is None:
            continue
        want = " ".join(ex.want.split())
        tree = ast.parse(call, mode="eval").body
        split = _assertion(tree, entry_point) if want in ("", "True") else None
        if split is not None:
            out.append(Example(*split, "doctest"))
        elif want or _bare_call(tree, entry_point):
            out.append(Example(call, want or "None", "doctest"))
    return out


def _bare_call(tree: ast.expr, entry_point: str) -> bool:
    return entry_call(tree, entry_point) is tree


def _assertion(tree: ast.expr, entry_point: str) -> tuple[str, str] | None:
    """``f(x) == y`` (shown with output ``True`` or none), or ``f(x) y`` written on one line.

    The latter parses as the subscript ``f(x)[y]``; either way the call is ``f(x)``
    and ``y`` its expected output.
    """
    if (
        isinstance(tree, ast.Compare)
        and len(tree.ops) == 1
        and isinstance(tree.ops[0], ast.Eq)
        and _bare_call(tree.left, entry_point)
    ):
        return ast.unparse(tree.left), ast.unparse(tree.comparators[0])
    if isinstance(tree, ast.Subscript) and _bare_call(tree.value, entry_point):
        if isinstance(tree.slice, ast.Tuple):  # f(x)[1, 2] shows the list [1, 2]
            return ast.unparse(tree.value), f"[{', '.join(map(ast.unparse, tree.slice.elts))}]"
        return ast.unparse(tree.value), ast.unparse(tree.slice)
    return None


def _loose_doctest(docstring: str) -> list[doctest.Example]:
    """A forgiving ``>>>`` reader for docstrings whose indentation upsets :mod:`doctest`."""
    out: list[doctest.Example] = []
    lines = [line.strip() for line in docstring.splitlines()]
    i = 0
    while i < len(lines):
        if lines[i].startswith(">>>"):
            source = lines[i][3:].strip()
            want: list[str] = []
            i += 1
            while i < len(lines) and lines[i] and not lines[i].startswith(">>>"):
                want.append(lines[i])
                i += 1
            out.append(doctest.Example(source, "\n".join(want)))
        else:
            i += 1
    return out


def _inline_examples(docstring: str, entry_point: str) -> list[Example]:
    """Inline examples; if none call the entry point, one other name used the same way is an alias.

    (Docstrings sometimes show the function under an older name, e.g. ``list_sort`` for
    ``sorted_list_sum``.)
    """
    found = _inline_with_name(docstring, entry_point, entry_point)
    if found:
        return found
    names = {
        m.group(1)
        for line in _logical_lines(docstring)
        for m in re.finditer(r"(?<![\w.])([A-Za-z_]\w*)\s*\(", line)
        if m.group(1) not in _NOT_ALIASES
    }
    aliased = [(name, _inline_with_name(docstring, name, entry_point)) for name in sorted(names)]
    aliased = [(name, exs) for name, exs in aliased if exs]
    return aliased[0][1] if len(aliased) == 1 else []


_NOT_ALIASES = frozenset(dir(builtins))


def _inline_with_name(docstring: str, name: str, entry_point: str) -> list[Example]:
    out: list[Example] = []
    pattern = re.compile(rf"(?<![\w.]){re.escape(name)}\s*\(")
    for line in _logical_lines(docstring):
        if line.lstrip().startswith(">>>"):
            continue
        for match in pattern.finditer(line):
            end = balanced_call(line, match.end() - 1)
            if end < 0:
                continue
            shown = line[match.start() : end]
            call = _normal_call(entry_point + shown[len(name) :], entry_point)
            sep = _INLINE_SEP.match(line[end:])
            if call is None or sep is None:
                continue
            expected = _clean_expected(line[end + sep.end() :])
            if expected is not None and is_literal(expected):
                out.append(Example(call, expected, "inline"))
    return out


# A line that ends on the separator ("... f(x) should") goes on to the next line.
_DANGLING_SEP = re.compile(
    r"(?:==>|==|➞|=>|->|→|(?<![=!<>])=|\bshould(?:\s+(?:return|be))?|\breturns?)\s*$"
)


def _logical_lines(docstring: str) -> list[str]:
    """Lines, with a line whose brackets are still open, or that ends on a separator,
    joined to the next ones."""
    out: list[str] = []
    pending = ""
    for raw in docstring.splitlines():
        pending = f"{pending} {raw.strip()}" if pending else raw
        if len(pending) > 2000 or (
            _open_brackets(pending) <= 0 and not _DANGLING_SEP.search(pending)
        ):
            out.append(pending)
            pending = ""
    if pending:
        out.append(pending)
    return out


def _open_brackets(text: str) -> int:
    stripped = re.sub(r"'[^']*'|\"[^\"]*\"", "", text)
    return sum(stripped.count(c) for c in "([{") - sum(stripped.count(c) for c in ")]}")


def _prose_examples(sig: Signature, entry_point: str) -> list[Example]:
    """Examples written as parameter assignments followed by an output marker."""
    if not sig.params:
        return []
    out: list[Example] = []
    buffer = ""
    for line in sig.docstring.splitlines():
        mark = _OUTPUT_MARK.search(line)
        if mark is None:
            buffer = f"{buffer} {line.strip()}"[-1500:]
            continue
        inputs = f"{buffer} {line[: mark.start()]}"
        expected = _clean_expected(line[mark.end() :])
        args = _assigned_args(inputs, sig)
        buffer = ""
        if args is not None and expected is not None and is_literal(expected):
            call = _normal_call(f"{entry_point}({', '.join(args)})", entry_point)
            if call is not None:
                out.append(Example(call, expected, "prose"))
    return out


def _assigned_args(text: str, sig: Signature) -> list[str] | None:
    """Values assigned to the required parameters in ``text`` (the last assignment wins)."""
    values: list[str] = []
    for name in sig.params[: max(sig.required, 1)]:
        found = None
        for match in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*[=:]\s*(?!=)", text):
            value = longest_expression_prefix(text[match.end() :], literal=True)
            if value:
                found = value
        if found is None and len(sig.params) == 1:
            found = _unnamed_input(text)
        if found is None:
            return _positional_inputs(text, sig)
        values.append(found)
    return values


def _positional_inputs(text: str, sig: Signature) -> list[str] | None:
    """``Input: a : 1  b : 2`` under other names: the values in order, if their count fits."""
    match = re.search(r"input\s*:", text, re.IGNORECASE)
    if match is None:
        return None
    values = [
        value
        for m in re.finditer(r"(?<![\w.])[A-Za-z_]\w*\s*[=:]\s*(?!=)", text[match.end() :])
        if (value := longest_expression_prefix(text[match.end() + m.end() :], literal=True))
    ]
    return values if len(values) == max(sig.required, 1) == len(sig.params) else None


def _unnamed_input(text: str) -> str | None:
    match = re.search(r"input\s*:\s*", text, re.IGNORECASE)
    if match is None:
        return None
    value = longest_expression_prefix(text[match.end() :], literal=True)
    return value or None
