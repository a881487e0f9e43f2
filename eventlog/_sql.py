"""What the SQL backends (SQLite, PostgreSQL) share: one event's row, and the check of a log's meta.

A row is ``(key, kind, run_id, task_id, model, ts, payload)`` in that order
(:data:`ROW_COLUMNS`); ``task_id`` and ``model`` are query columns, ``None``
for event types without them; ``payload`` is the codec's encoding. The backend
assigns ``seq``.
"""

from __future__ import annotations

from .codec import encode
from .errors import LogFormatError, LogVersionError
from .events import Event
from .store import APP_NAME, SCHEMA_VERSION

__all__ = ["ROW_COLUMNS", "Row", "check_meta", "event_row"]

ROW_COLUMNS = ("key", "kind", "run_id", "task_id", "model", "ts", "payload")
Row = tuple[str, str, str, str | None, str | None, float, bytes]

# Per event type: its tag, and whether it has the task_id and model query columns.
_COLUMNS: dict[type, tuple[str, bool, bool]] = {}


def event_row(event: Event) -> Row:
    """The stored row of ``event``; a ``TypeError`` for anything that is not an Event."""
    cls = type(event)
    columns = _COLUMNS.get(cls)
    if columns is None:
        if not isinstance(event, Event):
            raise TypeError(f"expected an Event, got {cls.__name__}")
        names = event.__struct_fields__
        tag = event.__struct_config__.tag
        columns = _COLUMNS[cls] = (str(tag), "task_id" in names, "model" in names)
    kind, has_task, has_model = columns
    return (
        event.key,
        kind,
        event.run_id,
        getattr(event, "task_id") if has_task else None,  # noqa: B009
        getattr(event, "model") if has_model else None,  # noqa: B009
        event.ts,
        encode(event),
    )


def check_meta(meta: dict[str, str], where: str, foreign: LogFormatError) -> int:
    """The schema version a log's meta table declares.

    Raises ``foreign`` when the meta is not azr-actors', :class:`LogFormatError`
    for an unreadable version and :class:`LogVersionError` for one newer than
    this code reads; ``where`` names the log in those messages.
    """
    if meta.get("app") != APP_NAME:
        raise foreign
    try:
        version = int(meta.get("schema_version", ""))
    except ValueError:
        raise LogFormatError(
            f"{where} has an unreadable schema_version {meta.get('schema_version')!r}"
        ) from None
    if version > SCHEMA_VERSION:
        raise LogVersionError(
            f"{where} was written by event-log schema version {version}; this azr-actors reads"
            f" up to version {SCHEMA_VERSION}: upgrade azr-actors to open it"
        )
    return version
