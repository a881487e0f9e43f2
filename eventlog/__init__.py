"""The append-only event log: event types, codec, stores and the single writer.

Importing this package (or ``azr_actors.eventlog.events``) does not import
aiosqlite: ``SQLiteStore`` and ``open_store`` are loaded on first use, so the
pure layers (events, projections) stay free of I/O dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .codec import decode, encode
from .errors import LogError, LogFormatError, LogNotFoundError, LogReadOnlyError, LogVersionError
from .events import (
    ActorFailed,
    Alert,
    AnyEvent,
    CollusionAnalyzed,
    Event,
    EvidencePlanned,
    GenerationFailed,
    HarmResponseGenerated,
    HiddenVerdictPosted,
    LatencyRecorded,
    ModelInfo,
    ProviderRetried,
    ResourceSampled,
    RunDecided,
    RunFinished,
    RunStarted,
    SafetyClassified,
    SampleGenerated,
    SampleRequested,
    SelectionMade,
    TaskScheduled,
    TestsWritten,
    VisibleVerdictPosted,
    event_types,
)
from .store import SCHEMA_VERSION, EventStore, MemoryStore, printable_location
from .writer import EventWriter, WriterStats

if TYPE_CHECKING:
    from .sqlite import SQLiteStore, open_store

__all__ = [
    "SCHEMA_VERSION",
    "ActorFailed",
    "Alert",
    "AnyEvent",
    "CollusionAnalyzed",
    "Event",
    "EventStore",
    "EventWriter",
    "EvidencePlanned",
    "GenerationFailed",
    "HarmResponseGenerated",
    "HiddenVerdictPosted",
    "LatencyRecorded",
    "LogError",
    "LogFormatError",
    "LogNotFoundError",
    "LogReadOnlyError",
    "LogVersionError",
    "MemoryStore",
    "ModelInfo",
    "ProviderRetried",
    "ResourceSampled",
    "RunDecided",
    "RunFinished",
    "RunStarted",
    "SQLiteStore",
    "SafetyClassified",
    "SampleGenerated",
    "SampleRequested",
    "SelectionMade",
    "TaskScheduled",
    "TestsWritten",
    "VisibleVerdictPosted",
    "WriterStats",
    "decode",
    "encode",
    "event_types",
    "open_store",
    "printable_location",
]

_LAZY = {"SQLiteStore", "open_store"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import sqlite

        return getattr(sqlite, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
