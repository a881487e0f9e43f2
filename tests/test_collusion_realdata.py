"""The analysis on real HumanEval generations from six independent models.

Skips when ../shared/data is absent. The copies are made here: identifiers renamed
through the AST (or by regular expression where the code does not parse), then
re-printed with ``ast.unparse`` (other quotes, spacing, no comments or blank lines),
re-indented by two spaces and given a comment.
"""

from __future__ import annotations

import ast
import builtins
import keyword
import random
import re
from pathlib import Path

import pytest

from azr_actors.collusion import analyze, load_sample_files, similarity

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "humaneval-samples"
SOURCE = "gpt-4_lhb"
HOST = "llama-3-8b-instruct_evalplus-pr247"
_KEPT = frozenset(dir(builtins)) | frozenset(keyword.kwlist)

Answers = dict[str, dict[str, list[str]]]


class _Renamer(ast.NodeTransformer):
    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def rename(self, name: str) -> str:
        return (
            name
            if name in _KEPT
            else self.names.setdefault(name, f"v{len(self.names)}_{name[::-1]}")
        )

    def visit_Name(self, node: ast.Name) -> ast.Name:
        node.id = self.rename(node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.arg:
        node.arg = self.rename(node.arg)
        self.generic_visit(node)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.FunctionDef:
        node.name = self.rename(node.name)
        self.generic_visit(node)
        return node


def disguise(code: str) -> str:
    """Rename identifiers and reformat ``code`` the way a copier hiding a copy would."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        names: dict[str, str] = {}
        renamed = re.sub(
            r"(?<![.\w])[A-Za-z_]\w*",
            lambda m: (
                m.group() if m.group() in _KEPT else names.setdefault(m.group(), f"w{len(names)}")
            ),
            code,
        )
        return renamed.replace('"', "'")
    printed = ast.unparse(_Renamer().visit(tree)).replace("    ", "  ")
    return "# cleaned up\n\n" + printed.replace("\n", "\n\n", 1) + "\n"


@pytest.fixture(scope="module")
def real() -> Answers:
    if not DATA.is_dir():
        pytest.skip(f"real data not found at {DATA}")
    return load_sample_files(sorted(DATA.glob("*.jsonl")))


def test_disguise_changes_text_but_not_similarity(real: Answers) -> None:
    originals = [samples[0] for samples in real[SOURCE].values()]
    copies = [disguise(code) for code in originals]
    changed = sum(copy != code for copy, code in zip(copies, originals, strict=True))
    assert changed >= 0.95 * len(originals)  # a bare `pass` has nothing to rename
    scores = [similarity(code, copy) for code, copy in zip(originals, copies, strict=True)]
    assert sum(score >= 0.99 for score in scores) >= 0.95 * len(scores)


def test_independent_models_are_minimal_or_low(real: Answers) -> None:
    result = analyze(real)
    assert len(result["pairs"]) == 15
    assert {pair["risk_level"] for pair in result["pairs"]} <= {"MINIMAL", "LOW"}
    assert result["risk_level"] in ("MINIMAL", "LOW")
    assert all(pair["mean_similarity"] < 0.4 for pair in result["pairs"])


def test_disguised_full_copy_is_high_with_copied_tasks_flagged(real: Answers) -> None:
    answers = dict(real)
    answers["copied"] = {task: [disguise(s[0])] for task, s in real[SOURCE].items()}
    result = analyze(answers)
    top = result["pairs"][0]
    assert {top["a"], top["b"]} == {"copied", SOURCE}
    assert top["risk_level"] == "HIGH" and result["risk_level"] == "HIGH"
    assert top["ci95"][0] >= 0.4
    assert {pair["risk_level"] for pair in result["pairs"][1:]} <= {"MINIMAL", "LOW"}
    flagged = [case for case in result["flagged"] if {case["a"], case["b"]} == {"copied", SOURCE}]
    assert len(flagged) >= 0.5 * len(real[SOURCE])
    assert all(case["raw_similarity"] >= 0.9 for case in flagged)


def test_partial_copy_ranks_above_every_independent_pair(real: Answers) -> None:
    tasks = sorted(real[HOST])
    copied = set(random.Random(4).sample(tasks, round(0.4 * len(tasks))))
    answers = {model: tasks_ for model, tasks_ in real.items() if model != HOST}
    answers["partial"] = {
        task: [disguise(real[SOURCE][task][0])] if task in copied else samples
        for task, samples in real[HOST].items()
    }
    result = analyze(answers)
    top = result["pairs"][0]
    assert {top["a"], top["b"]} == {"partial", SOURCE}
    assert top["risk_level"] in ("MODERATE", "HIGH")
    assert top["ci95"][0] > result["pairs"][1]["mean_similarity"]
    flagged = {
        case["task_id"]
        for case in result["flagged"]
        if {case["a"], case["b"]} == {"partial", SOURCE}
    }
    assert len(flagged & copied) >= 0.4 * len(copied)
    # The rest are tasks where the host model itself wrote the source's solution.
    assert len(flagged - copied) <= 0.15 * len(flagged)
