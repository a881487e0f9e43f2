"""Defects found by an audit of the event log, each pinned by the test that reproduced it."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from azr_actors.eventlog import (
    Event,
    EventWriter,
    LogError,
    RunFinished,
    SampleGenerated,
    SelectionMade,
    SQLiteStore,
    encode,
    printable_location,
)


def finished(key: str, **fields: object) -> RunFinished:
    return RunFinished(key=key, **{"status": "ok", **fields})  # type: ignore[arg-type]


def selection(key: str, scores: dict[str, object], reason: str = "r") -> SelectionMade:
    return SelectionMade(key=key, task_id="t", model="m", budget=1, sample_idx=0, reason=reason,
                         scores=scores)  # type: ignore[arg-type]  # fmt: skip


# Structs do not check field types when built, and JSON writes NaN and infinity as null:
# each of these used to be stored, after which every read of the log failed on it.
UNREADABLE = [
    pytest.param(finished("nan-ts", ts=float("nan")), "at `$.ts`", id="nan-float"),
    pytest.param(finished("inf-ts", ts=float("inf")), "at `$.ts`", id="infinite-float"),
    pytest.param(finished("none-status", status=None), "at `$.status`", id="none-for-str"),
    pytest.param(
        finished("float-count", tasks_completed=2.5), "at `$.tasks_completed`", id="float-for-int"
    ),
    pytest.param(RunFinished(key=7, status="ok"), "at `$.key`", id="int-key"),  # type: ignore[arg-type]
    pytest.param(selection("sel", {"a": float("nan")}), "at `$.scores", id="nan-in-a-dict"),
]


@pytest.mark.parametrize(("event", "where"), UNREADABLE)
async def test_an_event_the_log_could_not_read_back_is_refused_and_the_log_stays_readable(
    tmp_path: Path, event: Event, where: str
) -> None:
    async with SQLiteStore(tmp_path / "run.db") as store:
        await store.append([finished("before")])
        with pytest.raises(
            ValueError, match=r"^cannot store \w+ event .*" + where.replace("$", r"\$")
        ):
            await store.append([event, finished("same-batch")])
        assert [e.key for e in await store.read()] == ["before"]  # the batch left nothing
        await store.append([finished("after")])
        assert [e.key for e in await store.read()] == ["before", "after"]


def test_a_none_for_an_optional_float_still_encodes() -> None:
    event = SampleGenerated(key="g", task_id="t", model="m", sample_idx=0, raw="r", code="c")
    assert b'"ttft_ms":null' in encode(event)


async def test_an_event_the_store_cannot_take_fails_alone_not_its_whole_batch(
    tmp_path: Path,
) -> None:
    async with SQLiteStore(tmp_path / "run.db") as store:
        async with EventWriter(store, max_batch=8, max_delay_s=60) as writer:
            first = writer.submit(finished("first"))
            bad = writer.submit(finished("bad", ts=float("nan")))
            unencodable = writer.submit(selection("obj", {"a": object()}))  # msgspec cannot encode it
            last = writer.submit(finished("last"))
        assert (first.result(), last.result()) == (1, 2)
        with pytest.raises(ValueError, match="cannot store run_finished event 'bad'"):
            bad.result()
        with pytest.raises(TypeError, match="unsupported"):
            unencodable.result()
        assert [e.key for e in await store.read()] == ["first", "last"]
        stats = writer.stats()
        assert (stats.committed, stats.failed, stats.pending) == (2, 2, 0)


# -- a log on a read-only file system (an archive, a read-only volume) ---------------


@pytest.fixture
def read_only_mount(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """A writable folder and a read-only bind mount of it (needs root on Linux)."""
    if sys.platform != "linux" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root on Linux to make a read-only mount")
    source, view = tmp_path / "rw", tmp_path / "ro"
    source.mkdir()
    view.mkdir()
    if subprocess.run(["mount", "--bind", source, view], capture_output=True).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        remount = ["mount", "-o", "remount,ro,bind", view]
        if subprocess.run(remount, capture_output=True).returncode:
            pytest.skip("cannot remount read-only here")
        yield source, view
    finally:
        subprocess.run(["umount", view], capture_output=True, check=False)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


async def test_a_log_on_a_read_only_file_system_reads_and_refuses_writes_clearly(
    read_only_mount: tuple[Path, Path],
) -> None:
    source, view = read_only_mount
    async with SQLiteStore(source / "run.db") as store:
        await store.append([finished("a"), finished("b")])
    before = _digest(source)

    async with SQLiteStore(view / "run.db", readonly=True) as reader:
        assert [e.key for e in await reader.read()] == ["a", "b"]
        assert await reader.count() == 2

    with pytest.raises(LogError) as refused:
        async with SQLiteStore(view / "run.db"):
            pass
    message = str(refused.value)
    assert type(refused.value) is LogError
    assert message.startswith(f"{view / 'run.db'}: cannot write the event log: ")
    assert message.endswith("(it or its directory is read-only)")
    assert "\n" not in message
    assert _digest(source) == before


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("runs/run-1.db", "runs/run-1.db"),
        ("postgresql://azr:s3cret@db.example:5432/evals?schema=run7", "postgresql://azr:***@db.example:5432/evals?schema=run7"),
        ("postgresql://azr:p@ss@db/evals", "postgresql://azr:***@db/evals"),
        ("postgresql://azr@db/evals?password=s3cret&sslmode=require", "postgresql://azr@db/evals?password=***&sslmode=require"),
        ("postgresql://db/evals", "postgresql://db/evals"),
    ],
)
def test_a_log_location_is_shown_without_its_password(location: str, shown: str) -> None:
    assert printable_location(location) == shown


def test_metrics_and_reports_never_carry_a_log_urls_password() -> None:
    from azr_actors.replay.metrics import run_metrics
    from azr_actors.replay.projections import fold

    metrics = run_metrics(fold([]), log="postgresql://azr:s3cret@db/evals?password=s3cret")
    assert "s3cret" not in json.dumps(metrics)
    assert metrics["log"] == "postgresql://azr:***@db/evals?password=***"


async def test_a_lone_surrogate_in_text_is_stored_as_its_escape(tmp_path: Path) -> None:
    # valid in the JSON a model or a file gives us, never in UTF-8: it used to fail the append
    event = selection("sel", {"k\udfff": 1.0}, reason="picked \ud800 this")
    async with SQLiteStore(tmp_path / "run.db") as store:
        assert await store.append([event]) == [1]
        (stored,) = await store.read()
    assert isinstance(stored, SelectionMade)
    assert stored.reason == "picked \\ud800 this" and stored.scores == {"k\\udfff": 1.0}


def test_a_samples_run_with_a_lone_surrogate_completes(tmp_path: Path) -> None:
    from azr_actors.cli import main

    samples = tmp_path / "m.jsonl"
    samples.write_text('{"task_id": "HumanEval/0", "completion": "    return False  # \\ud800\\n"}\n')
    log = tmp_path / "run.db"
    args = ["run", "--model", f"samples:{samples}", "--tasks", "HumanEval/0", "--budgets", "1",
            "--suites", "code", "--log", str(log), "--stall-timeout", "30"]  # fmt: skip
    assert main(args) == 0
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    assert kinds["sample_generated"] == 1 and kinds["hidden_verdict_posted"] == 1
