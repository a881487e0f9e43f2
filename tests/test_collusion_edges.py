"""Collusion analysis on the edges real sample files reach: broken code the fallback
lexer reads, soft keywords, absurdly deep code, odd task ids and seeds."""

from __future__ import annotations

import itertools
import json

import pytest

from azr_actors.collusion import analyze, normalized_tokens, similarity, task_order
from azr_actors.collusion._analysis import _pair_summary

UNTERMINATED = 'z = """unterminated\n'


def test_the_fallback_lexer_reads_prefixed_numbers_whole() -> None:
    broken = "x = 0xFF + 0b101\n" + UNTERMINATED
    assert normalized_tokens(broken)[:5] == ("ID", "=", "NUM", "+", "NUM")


def test_the_fallback_lexer_ends_statements_only_outside_brackets() -> None:
    valid = 'def f(a,\n      b):\n    return g(\n        "x"\n    ) + \\\n    1\n'
    assert normalized_tokens(valid + UNTERMINATED) == (
        *normalized_tokens(valid),
        *normalized_tokens("z = 'rest'\n"),
    )


def test_an_unterminated_quote_is_a_string_not_code() -> None:
    assert normalized_tokens('s = "hello world\nreturn s\n') == ("ID", "=", "STR", "return", "ID")


def test_renaming_a_variable_called_match_changes_nothing() -> None:
    code = "def f(s):\n    match = find(s)\n    if match:\n        return match.group(0)\n    return None\n"
    renamed = code.replace("match", "m")
    assert normalized_tokens(code) == normalized_tokens(renamed)
    assert similarity(code, renamed) == 1.0


def test_absurdly_deep_code_does_not_stop_the_analysis() -> None:
    deep = "def f(x):\n    return " + "x + " * 1200 + "x\n"
    report = analyze({"a": {"T/0": [deep]}, "b": {"T/0": ["def f(x):\n    return x\n"]}})
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("a", "b")]


def test_task_order_is_natural_total_and_takes_any_id() -> None:
    ids = ["T/10", "T/2", "T1", "T01", "T001", "HumanEval/1²"]
    orders = {tuple(sorted(p, key=task_order)) for p in itertools.permutations(ids)}
    assert len(orders) == 1  # ties between T1 and T01 no longer follow the input order
    first = next(iter(orders))
    assert first.index("T/2") < first.index("T/10")


def test_a_negative_seed_is_a_seed_like_any_other() -> None:
    answers = {
        m: {f"T/{t}": [f"def f(x):\n    return x * {t + i}\n"] for t in range(6)}
        for i, m in enumerate("ab")
    }
    once = json.dumps(analyze(answers, seed=-1))
    assert json.dumps(analyze(answers, seed=-1)) == once


@pytest.mark.parametrize(("mean", "level"), [(0.3999996, "MODERATE"), (0.4, "HIGH")])
def test_the_level_is_decided_on_the_unrounded_mean(mean: float, level: str) -> None:
    weighted = [mean - 1e-7, mean, mean + 1e-7, mean]
    summary = _pair_summary("a", "b", weighted, weighted, [0.0, 0.01, 0.02, 0.01], 0.7, (0, 0))
    assert summary["risk_level"] == level
