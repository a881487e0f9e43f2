"""Collusion analysis on the real HumanEval files, and on a disguised copy of one.

Prints the pair table (most similar first) for: the six independent models; the six
plus a renamed and reformatted copy of GPT-4's answers; and five of them plus a file
that copies 40% of GPT-4's answers into Llama-3's. Also prints the time each analysis
took. Run from the repository root: ``.venv/bin/python benchmarks/bench_collusion.py``.
The disguise is the one the tests use (tests/test_collusion_realdata.py).
"""

from __future__ import annotations

import importlib.util
import random
import sys
import time
from pathlib import Path
from typing import Any

from azr_actors.collusion import analyze, load_sample_files

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "humaneval-samples"


def _disguise_module() -> Any:
    spec = importlib.util.spec_from_file_location(
        "_disguise", ROOT / "tests" / "test_collusion_realdata.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _table(title: str, answers: dict[str, dict[str, list[str]]]) -> None:
    start = time.perf_counter()
    result = analyze(answers)
    elapsed = time.perf_counter() - start
    print(
        f"\n== {title}: risk {result['risk_level']}, {len(result['flagged'])} flagged, {elapsed:.2f} s"
    )
    print(f"{'a':<40} {'b':<40} {'mean':>6} {'ci95':>15} {'raw':>6} {'flag':>4} risk")
    for pair in result["pairs"]:
        low, high = pair["ci95"]
        print(
            f"{pair['a']:<40} {pair['b']:<40} {pair['mean_similarity']:>6.3f} "
            f"[{low:.3f},{high:.3f}] {pair['mean_raw_similarity']:>6.3f} {pair['flagged_tasks']:>4} "
            f"{pair['risk_level']}"
        )


def main() -> int:
    if not DATA.is_dir():
        print(f"real data not found at {DATA}", file=sys.stderr)
        return 1
    helper = _disguise_module()
    real = load_sample_files(sorted(DATA.glob("*.jsonl")))
    _table("six independent models", real)
    copied = dict(real)
    copied["gpt-4_disguised"] = {
        task: [helper.disguise(s[0])] for task, s in real[helper.SOURCE].items()
    }
    _table("plus a renamed, reformatted copy of gpt-4", copied)
    tasks = sorted(real[helper.HOST])
    chosen = set(random.Random(4).sample(tasks, round(0.4 * len(tasks))))
    partial = {model: answers for model, answers in real.items() if model != helper.HOST}
    partial["llama-3_with_40pct_gpt-4"] = {
        task: [helper.disguise(real[helper.SOURCE][task][0])] if task in chosen else samples
        for task, samples in real[helper.HOST].items()
    }
    _table("llama-3 replaced by a file with 40% of tasks copied from gpt-4", partial)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
