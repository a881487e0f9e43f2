"""Lenient Python tokenizer that normalises code for plagiarism-style comparison.

Contract of :func:`normalized_tokens`:

* never raises on any input string; code that Python's tokenizer rejects (broken
  indentation, unterminated strings, prose around code) is lexed by a regular
  expression instead;
* comments, whitespace, line structure, import statements and bare string
  statements (docstrings) are dropped;
* a function signature collapses to the single token ``def``, so a function body on
  its own and the full function it came from compare alike;
* parentheses are dropped (formatters add and remove redundant ones, e.g.
  ``ast.unparse`` prints ``sum((x for x in y))`` and ``a, b = (0, 1)``), and
  ``else: if`` reads as ``elif``;
* user identifiers become ``ID``, string literals ``STR`` and numbers ``NUM``;
  keywords, builtins (``len``, ``sorted``) and attribute names after a dot
  (``.append``) are kept, because renaming them would change what the code does.

So renaming variables and functions, changing quotes, spacing, blank lines or
redundant parentheses, and adding comments or docstrings leave the token stream
unchanged.
"""

from __future__ import annotations

import builtins
import io
import keyword
import re
import tokenize
from collections.abc import Iterator

__all__ = ["ID", "NUM", "STR", "normalized_tokens"]

ID = "ID"
STR = "STR"
NUM = "NUM"

# Soft keywords (match, case, _) are left out: outside a match statement they are ordinary
# names (``match = re.search(...)``), and renaming a variable must change nothing.
_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIPPED = frozenset(
    {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.ENCODING,
        tokenize.ENDMARKER,
        tokenize.INDENT,
        tokenize.DEDENT,
    }
)

# Fallback lexer: strings (with prefixes, triple quotes), comments, numbers, names, operators.
_FALLBACK = re.compile(
    r"""
    (?P<str>[rRbBuUfF]{0,2}(?:'''[\s\S]*?(?:'''|$)|\"\"\"[\s\S]*?(?:\"\"\"|$)|'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?))
    |(?P<comment>\#[^\n]*)
    |(?P<num>0[xXoObB][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)
    |(?P<name>[^\W\d]\w*)
    |(?P<newline>\\?\n)
    |(?P<op>\*\*=?|//=?|->|:=|<<=?|>>=?|[-+*/%&|^@<>=!]=|[-+*/%&|^~<>=@()\[\]{},:.;])
    """,
    re.VERBOSE,
)


def normalized_tokens(code: str) -> tuple[str, ...]:
    """Return the normalised token stream of ``code`` (see the module contract)."""
    return tuple(_normalise(list(_python_tokens(code))))


# A lexed token is (kind, text) where kind is one of: name, op, str, num, newline.
_Lexed = tuple[str, str]


def _python_tokens(code: str) -> Iterator[_Lexed]:
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(_dedent_lenient(code)).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        yield from _fallback_tokens(code)
        return
    if any(tok.type == tokenize.ERRORTOKEN and tok.string[:1] in "'\"" for tok in toks):
        yield from _fallback_tokens(code)  # an unterminated string: tokenize would read it as code
        return
    fstring_depth = 0
    fstring_start = getattr(tokenize, "FSTRING_START", -1)
    fstring_end = getattr(tokenize, "FSTRING_END", -1)
    for tok in toks:
        if tok.type == fstring_start:
            if fstring_depth == 0:
                yield ("str", tok.string)
            fstring_depth += 1
        elif tok.type == fstring_end:
            fstring_depth -= 1
        elif fstring_depth or tok.type in _SKIPPED:
            continue
        elif tok.type == tokenize.NEWLINE:
            yield ("newline", "")
        elif tok.type == tokenize.NAME:
            yield ("name", tok.string)
        elif tok.type == tokenize.STRING:
            yield ("str", tok.string)
        elif tok.type == tokenize.NUMBER:
            yield ("num", tok.string)
        elif tok.type == tokenize.OP:
            yield ("op", tok.string)
        # ERRORTOKEN (a stray `$` or `?`) carries no structure worth comparing.


def _fallback_tokens(code: str) -> Iterator[_Lexed]:
    depth = 0  # open brackets: a line break inside them does not end the statement
    for match in _FALLBACK.finditer(code):
        kind, text = match.lastgroup, match.group()
        if kind is None or kind == "comment":
            continue
        if kind == "newline":
            if depth == 0 and text == "\n":  # not a backslash continuation
                yield (kind, text)
            continue
        if kind == "op":
            depth = max(0, depth + (text in "([{") - (text in ")]}"))
        yield (kind, text)


def _dedent_lenient(code: str) -> str:
    """Remove the common leading indentation so a bare function body tokenizes."""
    lines = code.expandtabs(4).splitlines()
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return "\n".join(line[cut:] for line in lines) + "\n"


def _normalise(raw: list[_Lexed]) -> Iterator[str]:
    """Map lexed tokens to normalised ones, dropping imports, docstrings and signatures."""
    i = 0
    n = len(raw)
    at_line_start = True
    while i < n:
        kind, text = raw[i]
        if kind == "newline":
            at_line_start = True
            i += 1
            continue
        if at_line_start and kind == "name" and text in ("import", "from"):
            i = _skip_to_newline(raw, i)
            continue
        if at_line_start and kind == "str" and (i + 1 >= n or raw[i + 1][0] == "newline"):
            i += 1  # a bare string statement: a docstring or a note
            continue
        at_line_start = False
        if kind == "name" and text == "def":
            yield "def"
            i = _skip_signature(raw, i + 1)
            continue
        if kind == "op" and text in ("(", ")"):
            i += 1  # formatters add and drop redundant parentheses; calls keep their name
            continue
        if kind == "name" and text == "else" and _else_if_end(raw, i):
            yield "elif"  # `else:` opening with an `if` is how `elif` reads once re-printed
            i = _else_if_end(raw, i)
            continue
        if kind == "name":
            after_dot = i > 0 and raw[i - 1] == ("op", ".")
            yield text if after_dot or text in _KEPT_NAMES else ID
        elif kind == "str":
            yield STR
        elif kind == "num":
            yield NUM
        else:
            yield text
        i += 1


def _else_if_end(raw: list[_Lexed], i: int) -> int:
    """If ``raw[i:]`` reads ``else : [newline] if``, the index after the ``if``; else 0."""
    if raw[i + 1 : i + 2] != [("op", ":")]:
        return 0
    j = i + 2
    while j < len(raw) and raw[j][0] == "newline":
        j += 1
    return j + 1 if raw[j : j + 1] == [("name", "if")] else 0


def _skip_to_newline(raw: list[_Lexed], i: int) -> int:
    while i < len(raw) and raw[i][0] != "newline":
        i += 1
    return i


def _skip_signature(raw: list[_Lexed], i: int) -> int:
    """Return the index just after the ``:`` that closes a ``def`` header."""
    depth = 0
    while i < len(raw):
        kind, text = raw[i]
        if kind == "op" and text in ("(", "[", "{"):
            depth += 1
        elif kind == "op" and text in (")", "]", "}"):
            depth -= 1
        elif kind == "op" and text == ":" and depth <= 0:
            return i + 1
        elif kind == "newline":
            return i
        i += 1
    return i
