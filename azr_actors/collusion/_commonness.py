"""Commonness weighting: shared code counts as evidence only if other models lack it.

Many HumanEval tasks have one natural solution, so two models that both write
``return sorted(set(l))`` prove nothing. For one task, a :class:`TaskPool` counts in
how many models' answers each fingerprint hash and each AST shape occurs. When pair
(a, b) is compared, a feature's weight is the share of the *other* models' answers on
that task that lack it (1.0 when no other model has it, 0.0 when all do), and the
pair's similarity is the weighted Jaccard of their features:

    sum over shared features of weight / (sum over all their features of weight + PRIOR)

``PRIOR`` (one fully distinctive feature) shrinks the score when almost everything
the two answers contain is common: a pair can only score high on distinctive code
they share. The token (fingerprint) and shape scores are averaged like the
unweighted :func:`~azr_actors.collusion._similarity.compare`. With no other model on
the task every weight is 1.0 and only the prior differs from the plain measure.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from ._similarity import CodeProfile

__all__ = ["PRIOR", "TaskPool", "weighted_similarity"]

PRIOR = 1.0

_K = TypeVar("_K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class TaskPool:
    """Document frequencies of features over every model's answer to one task."""

    models: int
    hash_counts: Mapping[int, int]
    shape_counts: Mapping[str, int]
    shape_models: int

    @classmethod
    def of(cls, profiles: Iterable[CodeProfile]) -> TaskPool:
        """Count each feature once per answer (one answer per model)."""
        hashes: Counter[int] = Counter()
        shapes: Counter[str] = Counter()
        models = shape_models = 0
        for item in profiles:
            models += 1
            hashes.update(item.fingerprint)
            if item.shape is not None:
                shape_models += 1
                shapes.update(item.shape.keys())
        return cls(
            models=models, hash_counts=hashes, shape_counts=shapes, shape_models=shape_models
        )


def weighted_similarity(a: CodeProfile, b: CodeProfile, pool: TaskPool) -> float:
    """Commonness-weighted similarity of ``a`` and ``b`` in [0, 1] (see module docs).

    ``pool`` must include ``a`` and ``b`` themselves (they are subtracted out).
    An empty answer is similar to nothing.
    """
    if not a.fingerprint or not b.fingerprint:
        return 0.0
    token = _weighted_jaccard(
        dict.fromkeys(a.fingerprint, 1),
        dict.fromkeys(b.fingerprint, 1),
        pool.hash_counts,
        pool.models,
    )
    if a.shape is None or b.shape is None:
        return token
    shape = _weighted_jaccard(a.shape, b.shape, pool.shape_counts, pool.shape_models)
    return (token + shape) / 2


def _weighted_jaccard(
    a: Mapping[_K, int], b: Mapping[_K, int], counts: Mapping[_K, int], models: int
) -> float:
    others = models - 2
    shared: list[float] = []
    total: list[float] = []
    for key in a.keys() | b.keys():
        in_a = a.get(key, 0)
        in_b = b.get(key, 0)
        if others > 0:
            holders = counts.get(key, 0) - (in_a > 0) - (in_b > 0)
            weight = 1.0 - max(0, holders) / others
        else:
            weight = 1.0
        shared.append(weight * min(in_a, in_b))
        total.append(weight * max(in_a, in_b))
    # fsum is exact, so the result does not depend on set order (salted string hashes).
    return math.fsum(shared) / (math.fsum(total) + PRIOR)
