"""The pair analysis on small synthetic answer sets: contract, commonness, determinism."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys

import pytest

from azr_actors.collusion import (
    RISK_LEVELS,
    AnalysisError,
    CollusionError,
    analyze,
)
from azr_actors.collusion._risk import risk_level, worst
from azr_actors.collusion._stats import bootstrap_ci, derangement, welch_greater

# Six structurally different solutions per task, one per model, so independent models
# share little; the natural task "dedupe" is solved identically by everybody.
_STYLES = [
    "def f(xs):\n    out = 0\n    for i in range(len(xs)):\n        out += xs[i] * {n}\n    return out\n",
    "def f(xs):\n    return sum(x * {n} for x in xs)\n",
    "def f(xs):\n    total = 0\n    i = 0\n    while i < len(xs):\n        total = total + xs[i] * {n}\n        i += 1\n    return total\n",
    "def f(xs):\n    import functools\n    return functools.reduce(lambda acc, x: acc + x * {n}, xs, 0)\n",
    "def f(xs):\n    if not xs:\n        return 0\n    return xs[0] * {n} + f(xs[1:])\n",
    "def f(xs):\n    result = [x * {n} for x in xs]\n    return sum(result) if result else 0\n",
]
_DISTINCT = (
    "def g(s):\n    parts = s.split(',')\n    keep = {{}}\n    for p in parts:\n"
    "        key = p.strip().lower()\n        if key and key[0].isalpha():\n"
    "            keep[key] = keep.get(key, 0) + len(p) * {n}\n"
    "    return sorted(keep.items(), key=lambda kv: (-kv[1], kv[0]))[:3]\n"
)
_NATURAL = "def unique(l):\n    return sorted(set(l))\n"
MODELS = ["m0", "m1", "m2", "m3", "m4", "m5"]
TASKS = [f"T/{i}" for i in range(12)]


def _independent() -> dict[str, dict[str, list[str]]]:
    answers: dict[str, dict[str, list[str]]] = {}
    for index, model in enumerate(MODELS):
        answers[model] = {
            task: [_STYLES[(index + t) % len(_STYLES)].format(n=t + 2)]
            for t, task in enumerate(TASKS)
        }
        answers[model]["T/natural"] = [_NATURAL]
    return answers


def test_contract_keys_and_no_nan() -> None:
    result = analyze(_independent(), seed=3)
    assert result["risk_level"] in RISK_LEVELS
    assert len(result["pairs"]) == 15
    for pair in result["pairs"]:
        assert {
            "a",
            "b",
            "mean_similarity",
            "ci95",
            "t_stat",
            "p_value",
            "risk_level",
        } <= pair.keys()
        assert pair["risk_level"] in RISK_LEVELS
        assert len(pair["ci95"]) == 2
    for case in result["flagged"]:
        assert {"task_id", "a", "b", "similarity"} <= case.keys()
    json.dumps(result, allow_nan=False)


def test_natural_solution_is_not_copying_but_a_shared_rare_one_is() -> None:
    answers = _independent()
    answers["m0"]["T/rare"] = [_DISTINCT.format(n=7)]
    answers["m1"]["T/rare"] = [
        _DISTINCT.format(n=9).replace("parts", "pieces").replace("keep", "kept")
    ]
    for index, model in enumerate(MODELS[2:]):
        answers[model]["T/rare"] = [_STYLES[index].format(n=5)]
    result = analyze(answers)
    cases = {(case["task_id"], case["a"], case["b"]) for case in result["flagged"]}
    assert ("T/rare", "m0", "m1") in cases
    assert not any(task == "T/natural" for task, _, _ in cases)
    natural = next(task for task in result["tasks"] if task["task_id"] == "T/natural")
    assert natural["natural_similarity"] == 1.0
    assert natural["max_similarity"] == 0.0


def test_copying_model_is_high_and_ranked_first() -> None:
    answers = _independent()
    answers["copy"] = {
        task: [code.replace("xs", "values").replace("    ", "  ") for code in samples]
        for task, samples in answers["m3"].items()
    }
    result = analyze(answers)
    top = result["pairs"][0]
    assert (top["a"], top["b"]) == ("copy", "m3")
    assert top["risk_level"] == "HIGH"
    assert result["risk_level"] == "HIGH"
    flagged = {
        case["task_id"] for case in result["flagged"] if {case["a"], case["b"]} == {"copy", "m3"}
    }
    # A one-line answer is weak evidence on its own (two of the twelve are one-liners).
    assert flagged <= set(TASKS) and len(flagged) >= 10
    assert "T/natural" not in flagged
    assert all(pair["mean_similarity"] < top["mean_similarity"] for pair in result["pairs"][1:])


def test_deterministic_given_seed() -> None:
    answers = _independent()
    first = json.dumps(analyze(answers, seed=11))
    assert json.dumps(analyze(answers, seed=11)) == first
    assert (
        analyze(answers, seed=12)["pairs"][0]["mean_similarity"]
        == json.loads(first)["pairs"][0]["mean_similarity"]
    )


def test_identical_in_another_process_with_another_hash_seed() -> None:
    # Set iteration order of strings changes with PYTHONHASHSEED; the output must not.
    script = (
        "import json, sys; from azr_actors.collusion import analyze; "
        "print(json.dumps(analyze(json.load(sys.stdin), seed=2)))"
    )
    other = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(_independent()),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": other},
    )
    assert json.loads(done.stdout) == json.loads(json.dumps(analyze(_independent(), seed=2)))


def test_intersection_of_tasks_and_pairs_without_common_tasks() -> None:
    answers = {
        "a": {"T/1": ["x = 1\n"], "T/2": ["y = [i for i in range(3)]\n"]},
        "b": {"T/2": ["z = [j for j in range(4)]\n"], "T/3": ["w = 2\n"]},
        "c": {"T/9": ["print(1)\n"]},
    }
    result = analyze(answers)
    pair = next(p for p in result["pairs"] if (p["a"], p["b"]) == ("a", "b"))
    assert pair["tasks"] == 1
    assert pair["t_stat"] is None and pair["p_value"] is None
    assert pair["risk_level"] == "MINIMAL"
    assert ["a", "c"] in result["skipped_pairs"] and ["b", "c"] in result["skipped_pairs"]
    json.dumps(result, allow_nan=False)


def test_same_model_resample_baseline_is_reported() -> None:
    answers = _independent()
    for task in TASKS:
        answers["m0"][task].append(answers["m0"][task][0].replace("xs", "items"))
    baseline = analyze(answers)["baseline"]
    assert baseline["same_model"]["m0"]["tasks"] == len(TASKS)
    assert baseline["same_model"]["m0"]["mean_similarity"] > 0.5
    assert 0.0 <= baseline["cross_task_mean"] < 0.5


@pytest.mark.parametrize(
    ("answers", "threshold", "message"),
    [
        (
            {"only": {"T/1": ["x = 1"]}},
            None,
            "collusion analysis needs at least two models with samples, got 1",
        ),
        (
            {"a": {"T/1": []}, "b": {"T/1": ["x"]}},
            None,
            "collusion analysis needs at least two models with samples, got 1",
        ),
        (
            {"a": {"T/1": ["x"]}, "b": {"T/1": ["x"]}},
            1.5,
            "flag_threshold must be in (0, 1], got 1.5",
        ),
    ],
)
def test_bad_input_is_a_value_error_with_exact_message(
    answers: dict[str, dict[str, list[str]]], threshold: float | None, message: str
) -> None:
    with pytest.raises(AnalysisError) as caught:
        analyze(answers, flag_threshold=threshold)
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, CollusionError)


def test_risk_levels_follow_thresholds_and_significance() -> None:
    assert risk_level(0.45, 0.001) == "HIGH"
    assert risk_level(0.40, 0.001) == "HIGH"
    assert risk_level(0.35, 0.001) == "MODERATE"
    assert risk_level(0.25, 0.001) == "LOW"
    assert risk_level(0.10, 0.001) == "MINIMAL"
    assert risk_level(0.90, 0.2) == "MINIMAL"
    assert risk_level(0.90, None) == "MINIMAL"
    assert worst(["LOW", "HIGH", "MINIMAL"]) == "HIGH"
    assert worst([]) == "MINIMAL"


def test_statistics_are_seeded_and_never_nan() -> None:
    values = [0.1, 0.4, 0.3, 0.9, 0.2]
    low, high = bootstrap_ci(values, (0, 1))
    assert low is not None and high is not None and low <= sum(values) / 5 <= high
    assert bootstrap_ci(values, (0, 1)) == (low, high)
    assert bootstrap_ci([], (0, 1)) == (None, None)
    assert welch_greater([0.5, 0.5], [0.5, 0.5]) == (None, None)
    assert welch_greater([0.5], [0.1, 0.2]) == (None, None)
    t_stat, p_value = welch_greater([0.8, 0.9, 0.85], [0.1, 0.2, 0.15])
    assert t_stat is not None and t_stat > 0 and p_value is not None and p_value < 0.01
    t_stat, p_value = welch_greater([0.9, 0.9], [0.1, 0.2])  # zero variance on one side
    assert t_stat is not None and math.isfinite(t_stat)


def test_derangement_moves_every_item() -> None:
    for size in (2, 3, 10, 164):
        order = derangement(size, (5, size))
        assert sorted(order) == list(range(size))
        assert all(order[i] != i for i in range(size))
    assert derangement(10, (1, 2)) == derangement(10, (1, 2))
    with pytest.raises(ValueError, match="at least 2 items, got 1"):
        derangement(1, (0,))


def test_public_names_and_two_model_note() -> None:
    assert RISK_LEVELS == ("MINIMAL", "LOW", "MODERATE", "HIGH")
    two = {"a": {"T/1": ["x = [i for i in y]"]}, "b": {"T/1": ["z = [j for j in w]"]}}
    result = analyze(two)
    assert result["notes"] and "only two models" in result["notes"][0]
    assert analyze(_independent())["notes"] == []
