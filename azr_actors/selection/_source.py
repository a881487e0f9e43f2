"""Small, total helpers over Python source text: find the entry point, scan calls, parse prefixes.

Every function here is pure and never raises on odd input; a prompt that does
not parse simply yields less (an empty docstring, no parameters).
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass

__all__ = [
    "Signature",
    "balanced_call",
    "entry_call",
    "entry_signature",
    "is_literal",
    "longest_expression_prefix",
    "parses",
]

#: Longest text we try to parse as one value; docstring literals are far shorter.
_MAX_PREFIX = 600


@dataclass(frozen=True)
class Signature:
    """What the prompt shows of the entry point: its docstring and parameters.

    ``annotations`` holds, per parameter, the annotation as source text ("" when absent).
    """

    docstring: str
    params: tuple[str, ...]
    required: int
    annotations: tuple[str, ...]


def entry_signature(prompt: str, entry_point: str) -> Signature:
    """The entry point's docstring and parameters, or the whole prompt as docstring if it won't parse."""
    try:
        tree = ast.parse(prompt)
    except (SyntaxError, ValueError, RecursionError):
        return _fallback_signature(prompt, entry_point)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == entry_point:
            args = node.args.posonlyargs + node.args.args
            params = tuple(a.arg for a in args)
            annotations = tuple(ast.unparse(a.annotation) if a.annotation else "" for a in args)
            required = len(args) - len(node.args.defaults)
            return Signature(_first_string(node), params, required, annotations)
    return _fallback_signature(prompt, entry_point)


def _first_string(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    """The docstring, or the first bare string of the body (some prompts import before it)."""
    for stmt in node.body:
        value = stmt.value if isinstance(stmt, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            return inspect.cleandoc(value.value)
    return ""


def _fallback_signature(prompt: str, entry_point: str) -> Signature:
    match = re.search(rf"def\s+{re.escape(entry_point)}\s*\(([^)]*)\)", prompt)
    params: tuple[str, ...] = ()
    if match:
        names = (
            p.split(":")[0].split("=")[0].strip().lstrip("*") for p in match.group(1).split(",")
        )
        params = tuple(n for n in names if n.isidentifier())
    return Signature(prompt, params, len(params), tuple("" for _ in params))


def parses(text: str) -> bool:
    """True when ``text`` is one Python expression."""
    try:
        ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return bool(text.strip())


def balanced_call(text: str, start: int) -> int:
    """Index just past the parenthesised argument list opening at ``text[start] == "("``, or -1.

    Quotes are respected, so parentheses inside string literals do not count.
    """
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = ""
                continue
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            i += len(quote)
            continue
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
            if depth < 0:
                return -1
        i += 1
    return -1


def longest_expression_prefix(text: str, *, literal: bool = False) -> str:
    """The longest prefix of ``text`` (cut at a separator or space) that is one expression.

    Trailing prose such as ``"True. Note that ..."`` or ``"14, because ..."`` is
    dropped; ``""`` when no prefix parses. With ``literal`` the prefix must also be
    a Python literal (:func:`ast.literal_eval` accepts it).
    """
    text = text[:_MAX_PREFIX]
    cuts = [m.start() for m in re.finditer(r"[\s,;.]", text)] + [len(text)]
    for end in sorted(set(cuts), reverse=True):
        candidate = text[:end].strip()
        if candidate.endswith(","):  # "[1, 2], k = 3" must not become the tuple "([1, 2],)"
            continue
        if candidate and parses(candidate) and (not literal or is_literal(candidate)):
            return candidate
    return ""


def is_literal(text: str) -> bool:
    """True when :func:`ast.literal_eval` accepts ``text``."""
    try:
        ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError):
        return False
    return True


def entry_call(expr: ast.expr, entry_point: str) -> ast.Call | None:
    """The first call of ``entry_point`` inside ``expr`` (breadth first), if any."""
    for node in ast.walk(expr):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == entry_point
        ):
            return node
    return None
