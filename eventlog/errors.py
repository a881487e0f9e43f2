"""Errors raised by the event log.

One root, a small hierarchy::

    LogError                  anything the event log refuses or cannot do
    ├── LogFormatError        the file (or a payload in it) is not an azr-actors event log:
    │                         a foreign SQLite database, not SQLite at all, empty or corrupt
    ├── LogVersionError       the log was written by a newer schema version than this code reads
    ├── LogNotFoundError      the log does not exist and the caller did not ask to create it
    └── LogReadOnlyError      an append on a log opened read-only

Messages are one line and name the log's location where there is one, so the
CLI can print ``str(error)`` as its one-line reason without a traceback.
"""

from __future__ import annotations

__all__ = [
    "LogError",
    "LogFormatError",
    "LogNotFoundError",
    "LogReadOnlyError",
    "LogVersionError",
]


class LogError(Exception):
    """Root of every error the event log raises."""


class LogFormatError(LogError):
    """Not an azr-actors event log: foreign SQLite file, not SQLite, empty, corrupt, bad payload."""


class LogVersionError(LogError):
    """The log was written by a newer schema version than this code understands."""


class LogNotFoundError(LogError):
    """The log does not exist and it was opened without ``create=True`` (or read-only)."""


class LogReadOnlyError(LogError):
    """An append was attempted on a log opened read-only."""
