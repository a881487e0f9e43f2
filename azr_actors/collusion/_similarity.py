"""Pairwise similarity of two code samples that survives renaming and reformatting.

A :class:`CodeProfile` is computed once per sample (normalised tokens, winnowed
fingerprint, AST shape); :func:`compare` combines two measures:

* ``token``: Jaccard index of the winnowed k-gram fingerprints (MOSS);
* ``shape``: weighted Jaccard of AST subtree shapes (``None`` when either sample does
  not parse).

``combined`` is their mean when both exist, else the token measure alone. Every value
is in [0, 1]; an empty sample is similar to nothing (0.0), including another empty one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ._fingerprint import fingerprint, jaccard
from ._shape import ast_shape, shape_similarity

__all__ = ["CodeProfile", "Comparison", "compare", "profile", "similarity"]


@dataclass(frozen=True, slots=True)
class CodeProfile:
    """What the comparison needs from one sample, computed once."""

    fingerprint: frozenset[int]
    shape: Counter[str] | None


@dataclass(frozen=True, slots=True)
class Comparison:
    """The similarity of two samples, by measure; all in [0, 1]."""

    token: float
    shape: float | None
    combined: float


def profile(code: str) -> CodeProfile:
    """Profile one sample for comparison; never raises on unparsable code."""
    return CodeProfile(fingerprint=fingerprint(code), shape=ast_shape(code))


def compare(a: CodeProfile, b: CodeProfile) -> Comparison:
    """Compare two profiles (see the module contract)."""
    token = jaccard(a.fingerprint, b.fingerprint)
    if not a.fingerprint or not b.fingerprint:
        return Comparison(token=0.0, shape=None, combined=0.0)
    if a.shape is None or b.shape is None:
        return Comparison(token=token, shape=None, combined=token)
    shape = shape_similarity(a.shape, b.shape)
    return Comparison(token=token, shape=shape, combined=(token + shape) / 2)


def similarity(code_a: str, code_b: str) -> float:
    """Similarity of two code samples in [0, 1], unchanged by renaming and reformatting."""
    return compare(profile(code_a), profile(code_b)).combined
