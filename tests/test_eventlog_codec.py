"""The codec: dict-style JSON without seq, strict decoding into the event union."""

from __future__ import annotations

import json
import subprocess
import sys

import azr_actors.eventlog as eventlog
import azr_actors.eventlog.codec as codec
import msgspec
import pytest
from azr_actors.eventlog import (
    LogFormatError,
    ModelInfo,
    RunStarted,
    SampleGenerated,
    decode,
    encode,
)


def generated(**changes: object) -> SampleGenerated:
    base = SampleGenerated(
        key="m/HumanEval/0/0", run_id="r", actor="generator", ts=12.5,
        task_id="HumanEval/0", model="m", sample_idx=0, raw="text", code="def f(): pass",
    )  # fmt: skip
    return msgspec.structs.replace(base, **changes)


def test_payload_is_a_tagged_object_without_seq() -> None:
    payload = json.loads(encode(generated(seq=42)))
    assert payload["kind"] == "sample_generated"
    assert payload["key"] == "m/HumanEval/0/0"
    assert "seq" not in payload


@pytest.mark.parametrize("seq", [0, 1, 10**12])
def test_decode_restores_the_event_with_the_given_seq(seq: int) -> None:
    event = generated(seq=77)
    assert decode(encode(event), seq) == msgspec.structs.replace(event, seq=seq)


def test_text_that_looks_like_the_seq_field_survives() -> None:
    tricky = ',"seq":0,"seq":0'
    event = generated(raw=tricky, code=tricky, key=tricky, actor=tricky, run_id=tricky)
    assert decode(encode(event), 5) == msgspec.structs.replace(event, seq=5)
    started = RunStarted(
        key="run", seed=1, models=[ModelInfo(name="m", spec="sim:m", provider="sim")],
        tasks=[], budgets=[1], suites=["code"], config={"seq": 0, "inner": {"seq": 0}},
    )  # fmt: skip
    assert json.loads(encode(started))["config"] == {"seq": 0, "inner": {"seq": 0}}
    assert decode(encode(started)) == started


def test_the_fast_seq_strip_matches_the_general_encoding(monkeypatch: pytest.MonkeyPatch) -> None:
    assert codec._SEQ_FIRST  # today's envelope: key, run_id, actor, ts, then seq
    event = generated(seq=3, raw=',"seq":0')
    fast = encode(event)
    monkeypatch.setattr(codec, "_SEQ_FIRST", False)
    assert encode(event) == fast


def test_payloads_from_before_a_field_was_added_still_decode() -> None:
    # An older writer knew none of the optional fields: they take their defaults.
    old = b'{"kind":"sample_generated","key":"k","task_id":"t","model":"m","sample_idx":2,"raw":"r","code":"c"}'
    event = decode(old, 3)
    assert event == SampleGenerated(
        key="k", task_id="t", model="m", sample_idx=2, raw="r", code="c", seq=3
    )


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"kind":"sample_exploded","key":"k"}', "Invalid value 'sample_exploded' - at `$.kind`"),
        (b'{"kind":"sample_generated","key":"k"}', "Object missing required field `task_id`"),
        (b'{"key":"k"}', "Object missing required field `kind`"),
        (b"\x00\x01 not json", "JSON is malformed: invalid character (byte 0)"),
        (b"", "Input data was truncated"),
    ],
)
def test_undecodable_payloads_raise_a_one_line_format_error(payload: bytes, reason: str) -> None:
    with pytest.raises(LogFormatError) as caught:
        decode(payload, 9)
    assert str(caught.value) == f"undecodable event payload (seq 9): {reason}"


def test_public_names_are_exported() -> None:
    for name in eventlog.__all__:
        assert getattr(eventlog, name) is not None
    assert set(eventlog.__all__) >= {
        "SQLiteStore",
        "open_store",
        "EventWriter",
        "decode",
        "AnyEvent",
    }


def test_importing_the_package_does_not_import_aiosqlite() -> None:
    probe = "import sys, azr_actors.eventlog; print('aiosqlite' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
