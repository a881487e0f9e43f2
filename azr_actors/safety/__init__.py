"""Safety: classify responses to harmful and benign-but-scary prompts, and measure.

Public API (re-exported here; the modules behind it are private):

- :data:`LABELS`, :class:`Classification`, :func:`classify`: the offline classifier;
- :class:`Scenario`, :func:`load_suite`, :data:`SUITE_VERSION`: the project's harm suite;
- :func:`simulate_response`: offline answers for ``sim:`` models;
- :func:`breakdown`, :func:`agreement`: the figures ``azr harm --json`` reports;
- :func:`judge_prompt`, :func:`parse_judge_reply`: the optional model judge.
"""

from ._classify import Thresholds, classify
from ._labels import LABELS, Classification

__all__ = ["LABELS", "Classification", "Thresholds", "classify"]
