"""Winnowed k-gram fingerprints of normalised token streams (the method of MOSS).

Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting" (SIGMOD 2003): hash every run of ``k`` consecutive tokens, slide a
window of ``window`` hashes and keep the smallest hash of each window (the rightmost
on ties). Any match of at least ``window + k - 1`` tokens between two documents is
guaranteed to share a fingerprint, and matches shorter than ``k`` tokens are ignored
as noise. Hashes are CRC-32 of the k-gram text, so fingerprints are stable across
processes (Python's ``hash`` of a string is salted per process).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

from ._tokens import normalized_tokens

__all__ = ["DEFAULT_K", "DEFAULT_WINDOW", "fingerprint", "jaccard", "kgram_hashes", "winnow"]

DEFAULT_K = 5
DEFAULT_WINDOW = 4


def kgram_hashes(tokens: Sequence[str], k: int = DEFAULT_K) -> list[int]:
    """Hash each run of ``k`` tokens; a non-empty stream shorter than ``k`` is one k-gram."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}")
    if not tokens:
        return []
    grams = [tokens[i : i + k] for i in range(max(1, len(tokens) - k + 1))]
    return [zlib.crc32("\x1f".join(gram).encode()) for gram in grams]


def winnow(hashes: Sequence[int], window: int = DEFAULT_WINDOW) -> frozenset[int]:
    """Keep the minimum hash of every window of ``window`` consecutive hashes."""
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    if len(hashes) <= window:
        return frozenset([min(hashes)]) if hashes else frozenset()
    kept: set[int] = set()
    for start in range(len(hashes) - window + 1):
        chunk = hashes[start : start + window]
        low = min(chunk)
        kept.add(low)
    return frozenset(kept)


def fingerprint(code: str, *, k: int = DEFAULT_K, window: int = DEFAULT_WINDOW) -> frozenset[int]:
    """Return the winnowed fingerprint set of ``code`` after normalisation.

    Renaming identifiers, changing literals, quotes, spacing, blank lines, comments
    or docstrings does not change the result. Empty or token-free code gives an
    empty set.
    """
    return winnow(kgram_hashes(normalized_tokens(code), k), window)


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard index of two fingerprint sets; 0.0 when both are empty (no evidence)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0
