"""Number formatting shared by the text outputs (report, operator report, watch, demo, monitor). Pure."""

from __future__ import annotations

__all__ = ["num", "pct"]


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (``0.1234`` -> ``12.3%``), ``-`` when unknown."""
    return "-" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, fmt: str = ".3g") -> str:
    """``value`` in the format spec ``fmt``, ``-`` when unknown."""
    return "-" if value is None else format(value, fmt)
