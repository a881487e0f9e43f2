"""Cross-model collusion analysis: are several models' answers independent?

:func:`analyze` compares every pair of models on the tasks both answered (sample 0 of
each), weighing how common a solution is across all models at two levels: features
(:mod:`._commonness`: shared fingerprints and AST shapes count only as far as other
models' answers lack them) and whole answers (the score is scaled by the share of
other models that did not write the same solution, i.e. whose unweighted similarity
to either answer stays below :data:`SAME_SOLUTION`). Both writing
``return sorted(set(l))`` is thus no evidence when others wrote it too.

Per pair it reports the mean over tasks, a seeded bootstrap 95% interval, a
one-sided Welch t-test against the pair's own cross-task baseline (model a's answer
to one task against model b's answer to another, paired by a seeded derangement:
answers that cannot have been copied), and a risk level (:mod:`._risk`). Task/pair
cases at or above the flag threshold are listed with their evidence. The same
model's second sample on a task (another salt), where present, is reported as a
further baseline. The cross-task baseline uses the unweighted similarity, since
commonness is defined within one task.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._commonness import PRIOR, TaskPool, weighted_similarity
from ._errors import CollusionError
from ._fingerprint import DEFAULT_K, DEFAULT_WINDOW
from ._risk import risk_level, worst
from ._similarity import CodeProfile, compare, profile
from ._stats import BOOTSTRAP_RESAMPLES, bootstrap_ci, derangement, finite, welch_greater

__all__ = ["DEFAULT_FLAG_THRESHOLD", "AnalysisError", "analyze", "task_order"]

DEFAULT_FLAG_THRESHOLD = 0.7
"""A task/pair is flagged at this weighted similarity or above. On the project's real
HumanEval files, a renamed and reformatted copy of one model's answers reaches it on
about two thirds of the tasks (the rest are tasks whose solution other models wrote
too), while independent models reach it on under 2% of task pairs, where two of them
wrote the same uncommon solution."""

SAME_SOLUTION = 0.8
"""Two answers with an unweighted similarity at or above this are the same solution."""

_DIGITS = re.compile(r"(\d+)")

Profiles = dict[str, dict[str, list[CodeProfile]]]


class AnalysisError(CollusionError, ValueError):
    """The answers cannot be analysed (fewer than two models, a bad threshold)."""


def analyze(
    answers: Mapping[str, Mapping[str, Sequence[str]]],
    *,
    seed: int = 0,
    flag_threshold: float | None = None,
) -> dict[str, Any]:
    """Analyse ``model -> task_id -> [sample 0, ...]`` for copying between models.

    Returns the ``azr collusion --json`` object: ``risk_level`` (the worst pair's),
    ``pairs`` (most similar first), ``flagged``, plus ``tasks``, ``baseline``,
    ``models``, ``skipped_pairs`` and ``method``. Deterministic given ``seed``; no
    NaN anywhere (undefined figures are ``None``). Raises :class:`AnalysisError`
    when fewer than two models have any sample or the threshold is not in (0, 1].
    """
    threshold = DEFAULT_FLAG_THRESHOLD if flag_threshold is None else float(flag_threshold)
    if not 0.0 < threshold <= 1.0:
        raise AnalysisError(f"flag_threshold must be in (0, 1], got {flag_threshold}")
    profiles = _profile_all(answers)
    models = sorted(profiles)
    if len(models) < 2:
        raise AnalysisError(
            f"collusion analysis needs at least two models with samples, got {len(models)}"
        )
    task_ids = sorted({task for tasks in profiles.values() for task in tasks}, key=task_order)
    firsts = {
        task: [profiles[model][task][0] for model in models if task in profiles[model]]
        for task in task_ids
    }
    pools = {task: TaskPool.of(firsts[task]) for task in task_ids}
    plain_scores = {task: _plain_matrix(profiles, models, task) for task in task_ids}
    pairs: list[dict[str, Any]] = []
    flagged: list[dict[str, Any]] = []
    skipped: list[list[str]] = []
    cross_all: list[float] = []
    per_task: dict[str, list[tuple[float, float, str, str]]] = {task: [] for task in task_ids}
    for index, (a, b) in enumerate(itertools.combinations(models, 2)):
        common = [task for task in task_ids if task in profiles[a] and task in profiles[b]]
        if not common:
            skipped.append([a, b])
            continue
        weighted: list[float] = []
        for task in common:
            score, nearest = _score_task(task, a, b, profiles, pools[task], plain_scores[task])
            weighted.append(score)
            per_task[task].append((score, plain_scores[task][a, b], a, b))
            if score >= threshold:
                flagged.append(_evidence(task, a, b, score, profiles, nearest))
        raw = [plain_scores[task][a, b] for task in common]
        cross = _cross_task(profiles, a, b, common, (seed, index))
        cross_all.extend(cross)
        pairs.append(_pair_summary(a, b, weighted, raw, cross, threshold, (seed, index)))

    pairs.sort(key=lambda pair: (-pair["mean_similarity"], pair["a"], pair["b"]))
    flagged.sort(
        key=lambda case: (-case["similarity"], task_order(case["task_id"]), case["a"], case["b"])
    )
    return {
        "risk_level": worst([pair["risk_level"] for pair in pairs]),
        "pairs": pairs,
        "flagged": flagged,
        "tasks": [_task_summary(task, rows) for task, rows in per_task.items() if rows],
        "baseline": {
            "cross_task_mean": _mean(cross_all),
            "same_model": _same_model_baseline(profiles, models, firsts),
        },
        "models": models,
        "skipped_pairs": skipped,
        "notes": _notes(models),
        "method": {
            "k": DEFAULT_K,
            "window": DEFAULT_WINDOW,
            "prior": PRIOR,
            "flag_threshold": threshold,
            "bootstrap_resamples": BOOTSTRAP_RESAMPLES,
            "seed": seed,
            "test": "one-sided Welch t-test, weighted same-task similarity > cross-task similarity",
        },
    }


def _profile_all(answers: Mapping[str, Mapping[str, Sequence[str]]]) -> Profiles:
    """Profile sample 0 and, for the same-model baseline, sample 1 of every task."""
    result: Profiles = {}
    for model, tasks in answers.items():
        profiled = {
            task: [profile(code) for code in samples[:2]]
            for task, samples in tasks.items()
            if samples
        }
        if profiled:
            result[str(model)] = profiled
    return result


def task_order(task_id: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """Natural order (``HumanEval/2`` before ``HumanEval/10``), ties (``T1``, ``T01``) broken
    by the id itself: a set's order, which varies between processes, must never decide."""
    natural = tuple(
        (0, int(part)) if part.isdecimal() else (1, part) for part in _DIGITS.split(task_id)
    )
    return natural, task_id


def _plain_matrix(profiles: Profiles, models: list[str], task: str) -> dict[tuple[str, str], float]:
    """Unweighted similarity of every two models' answers to ``task``, both orders."""
    present = [m for m in models if task in profiles[m]]
    matrix: dict[tuple[str, str], float] = {}
    for x, y in itertools.combinations(present, 2):
        matrix[x, y] = matrix[y, x] = compare(profiles[x][task][0], profiles[y][task][0]).combined
    return matrix


def _score_task(
    task: str,
    a: str,
    b: str,
    profiles: Profiles,
    pool: TaskPool,
    plain: Mapping[tuple[str, str], float],
) -> tuple[float, list[float]]:
    """The pair's commonness-weighted score on ``task``, and per other model its
    unweighted similarity to the closer of the pair's answers."""
    others = [m for m in sorted(profiles) if m not in (a, b) and task in profiles[m]]
    nearest = [max(plain[a, o], plain[b, o]) for o in others]
    weighted = weighted_similarity(profiles[a][task][0], profiles[b][task][0], pool)
    return weighted * _rarity(nearest), nearest


def _rarity(nearest: list[float]) -> float:
    """Share of the other models that did not write the same solution as the pair.

    ``nearest`` holds, per other model, its unweighted similarity to the closer of the
    pair's two answers.
    """
    if not nearest:
        return 1.0
    return 1.0 - sum(value >= SAME_SOLUTION for value in nearest) / len(nearest)


def _cross_task(
    profiles: Profiles, a: str, b: str, common: list[str], seed: tuple[int, int]
) -> list[float]:
    if len(common) < 2:
        return []
    partner = derangement(len(common), seed)
    return [
        compare(profiles[a][task][0], profiles[b][common[partner[i]]][0]).combined
        for i, task in enumerate(common)
    ]


def _pair_summary(
    a: str,
    b: str,
    weighted: list[float],
    raw: list[float],
    cross: list[float],
    threshold: float,
    seed: tuple[int, int],
) -> dict[str, Any]:
    mean = _mean(weighted)
    exact_mean = float(np.mean(weighted)) if weighted else None  # the level is decided unrounded
    low, high = bootstrap_ci(weighted, seed)
    t_stat, p_value = welch_greater(weighted, cross)
    flagged = sum(score >= threshold for score in weighted)
    return {
        "a": a,
        "b": b,
        "mean_similarity": mean,
        "ci95": [_round(low), _round(high)],
        "t_stat": t_stat,
        "p_value": p_value,
        "risk_level": risk_level(exact_mean, p_value),
        "tasks": len(weighted),
        "mean_raw_similarity": _mean(raw),
        "baseline_mean": _mean(cross),
        "flagged_tasks": flagged,
        "flagged_share": _round(flagged / len(weighted)),
    }


def _evidence(
    task: str,
    a: str,
    b: str,
    score: float,
    profiles: Profiles,
    nearest: list[float],
) -> dict[str, Any]:
    """Why a task/pair was flagged: the plain measures and how close other models came."""
    first, second = profiles[a][task][0], profiles[b][task][0]
    plain = compare(first, second)
    return {
        "task_id": task,
        "a": a,
        "b": b,
        "similarity": _round(score),
        "raw_similarity": _round(plain.combined),
        "token_similarity": _round(plain.token),
        "shape_similarity": _round(plain.shape),
        "shared_fingerprints": len(first.fingerprint & second.fingerprint),
        "other_models": len(nearest),
        "nearest_other_similarity": _round(max(nearest)) if nearest else None,
    }


def _task_summary(task: str, rows: list[tuple[float, float, str, str]]) -> dict[str, Any]:
    top = max(rows, key=lambda row: row[0])
    return {
        "task_id": task,
        "pairs": len(rows),
        "mean_similarity": _mean([row[0] for row in rows]),
        "max_similarity": _round(top[0]),
        "max_pair": [top[2], top[3]],
        "natural_similarity": _mean([row[1] for row in rows]),
    }


def _same_model_baseline(
    profiles: Profiles,
    models: list[str],
    firsts: Mapping[str, list[CodeProfile]],
) -> dict[str, dict[str, Any]]:
    """Weighted similarity of each model's sample 0 and sample 1 on the same task."""
    result: dict[str, dict[str, Any]] = {}
    for model in models:
        scores = []
        for task, samples in profiles[model].items():
            if len(samples) < 2:
                continue
            pool = TaskPool.of([*firsts[task], samples[1]])
            scores.append(weighted_similarity(samples[0], samples[1], pool))
        if scores:
            result[model] = {"mean_similarity": _mean(scores), "tasks": len(scores)}
    return result


def _notes(models: list[str]) -> list[str]:
    if len(models) > 2:
        return []
    return [
        "only two models: how common a solution is cannot be judged, so both models "
        "writing a task's natural solution counts as similarity"
    ]


def _mean(values: Sequence[float]) -> float | None:
    return _round(float(np.mean(values))) if len(values) else None


def _round(value: float | None) -> float | None:
    checked = finite(value)
    return None if checked is None else round(checked, 6)
