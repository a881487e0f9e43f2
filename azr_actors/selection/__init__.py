"""The judge's selection logic, as pure functions over visible evidence.

* :func:`plan_evidence` reads a task's prompt and returns the calls to run every
  sample on: the docstring's examples (with their shown outputs) and inputs
  derived from them by type-aware mutation.
  Tests the model wrote may be added (``model_tests=``) for CodeT-style dual
  agreement.
* :func:`select` takes each sample's outputs on those calls and picks one:
  docstring filter, then clusters by identical outputs ranked by dual agreement
  with model tests (if any) and consensus, with seeded tie-breaks; its
  ``confident`` flag is the early-stop signal.

Only visible evidence enters: the prompt, the samples' code and their outputs
on the judge's own probes. Nothing here reads the benchmark's tests, canonical
solutions or hidden verdicts.
"""

from ._compare import canonical_output, expected_matches
from ._examples import Example, parse_examples, parse_model_tests
from ._plan import MODEL_TEST, EvidencePlan, plan_evidence
from ._select import Candidate, Selection, select
from ._stop import StopRule, decide_stop

__all__ = [
    "MODEL_TEST",
    "Candidate",
    "EvidencePlan",
    "Example",
    "Selection",
    "StopRule",
    "canonical_output",
    "decide_stop",
    "expected_matches",
    "parse_examples",
    "parse_model_tests",
    "plan_evidence",
    "select",
]
