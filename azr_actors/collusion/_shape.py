"""An AST-shape measure: how alike two programs' syntax trees are, names aside.

Each node of the tree is summarised by its type and the types of its descendants
down to :data:`SHAPE_DEPTH` levels; a program is the multiset of those shapes, and
two programs compare by weighted Jaccard (sum of minimum counts over sum of maximum
counts). Imports, docstrings, annotations, the argument list of a function and
load/store contexts are left out, and so are leaves (a lone name or constant), so a bare function body and the full function
compare alike. Code that does not parse has no shape (``None``): callers fall back
to token-level measures.
"""

from __future__ import annotations

import ast
from collections import Counter

__all__ = ["SHAPE_DEPTH", "ast_shape", "shape_similarity"]

SHAPE_DEPTH = 2

_IGNORED = (ast.Import, ast.ImportFrom, ast.expr_context, ast.arguments, ast.arg, ast.keyword)


def ast_shape(code: str) -> Counter[str] | None:
    """Return the multiset of subtree shapes of ``code``, or ``None`` if it does not parse."""
    tree = _parse_lenient(code)
    if tree is None:
        return None
    shapes: Counter[str] = Counter()
    try:
        _collect(tree, shapes)
    except RecursionError:  # valid but absurdly deep code (a degenerate repetition loop)
        return None
    return shapes


def shape_similarity(a: Counter[str], b: Counter[str]) -> float:
    """Weighted Jaccard of two shape multisets; 0.0 when both are empty."""
    keys = a.keys() | b.keys()
    high = sum(max(a[key], b[key]) for key in keys)
    return sum(min(a[key], b[key]) for key in keys) / high if high else 0.0


def _parse_lenient(code: str) -> ast.Module | None:
    for candidate in (code, _dedent(code)):
        try:
            return ast.parse(candidate)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return None


def _dedent(code: str) -> str:
    lines = code.expandtabs(4).splitlines()
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return "\n".join(line[cut:] for line in lines)


def _children(node: ast.AST) -> list[ast.AST]:
    """Child nodes that carry program structure (no docstrings, annotations or imports)."""
    kids: list[ast.AST] = []
    for field, value in ast.iter_fields(node):
        if field in ("annotation", "returns", "decorator_list", "type_comment", "type_params"):
            continue
        values = value if isinstance(value, list) else [value]
        for item in values:
            if not isinstance(item, ast.AST) or isinstance(item, _IGNORED):
                continue
            if _is_bare_string(item):
                continue
            kids.append(item)
    return kids


def _is_bare_string(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _shape(node: ast.AST, depth: int) -> str:
    name = type(node).__name__
    if depth == 0:
        return name
    kids = _children(node)
    if not kids:
        return name
    return f"{name}({','.join(_shape(kid, depth - 1) for kid in kids)})"


def _collect(node: ast.AST, shapes: Counter[str]) -> None:
    for kid in _children(node):
        if _children(kid):  # leaves (a name, a constant) say nothing about structure
            shapes[_shape(kid, SHAPE_DEPTH)] += 1
        _collect(kid, shapes)
