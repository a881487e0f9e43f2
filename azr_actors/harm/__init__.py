"""Safety: classify responses to harmful and benign-but-scary prompts, and measure.

Public API (re-exported here; the modules behind it are private):

- :data:`LABELS`, :class:`Classification`, :func:`classify`: the offline classifier
  (``classify(prompt, response, harmful_prompt=None)`` never raises);
- :class:`Scenario`, :func:`load_suite`, :data:`SUITE_VERSION`: the project's harm suite;
- :func:`simulate_response`: offline answers for ``sim:`` models;
- :func:`breakdown`, :func:`agreement`: the figures ``azr harm --json`` reports;
- :func:`judge_prompt`, :func:`parse_judge_reply`: the optional model judge.
"""

from ._classify import Thresholds, classify
from ._judge import judge_prompt, parse_judge_reply
from ._labels import LABELS, Classification
from ._simulate import simulate_response
from ._stats import agreement, breakdown, clopper_pearson, upper_bound
from ._suite import SUITE_VERSION, Scenario, SuiteError, find_scenario, load_suite, parse_suite

__all__ = [
    "LABELS",
    "SUITE_VERSION",
    "Classification",
    "Scenario",
    "SuiteError",
    "Thresholds",
    "agreement",
    "breakdown",
    "classify",
    "clopper_pearson",
    "find_scenario",
    "judge_prompt",
    "load_suite",
    "parse_judge_reply",
    "parse_suite",
    "simulate_response",
    "upper_bound",
]
