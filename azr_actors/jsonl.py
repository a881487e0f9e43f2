"""Reading a user's JSON Lines file: one object per non-blank line, or one clear error.

Every error is a :class:`~azr_actors.errors.BadInput` whose one-line message
names the file, and the 1-based line where a line is at fault, so the CLI can
print it as is and exit 2. Nothing is returned until the whole file has been
read and checked: a caller never acts on half a file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import BadInput

__all__ = ["read_objects"]


def read_objects(
    path: str | Path, *, what: str = "file", errors: str = "strict"
) -> list[tuple[int, dict[str, Any]]]:
    """Each non-blank line of ``path`` as ``(line number, object)``, in file order.

    ``what`` names the file in messages ("no such sample file"); ``errors`` is
    the UTF-8 decoding policy (``"replace"`` where stray bytes are part of the
    data, as in model responses).
    """
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: no such {what}")
    objects: list[tuple[int, dict[str, Any]]] = []
    try:
        # utf-8-sig: a byte-order mark that Windows editors put first is no part of the JSON
        with path.open(encoding="utf-8-sig", errors=errors) as handle:
            for lineno, line in enumerate(handle, 1):
                if line.strip():
                    objects.append((lineno, _parse(path, lineno, line)))
    except UnicodeDecodeError:
        raise BadInput(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read ({exc.strerror})") from None
    if not objects:
        raise BadInput(f"{path}: empty {what} (no JSON lines)")
    return objects


def _parse(path: Path, lineno: int, line: str) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadInput(f"{path}:{lineno}: malformed JSON ({exc.msg})") from None
    except RecursionError:
        raise BadInput(f"{path}:{lineno}: malformed JSON (nested too deeply)") from None
    if not isinstance(value, dict):
        raise BadInput(f"{path}:{lineno}: expected a JSON object")
    return value
