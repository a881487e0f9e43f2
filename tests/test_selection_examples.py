"""Docstring example parsing: every form HumanEval uses, and totality on any prompt."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from azr_actors.selection import Example, parse_examples


def _prompt(body: str, sig: str = "def f(x):") -> str:
    return f'{sig}\n    """\n{textwrap.indent(textwrap.dedent(body), "    ")}    """\n'


def _pairs(prompt: str, entry: str = "f") -> list[tuple[str, str]]:
    return [(e.call, e.expected) for e in parse_examples(prompt, entry)]


def test_doctest_form_with_multiline_and_empty_output() -> None:
    prompt = _prompt(
        """\
        Longest string.
        >>> f([])

        >>> f(['a', 'bb'])
        'bb'
        >>> f([1,
        ...    2])
        [1,
         2]
        """
    )
    assert _pairs(prompt) == [
        ("f([])", "None"),
        ("f(['a', 'bb'])", "'bb'"),
        ("f([1, 2])", "[1, 2]"),
    ]
    assert {e.form for e in parse_examples(prompt, "f")} == {"doctest"}


def test_doctest_assertions_become_call_and_expected() -> None:
    prompt = _prompt(
        """\
        >>> f([1, 1, 2]) == 3
        >>> f([]) == None
        True
        >>> f([1, 0]) [0, 1]
        """
    )
    assert _pairs(prompt) == [("f([1, 1, 2])", "3"), ("f([])", "None"), ("f([1, 0])", "[0, 1]")]


def test_doctest_keeps_a_wrapping_expression() -> None:
    prompt = _prompt(">>> round(f([1, 2]), 2) # comment\n-0.5\n")
    assert _pairs(prompt) == [("round(f([1, 2]), 2)", "-0.5")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("f(3) == 4", "4"),
        ("f(3) ➞ True", "True"),
        ("f(3) => 'x'", "'x'"),
        ("f(3) ==> [1, 2]", "[1, 2]"),
        ("f(3) -> (1, 2)", "(1, 2)"),
        ("f(3) → 0", "0"),
        ("f(3) should return False.", "False"),
        ("f(3) returns 'abc' for this input", "'abc'"),
        ("f(3) => true", "True"),
        ("f(3) == 1 + 9 + 0 = 10", "10"),
        ("f(3) should return 2.", "2"),
    ],
)
def test_inline_forms(line: str, expected: str) -> None:
    assert _pairs(_prompt(f"Examples:\n{line}\n")) == [("f(3)", expected)]


def test_inline_call_spanning_lines_and_strings_with_parentheses() -> None:
    prompt = _prompt("f(')(', [1,\n   2]) == 'x'\n")
    assert _pairs(prompt) == [("f(')(', [1, 2])", "'x'")]


def test_inline_rejects_non_literal_arguments_and_prose() -> None:
    prompt = _prompt("f(x) == 0 for all x\nf(abc) => False\nf(2) is the answer\n")
    assert _pairs(prompt) == []


def test_prose_assignments_then_output() -> None:
    prompt = _prompt(
        """\
        Example 1:
            Input: arr = [-3, -4, 5], k = 3
            Output: [-4, -3, 5]
        For arr = [1, 2], k = 1 the output should be [2].
        """,
        sig="def f(arr, k):",
    )
    assert _pairs(prompt) == [("f([-3, -4, 5], 3)", "[-4, -3, 5]"), ("f([1, 2], 1)", "[2]")]
    assert {e.form for e in parse_examples(prompt, "f")} == {"prose"}


def test_prose_positional_inputs_under_other_names() -> None:
    prompt = _prompt(
        "Input:\n    grid : [[0, 1]]\n    bucket_capacity : 1\nOutput: 6\n",
        sig="def f(grid, capacity):",
    )
    assert _pairs(prompt) == [("f([[0, 1]], 1)", "6")]


def test_alias_when_the_docstring_uses_another_name() -> None:
    prompt = _prompt('assert list_sort(["aa", "a"]) => ["aa"]\nlen([1]) == 1\n')
    assert _pairs(prompt) == [("f(['aa', 'a'])", '["aa"]')]


def test_repeated_call_keeps_the_first_expectation() -> None:
    prompt = _prompt(">>> f(1)\n2\n\nf(1) == 3\n")
    assert parse_examples(prompt, "f") == (Example("f(1)", "2", "doctest"),)


def test_examples_are_read_from_the_entry_points_docstring_only() -> None:
    prompt = (
        'def helper(s):\n    """>>> helper(1)\n    2\n    """\n    return s\n\n\n'
        'def f(s):\n    """No examples here."""\n'
    )
    assert parse_examples(prompt, "f") == ()
    assert _pairs(prompt, "helper") == [("helper(1)", "2")]


def test_docstring_after_an_import_in_the_body() -> None:
    prompt = 'def f(x):\n    import math\n    """\n    f(4) == 2\n    """\n'
    assert _pairs(prompt) == [("f(4)", "2")]


def test_unparsable_prompt_falls_back_to_the_raw_text() -> None:
    prompt = 'def f(x:\n    """\n    >>> f(1)\n    1\n'
    assert _pairs(prompt) == [("f(1)", "1")]


@settings(max_examples=80, deadline=None)
@given(hs.text(max_size=300), hs.sampled_from(["f", "g_1", "x"]))
def test_parsing_is_total(text: str, entry: str) -> None:
    for prompt in (text, _prompt(text), f"def {entry}(a, b):\n    '''{text}'''\n"):
        for ex in parse_examples(prompt, entry):
            assert entry in ex.call
