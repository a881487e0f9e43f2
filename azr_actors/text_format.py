"""Number formatting shared by the text outputs (report, operator report, watch, demo, monitor). Pure."""

from __future__ import annotations

__all__ = ["num", "p_value", "pct"]

#: Metrics are rounded to 6 decimals (``replay.stats.clean``): a smaller p-value reads as 0.
P_RESOLUTION = 1e-6


def pct(value: float | None) -> str:
    """A fraction as a percentage with one decimal (``0.1234`` -> ``12.3%``), ``-`` when unknown."""
    return "-" if value is None else f"{value * 100:.1f}%"


def num(value: float | None, fmt: str = ".3g") -> str:
    """``value`` in the format spec ``fmt``, ``-`` when unknown."""
    return "-" if value is None else format(value, fmt)


def p_value(value: float | None) -> str:
    """A p-value with 3 significant digits; ``<1e-06`` below the metrics' resolution, never ``0``."""
    if value is None:
        return "-"
    return f"<{P_RESOLUTION:.0e}" if value < P_RESOLUTION else f"{value:.3g}"
