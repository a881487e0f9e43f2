"""Collusion analysis: are several models' answers independent, or copied?

Code is tokenized leniently and normalised (identifiers, literals, formatting,
comments and docstrings do not matter), fingerprinted by winnowed k-grams (MOSS)
and compared together with an AST-shape measure. Shared code counts as evidence
only where other models wrote something else, so a task's one natural solution
is not mistaken for copying. :func:`analyze` returns the ``azr collusion --json``
object; :func:`load_sample_files` reads recorded generations for ``--samples``.

Errors: :class:`CollusionError` is the root; :class:`SampleFileError` (bad sample
file) and :class:`AnalysisError` (nothing to compare, bad threshold) are also
``ValueError`` subclasses, which the CLI reports with exit code 2.
"""

from ._analysis import DEFAULT_FLAG_THRESHOLD, AnalysisError, analyze, task_order
from ._errors import CollusionError, SampleFileError
from ._fingerprint import fingerprint
from ._risk import RISK_LEVELS, RISK_THRESHOLDS
from ._samples import load_sample_files
from ._similarity import similarity
from ._tokens import normalized_tokens

__all__ = [
    "DEFAULT_FLAG_THRESHOLD",
    "RISK_LEVELS",
    "RISK_THRESHOLDS",
    "AnalysisError",
    "CollusionError",
    "SampleFileError",
    "analyze",
    "fingerprint",
    "load_sample_files",
    "normalized_tokens",
    "similarity",
    "task_order",
]
