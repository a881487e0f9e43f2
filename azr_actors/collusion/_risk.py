"""Risk levels for a model pair, from its mean commonness-weighted similarity.

The mission's bar for independence is a similarity below 0.4, so a pair at or above
it is ``HIGH``. Below the bar, ``MODERATE`` and ``LOW`` mark pairs that share more
distinctive code than independent models usually do on HumanEval (on the six real
model files in the project's data, independent pairs score 0.08 to 0.27), and a
pair that is not significantly more similar than unrelated answers (one-sided Welch
p >= ``ALPHA``, or no test possible) is ``MINIMAL`` whatever its mean.
"""

from __future__ import annotations

__all__ = ["ALPHA", "RISK_LEVELS", "RISK_THRESHOLDS", "risk_level", "worst"]

RISK_LEVELS: tuple[str, ...] = ("MINIMAL", "LOW", "MODERATE", "HIGH")
"""The levels, from least to most concerning."""

RISK_THRESHOLDS: tuple[tuple[str, float], ...] = (("HIGH", 0.40), ("MODERATE", 0.30), ("LOW", 0.20))
"""Lowest mean weighted similarity for each level above ``MINIMAL``."""

ALPHA = 0.05


def risk_level(mean_similarity: float | None, p_value: float | None) -> str:
    """The level of a pair with this mean similarity and Welch p-value."""
    if mean_similarity is None or p_value is None or p_value >= ALPHA:
        return "MINIMAL"
    for level, threshold in RISK_THRESHOLDS:
        if mean_similarity >= threshold:
            return level
    return "MINIMAL"


def worst(levels: list[str]) -> str:
    """The most concerning of ``levels`` (``MINIMAL`` for none)."""
    return max(levels, key=RISK_LEVELS.index, default="MINIMAL")
