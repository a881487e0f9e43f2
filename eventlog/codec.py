"""The one codec between events and the bytes stored in a log.

Contract:

* ``encode(event)`` gives dict-style JSON (an object keyed by field name, with
  the ``kind`` tag), so a log stays readable as the schema grows;
* the store-assigned ``seq`` is not part of the payload: the store keeps it
  beside the payload and :func:`decode` puts it back;
* ``decode`` accepts exactly the union :data:`AnyEvent`; an unknown ``kind``
  or a malformed payload raises :class:`LogFormatError`, never a msgspec error;
* ``encode`` refuses, with a ``ValueError``, an event whose payload ``decode``
  would reject (a field of the wrong type, a NaN or infinite ``float``, which
  JSON can only write as ``null``): such an event would make every later read
  of the log fail, so it never reaches a log.

The encoder and decoder are built once and reused (msgspec's fast path).
"""

from __future__ import annotations

import typing

import msgspec

from .errors import LogFormatError
from .events import AnyEvent, Event

__all__ = ["decode", "encode"]

_ENCODER = msgspec.json.Encoder()
_DECODER: msgspec.json.Decoder[Event] = msgspec.json.Decoder(AnyEvent)
_replace = msgspec.structs.replace

# Encoded with seq=0, the envelope's seq always appears as exactly these bytes.
# It is also the first occurrence of them as long as only the tag and scalar
# envelope fields (JSON strings, where every '"' is escaped so ',"' cannot occur,
# and numbers) come before it; _SEQ_FIRST checks that, once, against the schema.
_SEQ_FIELD = b',"seq":0'


def _only_scalars_before_seq() -> bool:
    hints = typing.get_type_hints(Event)
    names = Event.__struct_fields__
    return all(hints[name] in (str, int, float, bool) for name in names[: names.index("seq")])


_SEQ_FIRST = _only_scalars_before_seq()


def encode(event: Event) -> bytes:
    """Encode ``event`` as dict-style JSON bytes, without its ``seq``.

    A lone surrogate in any text (valid in the JSON a model or a file gave us,
    never in UTF-8) is stored as its escape, ``\\ud800``, rather than refused.
    Raises ValueError when the payload would not decode (see the module docstring).
    """
    try:
        if not _SEQ_FIRST:  # the envelope grew a container before seq: take the slow, sure path
            payload = _encode_fields(msgspec.to_builtins(event))
        else:
            if event.seq:
                event = _replace(event, seq=0)
            payload = _ENCODER.encode(event).replace(_SEQ_FIELD, b"", 1)
    except UnicodeEncodeError:
        payload = _encode_fields(_escape_surrogates(msgspec.to_builtins(event)))
    # Structs do not check their field types when built: decode once to keep the log readable.
    try:
        _DECODER.decode(payload)
    except msgspec.ValidationError as exc:
        reason = str(exc).splitlines()[0]
        tag = event.__struct_config__.tag
        raise ValueError(f"cannot store {tag} event {event.key!r}: {reason}") from None
    return payload


def _encode_fields(fields: dict[str, typing.Any]) -> bytes:
    del fields["seq"]
    return _ENCODER.encode(fields)


def _escape_surrogates(value: typing.Any) -> typing.Any:
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_escape_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {_escape_surrogates(k): _escape_surrogates(v) for k, v in value.items()}
    return value


def decode(payload: bytes, seq: int = 0) -> Event:
    """Decode one payload into its event type, with ``seq`` set.

    Raises LogFormatError when the payload is not JSON, its ``kind`` is unknown,
    or a field does not match the schema.
    """
    try:
        event = _DECODER.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LogFormatError(f"undecodable event payload (seq {seq}): {reason}") from None
    return _replace(event, seq=seq) if seq else event
