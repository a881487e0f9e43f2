"""Messages the event worker posts to the app."""

from __future__ import annotations

from textual.message import Message

__all__ = ["Folded", "SourceEnded"]


class Folded(Message):
    """More events were folded; the newest seq is ``last_seq``. Consecutive ones merge."""

    def __init__(self, last_seq: int) -> None:
        super().__init__()
        self.last_seq = last_seq

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Folded)


class SourceEnded(Message):
    """The source played its last event (replays only)."""
