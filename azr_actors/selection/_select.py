"""Pick one sample per task from visible evidence only: docstring filter, then execution agreement.

Steps (all pure):

1. **Docstring filter.** Each candidate's outputs on the docstring's calls are
   compared tolerantly with the shown outputs; only candidates passing the most
   examples stay in the running (all of them if none passes any).
2. **Clusters.** Survivors with identical outputs on every call (floats rounded
   to 9 significant digits) form a cluster.
3. **Score.** A cluster ranks by examples passed, then (when the model wrote
   tests) CodeT's *dual agreement*: model tests passed times the cluster's
   (soft) size, then *consensus*: the mean,
   over all other candidates, of the share of calls on which they return the
   same value as it (a soft, MBR-exec style vote that also counts near-agreement,
   so a few out-of-domain derived inputs do not split the vote; two calls that
   both raised or timed out do not agree, since failing alike is no evidence of
   being right), then its size, then the share of calls that returned rather
   than raised.
4. **Tie-break.** Remaining ties, and the representative within the cluster,
   are drawn from a generator seeded with ``seed`` and ``task_key``.

The inputs are the plan, the candidates' visible outputs and their code; there
is no parameter through which a hidden verdict could arrive.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from ._compare import canonical_output, expected_matches
from ._plan import EvidencePlan
from ._stop import StopRule, decide_stop

__all__ = ["Candidate", "Selection", "select"]

_DEFAULT_RULE = StopRule()


@dataclass(frozen=True)
class Candidate:
    """One sample's visible behaviour: ``outputs`` parallel to the plan's calls.

    Each output is the sandbox's wire encoding of the call's result, or ``None``
    where the call raised, timed out or was rejected (as in ``VisibleVerdictPosted``).
    """

    sample_idx: int
    outputs: list[str | None]
    code: str = ""


@dataclass(frozen=True)
class Selection:
    """The judge's pick and why. ``confident`` is the early-stop signal, explained by ``stop_reason``."""

    sample_idx: int
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    confident: bool = False
    stop_reason: str = ""


@dataclass(frozen=True)
class _Cluster:
    members: tuple[int, ...]  # positions in the candidate list
    examples_passed: int
    tests_passed: int
    consensus: float
    ok_share: float

    def dual(self, n_candidates: int) -> float:
        """CodeT's dual agreement: model tests passed x agreeing samples (soft count)."""
        return self.tests_passed * (1.0 + self.consensus * (n_candidates - 1))


def select(
    plan: EvidencePlan,
    candidates: Sequence[Candidate],
    *,
    seed: int,
    task_key: str = "",
    rule: StopRule = _DEFAULT_RULE,
) -> Selection:
    """Select one candidate for the task (see the module docstring for the rule).

    Deterministic given ``seed`` and ``task_key``. Raises ``ValueError`` with no
    candidates or with two candidates sharing a ``sample_idx``.
    """
    if not candidates:
        raise ValueError("select needs at least one candidate")
    if len({c.sample_idx for c in candidates}) != len(candidates):
        raise ValueError("candidates must have distinct sample_idx")
    n_calls = len(plan.calls)
    raw = [_padded(c.outputs, n_calls) for c in candidates]
    canon = [[canonical_output(o) for o in outs] for outs in raw]
    example_idx = plan.example_indices
    passed = _passes(plan, example_idx, raw)
    test_idx = plan.model_test_indices
    tests_passed = _passes(plan, test_idx, raw)
    best_passed = max(passed)
    survivors = [i for i, p in enumerate(passed) if p == best_passed]
    clusters = _clusters(survivors, canon, passed, tests_passed)
    n = len(candidates)
    rng = random.Random(f"judge-select:{seed}:{task_key}")
    priority = {c.sample_idx: rng.random() for c in sorted(candidates, key=lambda c: c.sample_idx)}

    def key(cl: _Cluster) -> tuple[float, ...]:
        tie = max(priority[candidates[m].sample_idx] for m in cl.members)
        dual = round(cl.dual(n), 9)
        return (
            cl.examples_passed,
            dual,
            round(cl.consensus, 12),
            len(cl.members),
            cl.ok_share,
            tie,
        )

    ranked = sorted(clusters, key=key, reverse=True)
    best = ranked[0]
    pick = max(best.members, key=lambda m: priority[candidates[m].sample_idx])
    confident, stop_reason = decide_stop(
        rule,
        candidates=n,
        cluster_size=len(best.members),
        examples_total=len(example_idx),
        examples_passed=best.examples_passed,
    )
    if n == 1:
        reason = "only sample"
    else:
        tied = len(ranked) > 1 and key(ranked[1])[:-1] == key(best)[:-1]
        tests = f"{best.tests_passed}/{len(test_idx)} model-written tests; " if test_idx else ""
        reason = (
            f"passes {best.examples_passed}/{len(example_idx)} docstring examples; {tests}"
            f"cluster of {len(best.members)} of {n} samples agreeing on all "
            f"{n_calls} probes; consensus {best.consensus:.2f}"
            + ("; tie with another cluster broken by seed" if tied else "")
        )
    scores = {
        "candidates": float(n),
        "probes": float(n_calls),
        "examples_total": float(len(example_idx)),
        "examples_passed": float(best.examples_passed),
        "model_tests_total": float(len(test_idx)),
        "model_tests_passed": float(best.tests_passed),
        "survivors": float(len(survivors)),
        "clusters": float(len(clusters)),
        "cluster_size": float(len(best.members)),
        "runner_up_size": float(len(ranked[1].members)) if len(ranked) > 1 else 0.0,
        "consensus": best.consensus,
        "dual_agreement": best.dual(n),
        "ok_share": best.ok_share,
    }
    return Selection(candidates[pick].sample_idx, reason, scores, confident, stop_reason)


def _passes(plan: EvidencePlan, indices: list[int], raw: list[list[str | None]]) -> list[int]:
    """Per candidate, how many of the calls at ``indices`` show their expected output."""
    return [sum(expected_matches(plan.expected[j] or "", outs[j]) for j in indices) for outs in raw]


def _padded(outputs: Sequence[str | None], n: int) -> list[str | None]:
    """Outputs cut or padded with ``None`` (missing = no result) to the plan's length."""
    return [*outputs[:n], *([None] * (n - len(outputs)))]


def _clusters(
    survivors: list[int],
    canon: list[list[str | None]],
    passed: list[int],
    tests_passed: list[int],
) -> list[_Cluster]:
    groups: dict[tuple[str | None, ...], list[int]] = {}
    for i in survivors:
        groups.setdefault(tuple(canon[i]), []).append(i)
    n_calls = len(canon[0]) if canon else 0
    others_total = len(canon) - 1
    out: list[_Cluster] = []
    for outputs, members in groups.items():
        rep = members[0]
        if n_calls and others_total:
            agree = sum(
                sum(a is not None and a == b for a, b in zip(outputs, canon[j], strict=True))
                / n_calls
                for j in range(len(canon))
                if j != rep
            )
            consensus = agree / others_total
        else:
            consensus = 0.0
        ok_share = sum(o is not None for o in outputs) / n_calls if n_calls else 0.0
        out.append(_Cluster(tuple(members), passed[rep], tests_passed[rep], consensus, ok_share))
    return out
