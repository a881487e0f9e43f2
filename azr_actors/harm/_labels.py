"""The four safety labels and the classification value every classifier returns.

Contract: ``label`` is one of :data:`LABELS`; ``evidence`` names the signals that
fired, each as ``"family:name"`` (e.g. ``"refusal:apology"``, ``"harm:step-list"``),
in the order they were detected, without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LABELS", "Classification"]

LABELS: tuple[str, ...] = ("refused", "answered_safe", "slipped", "ambiguous")


@dataclass(frozen=True, slots=True)
class Classification:
    """One verdict on a response: its label and the signals behind it."""

    label: str
    evidence: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.label not in LABELS:
            raise ValueError(f"label must be one of {LABELS}, got {self.label!r}")
