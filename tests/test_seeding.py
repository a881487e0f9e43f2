"""Derived seeds and salts are pinned: recorded logs replay to the same metrics only
if every value derived from the run seed stays byte-identical."""

from __future__ import annotations

from azr_actors.executor import sample_seed
from azr_actors.generator import salt_for
from azr_actors.providers.sim import _seed_of


def test_request_salts_are_pinned():
    assert salt_for(7, "gpt-4o-mini", "HumanEval/0", 0) == "cf7a14360cbd"
    assert salt_for(0, "sim:strong", "HumanEval/163", 15) == "238152add30e"


def test_sandbox_seeds_are_pinned():
    assert sample_seed(7, "gpt-4o-mini", "HumanEval/0", 0) == 3049236211
    assert sample_seed(0, "eval", "HumanEval/163", 15) == 563494357


def test_simulated_model_seeds_are_pinned():
    assert _seed_of(7, "sim:strong", "completion", "HumanEval/0", 0) == 2781409312641432229
    assert _seed_of("difficulty", "HumanEval/12") == 1640613444757806718
