"""Loading recorded generations for ``azr collusion --samples``.

Each file is a sample file (:mod:`azr_actors.sample_format`), read with the
same checks and messages as everywhere else, except that any task id is
accepted (collusion compares models on whatever tasks they share). The model
is named after the file's stem; two files with the same stem are an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..errors import BadInput
from ..sample_format import read_sample_file
from ._errors import SampleFileError

__all__ = ["load_sample_files"]


def load_sample_files(paths: Sequence[str | Path]) -> dict[str, dict[str, list[str]]]:
    """Read sample files into ``model -> task_id -> [sample 0, sample 1, ...]``.

    Raises :class:`SampleFileError` (a ``ValueError``) for an unreadable file, a
    malformed line, or two files whose stems give the same model name; the
    message names the file, and the 1-based line where a line is at fault.
    """
    models: dict[str, dict[str, list[str]]] = {}
    for raw_path in paths:
        path = Path(raw_path)
        if path.stem in models:
            raise SampleFileError(f"{path}: model name {path.stem!r} is used by another file")
        try:
            models[path.stem] = read_sample_file(path)
        except BadInput as exc:
            raise SampleFileError(str(exc)) from None
    return models
