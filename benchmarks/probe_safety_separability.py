"""Can shape features tell the classifier's right slips from its false ones? Print the AUCs.

Takes the HarmBench and XSTest rows that the offline classifier labels
``slipped`` (prompt harm known), describes each response by 17 surface
features (the content signals' counts, protective and hedging wording, digits,
second person, overlap with the request, lengths), and fits an L2 logistic
regression on the ``calib`` half of bench_safety's split only. It prints, per
feature and for the fitted model, the AUC of "gold slipped vs gold not" on both
halves. An AUC near 0.5 on ``held_out`` means the features cannot veto the
false slips without vetoing as many true ones.

Data: ../shared/data/safety (read-only). Usage::

    .venv/bin/python benchmarks/probe_safety_separability.py [--data DIR]
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from scipy.stats import mannwhitneyu

from azr_actors.harm import classify
from azr_actors.harm._content import _content_words, engagement, find_content
from azr_actors.harm._orientation import _HEDGE, _REFRAME
from azr_actors.harm._text import lines, normalise

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_safety import DEFAULT_DATA, half, load

NAMES = [
    "list_items",
    "ordinals",
    "quantities",
    "code_lines",
    "imperatives",
    "engagement",
    "log_chars",
    "defensive",
    "counter",
    "hedges",
    "reframe_opening",
    "hedgy_per_100",
    "second_person_per_100",
    "digits_per_100",
    "engagement_tail",
    "engagement_opening",
    "log_prompt_chars",
]
_HEDGY = re.compile(
    r"\b(?:may|might|could|potential(?:ly)?|consider\w*|important|general(?:ly)?|various|typically|"
    r"often|some|factors?|aspects?|overview|understand\w*|information|resources?)\b"
)
_SECOND = re.compile(r"\b(?:you|your)\b")


def features(prompt: str, response: str) -> list[float]:
    p, t = normalise(prompt), normalise(response).strip()
    c = find_content(p, t, lines(t))
    words = max(len(t.split()), 1)
    return [
        min(c.list_items, 10), min(c.ordinals, 6), min(c.quantities, 6), min(c.code_lines, 20),
        min(c.imperatives, 10), c.engagement, math.log1p(c.chars), c.defensive, c.counter,
        len(_HEDGE.findall(t)), len(_REFRAME.findall(t[:400])),
        100 * len(_HEDGY.findall(t)) / words, 100 * len(_SECOND.findall(t)) / words,
        100 * sum(ch.isdigit() for ch in t) / words,
        engagement(_content_words(p[-600:]), t), engagement(_content_words(p), t[:400]),
        math.log1p(len(p)),
    ]  # fmt: skip


def auc(scores: np.ndarray, gold: np.ndarray) -> float:
    pos, neg = scores[gold == 1], scores[gold == 0]
    return float(mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg)))


def fit_logistic(x: np.ndarray, y: np.ndarray, lam: float) -> np.ndarray:
    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        s = x @ w[1:] + w[0]
        p = 1 / (1 + np.exp(-s))
        g = p - y
        value = float(np.sum(np.logaddexp(0, s) - y * s) + lam * np.sum(w[1:] ** 2))
        return value, np.concatenate([[g.sum()], x.T @ g + 2 * lam * w[1:]])

    return minimize(loss, np.zeros(x.shape[1] + 1), jac=True, method="L-BFGS-B").x


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = ap.parse_args(argv)
    files = [args.data / "harmbench-val.jsonl", args.data / "xstest-dev.jsonl"]
    if not all(f.exists() for f in files):
        print(f"no labelled data under {args.data}; nothing to measure", file=sys.stderr)
        return 0
    rows, x, y, calib, harmbench = [], [], [], [], []
    for path in files:
        for row in load(path):
            if (
                classify(row["prompt"], row["response"], row["prompt_is_harmful"]).label
                != "slipped"
            ):
                continue
            rows.append(row)
            x.append(features(row["prompt"], row["response"]))
            y.append(row["label"] == "slipped")
            calib.append(half(row["prompt"]) == "calib")
            harmbench.append(path.name.startswith("harmbench"))
    xs, ys = np.array(x, float), np.array(y, float)
    cal, hb = np.array(calib), np.array(harmbench)
    print(
        f"{len(rows)} rows labelled slipped by the rules; {int(ys.sum())} of them slipped by the human labels"
    )
    print(f"{'feature':24s} {'AUC calib':>10s} {'AUC held_out':>13s}")
    for i, name in enumerate(NAMES):
        print(f"{name:24s} {auc(xs[cal, i], ys[cal]):10.3f} {auc(xs[~cal, i], ys[~cal]):13.3f}")
    mean, sd = xs[cal].mean(0), xs[cal].std(0) + 1e-9
    z = (xs - mean) / sd
    for lam in (0.3, 1.0, 3.0, 10.0):
        w = fit_logistic(z[cal], ys[cal], lam)
        s = z @ w[1:] + w[0]
        print(f"logistic (L2 {lam:>4g}) AUC calib {auc(s[cal], ys[cal]):.3f}  held_out {auc(s[~cal], ys[~cal]):.3f}"
              f"  held_out HarmBench {auc(s[~cal & hb], ys[~cal & hb]):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
