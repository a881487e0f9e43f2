"""Selection: docstring filter, consensus clusters, seeded ties, and the early-stop signal."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from azr_actors.sandbox.values import encode
from azr_actors.selection import Candidate, EvidencePlan, Selection, StopRule, decide_stop, select

# Two docstring examples, then three derived inputs.
PLAN = EvidencePlan(
    calls=["f(1)", "f(2)", "f(3)", "f(4)", "f(5)"],
    expected=["2", "4", None, None, None],
    origins=["docstring:doctest"] * 2 + ["derived:mutate-int"] * 3,
)


def cand(idx: int, *values: Any) -> Candidate:
    """A candidate whose outputs are ``values``; the string "raise" marks a call that raised."""
    return Candidate(idx, [None if v == "raise" else encode(v) for v in values])


def test_one_candidate_is_the_only_sample() -> None:
    sel = select(PLAN, [cand(7, 0, 0, 0, 0, 0)], seed=0)
    assert sel.sample_idx == 7
    assert sel.reason == "only sample"
    assert not sel.confident


def test_bad_input_is_rejected_with_exact_messages() -> None:
    with pytest.raises(ValueError, match=r"^select needs at least one candidate$"):
        select(PLAN, [], seed=0)
    with pytest.raises(ValueError, match=r"^candidates must have distinct sample_idx$"):
        select(PLAN, [cand(1, 2, 4, 6, 8, 10), cand(1, 2, 4, 6, 8, 10)], seed=0)


def test_docstring_filter_beats_a_wrong_majority() -> None:
    wrong = [cand(i, 3, 6, 9, 12, 15) for i in range(4)]
    right = cand(4, 2, 4, 6, 8, 10)
    sel = select(PLAN, [*wrong, right], seed=0)
    assert sel.sample_idx == 4
    assert sel.scores["examples_passed"] == 2
    assert sel.scores["survivors"] == 1
    assert sel.reason.startswith("passes 2/2 docstring examples")


def test_largest_agreeing_cluster_wins_among_survivors() -> None:
    cands = [
        cand(0, 2, 4, 7, 8, 10),  # passes the examples, odd one out on derived inputs
        cand(1, 2, 4, 6, 8, 10),
        cand(2, 2, 4, 6, 8, 10),
        cand(3, 2, 4, 6, 8, 10),
    ]
    sel = select(PLAN, cands, seed=0)
    assert sel.sample_idx in {1, 2, 3}
    assert sel.scores["cluster_size"] == 3
    assert sel.scores["clusters"] == 2


def test_consensus_counts_partial_agreement_of_all_candidates() -> None:
    cands = [
        cand(0, 2, 4, 6, 8, 10),
        cand(1, 2, 4, 6, 8, 11),
        # Both fail the examples, yet vote with sample 0 on f(3), f(4) and f(5).
        cand(2, 0, 0, 6, 8, 10),
        cand(3, 0, 0, 6, 8, 10),
    ]
    sel = select(PLAN, cands, seed=0)
    assert sel.sample_idx == 0
    # Sample 0 agrees with 1 on 4 of 5 calls and with 2 and 3 on 3 of 5 each.
    assert sel.scores["consensus"] == pytest.approx((4 + 3 + 3) / 5 / 3)


def test_failing_alike_is_not_agreement() -> None:
    cands = [
        cand(0, 2, 4, "raise", "raise", "raise"),
        cand(1, 2, 4, "raise", "raise", "raise"),
        cand(2, 2, 4, 6, 8, 10),
        cand(3, 0, 4, 6, 8, 10),  # fails one example, but agrees with sample 2 where it returns
    ]
    sel = select(PLAN, cands, seed=0)
    assert sel.sample_idx == 2


def test_float_noise_does_not_split_a_cluster() -> None:
    plan = EvidencePlan(
        ["g(0)", "g(1)"], ["0.3", None], ["docstring:doctest", "derived:mutate-int"]
    )
    cands = [
        cand(0, 0.1 + 0.2, 1.0),
        cand(1, 0.3, 1.0000000000001),
        cand(2, 0.3, 2.0),
    ]
    sel = select(plan, cands, seed=0)
    assert sel.scores["cluster_size"] == 2
    assert sel.sample_idx in {0, 1}


def test_ties_are_broken_by_seed_deterministically() -> None:
    cands = [cand(0, 2, 4, 6, 8, 10), cand(1, 2, 4, 5, 7, 9)]
    picks = {select(PLAN, cands, seed=s, task_key="T").sample_idx for s in range(20)}
    assert picks == {0, 1}
    again = [select(PLAN, cands, seed=s, task_key="T").sample_idx for s in range(20)]
    assert again == [select(PLAN, cands, seed=s, task_key="T").sample_idx for s in range(20)]
    assert "broken by seed" in select(PLAN, cands, seed=0).reason


def test_pick_does_not_depend_on_candidate_order() -> None:
    cands = [
        cand(0, 2, 4, 6, 8, 10),
        cand(1, 2, 4, 5, 7, 9),
        cand(2, 2, 4, 6, 8, 10),
        cand(3, 1, 4, 6, 8, 10),
    ]
    picks = {
        select(PLAN, list(p), seed=5, task_key="x").sample_idx
        for p in itertools.permutations(cands)
    }
    assert len(picks) == 1


def test_short_outputs_are_padded_as_failures() -> None:
    sel = select(PLAN, [cand(0, 2), cand(1, 2, 4)], seed=0)
    assert sel.sample_idx == 1


def test_confident_when_a_dominant_cluster_passes_every_example() -> None:
    cands = [cand(i, 2, 4, 6, 8, 10) for i in range(3)] + [cand(3, 2, 4, 6, 8, 0)]
    sel = select(PLAN, cands, seed=0)
    assert sel.confident
    assert (
        sel.stop_reason == "3 of 4 samples agree on every probe and pass all 2 docstring examples"
    )


def test_not_confident_when_the_cluster_is_small_or_fails_examples() -> None:
    split = [
        cand(0, 2, 4, 6, 8, 10),
        cand(1, 2, 4, 6, 8, 10),
        cand(2, 2, 4, 1, 1, 1),
        cand(3, 2, 4, 0, 0, 0),
    ]
    sel = select(PLAN, split, seed=0)
    assert not sel.confident
    assert "stopping needs 3 and a 50% share" in sel.stop_reason
    failing = [cand(i, 2, 5, 6, 8, 10) for i in range(4)]
    sel = select(PLAN, failing, seed=0)
    assert not sel.confident
    assert sel.stop_reason == "the pick passes only 1/2 docstring examples"


def test_stop_rule_without_examples_needs_more_agreement() -> None:
    rule = StopRule()
    assert (
        decide_stop(rule, candidates=4, cluster_size=3, examples_total=0, examples_passed=0)[0]
        is False
    )
    ok, why = decide_stop(rule, candidates=4, cluster_size=4, examples_total=0, examples_passed=0)
    assert ok and why == "4 of 4 samples agree on every probe (no docstring examples to check)"
    assert (
        decide_stop(rule, candidates=10, cluster_size=4, examples_total=2, examples_passed=2)[0]
        is False
    )
    assert (
        decide_stop(rule, candidates=10, cluster_size=5, examples_total=2, examples_passed=2)[0]
        is True
    )


def test_selection_is_a_frozen_record() -> None:
    sel = select(PLAN, [cand(0, 2, 4, 6, 8, 10)], seed=0)
    assert isinstance(sel, Selection)
    with pytest.raises(AttributeError):
        sel.sample_idx = 3  # type: ignore[misc]


def test_dual_agreement_with_model_tests_ranks_after_the_docstring() -> None:
    plan = EvidencePlan(
        calls=["f(1)", "f(2)", "f(3)", "f(4)"],
        expected=["2", "4", "6", None],
        origins=["docstring:doctest", "model-test", "model-test", "derived:mutate-int"],
    )
    assert plan.example_indices == [0]
    assert plan.model_test_indices == [1, 2]
    cands = [
        cand(0, 2, 4, 6, 8),  # passes both model tests
        cand(1, 2, 0, 0, 9),  # a larger cluster that passes none
        cand(2, 2, 0, 0, 9),
        cand(3, 5, 4, 6, 8),  # passes the model tests but not the docstring
    ]
    sel = select(plan, cands, seed=0)
    assert sel.sample_idx == 0
    assert sel.scores["model_tests_passed"] == 2
    assert sel.scores["dual_agreement"] == pytest.approx(2 * (1 + 3 * sel.scores["consensus"]))
    assert "2/2 model-written tests" in sel.reason
    without = EvidencePlan(
        plan.calls, ["2", None, None, None], ["docstring:doctest"] + ["derived:x"] * 3
    )
    assert select(without, cands, seed=0).sample_idx in {1, 2}  # consensus alone favours the pair
