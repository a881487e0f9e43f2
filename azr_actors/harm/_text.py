"""Text normalisation shared by the signal detectors.

Contract: :func:`coerce` turns any input into a ``str`` (never raises) and
reports whether it had to; :func:`cap` bounds the work done on huge responses;
:func:`sentences` and :func:`lines` split text the same way for every detector.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["MAX_CHARS", "cap", "coerce", "lines", "normalise", "sentences"]

#: Only the first MAX_CHARS characters of a response are analysed: harmful
#: content or a refusal shows up early, and this keeps classification O(1) in size.
MAX_CHARS = 16_000

# Split after sentence punctuation, but not after a list number ("1. Obtain ...").
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])(?<!\b\d\.)(?<!\b\d\d\.)[ \t]+|\n+")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def coerce(value: object) -> tuple[str, bool]:
    """Return ``(text, was_text)``; bytes are decoded leniently, None becomes ``""``."""
    if isinstance(value, str):
        return value, True
    if value is None:
        return "", False
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace"), False
    try:
        return str(value), False
    except Exception:  # a hostile __str__ must not crash the classifier
        return "", False


def cap(text: str, limit: int = MAX_CHARS) -> tuple[str, bool]:
    """Return the first ``limit`` characters and whether anything was cut."""
    return (text[:limit], True) if len(text) > limit else (text, False)


def normalise(text: str) -> str:
    """NFKC-fold, straighten quotes and lower-case, so patterns match variants."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES).lower()


def sentences(text: str) -> list[str]:
    """Split into non-empty sentences (also on line breaks)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def lines(text: str) -> list[str]:
    """Non-empty stripped lines."""
    return [ln.strip() for ln in text.splitlines() if ln.strip()]
