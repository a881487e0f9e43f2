"""Errors raised by the collusion analysis.

``CollusionError`` is the root. ``SampleFileError`` (also a ``ValueError``) means a
recorded sample file cannot be read as JSON Lines of ``{"task_id", "completion"}``
or ``{"task_id", "solution"}``; its message is one line naming the file and line,
which the CLI prints before exiting with code 2.
"""

from __future__ import annotations

__all__ = ["CollusionError", "SampleFileError"]


class CollusionError(Exception):
    """Root of every error the collusion analysis raises on purpose."""


class SampleFileError(CollusionError, ValueError):
    """A sample file is missing or malformed; the message names the file and line."""
