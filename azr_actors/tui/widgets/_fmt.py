"""Small text formatters the widgets share (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from ...text_format import pct

__all__ = ["bar", "ms", "pct", "seconds", "spark"]

_BLOCKS = " ▁▂▃▄▅▆▇█"


def ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "-"
    minutes, secs = divmod(round(value), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{value:.1f}s"


def bar(fraction: float, width: int) -> str:
    """A progress bar of ``width`` cells."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def spark(values: Sequence[float], width: int | None = None) -> str:
    """A one-line sparkline, scaled to the largest value (the last ``width`` values)."""
    data = list(values)[-width:] if width else list(values)
    top = max(data, default=0)
    if not data or top <= 0:
        return _BLOCKS[0] * len(data)
    return "".join(_BLOCKS[round(v / top * (len(_BLOCKS) - 1))] for v in data)
