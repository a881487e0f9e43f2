"""The package's error root and the errors the CLI turns into exit codes.

``AzrError`` is the root. ``BadInput`` (exit 2) covers anything the user can fix:
a malformed sample file, an unknown task id, a bad ``--model`` spec or flag, a
log that belongs to another run. Other failures are runtime errors (exit 1).
Log-file problems come from :mod:`azr_actors.eventlog.errors` and are mapped to
exit 2 by the CLI as well.
"""

from __future__ import annotations

__all__ = ["AzrError", "BadInput"]


class AzrError(Exception):
    """Root of every error this package raises on purpose."""


class BadInput(AzrError):
    """The user's input is wrong; the message says what and where, in one line."""
