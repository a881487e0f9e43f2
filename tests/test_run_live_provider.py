"""`azr run` against a local OpenAI-compatible server that misbehaves: the run completes,
the log records every retry, nothing is lost, and the key never reaches the log."""

from __future__ import annotations

from pathlib import Path

import fault_server as fs  # tests/ is on sys.path (conftest.py)
import pytest

from azr_actors.run import RunConfig, execute

KEY = "sk-live-test-9f8e7d6c5b4a3210SECRET"


async def test_run_survives_rate_limits_errors_and_truncation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("AZR_CACHE_DIR", str(tmp_path / "cache"))
    log = tmp_path / "live.db"
    async with fs.FaultServer(text="```python\ndef f():\n    return 1\n```") as server:
        server.script(fs.Fault("rate_limit", retry_after="0"), "server_error", "truncated", "malformed")
        cfg = RunConfig(models=(f"openai:gpt-4o-mini@{server.url}/v1",), tasks="2", budgets=(1, 2),
                        suites=("code",), log=log, stall_timeout_s=60)
        metrics, _ = await execute(cfg)
        requests = len(server.received)
        # A rerun into a new log is served from the response cache: no request reaches the server.
        rerun = await execute(RunConfig(**{**cfg.__dict__, "log": tmp_path / "rerun.db"}))
        assert len(server.received) == requests
    pm = metrics["per_model"]["gpt-4o-mini"]
    assert metrics["tasks"] == 2 and metrics["simulated"] is False
    assert sum(pm["pass_at_k_tasks"].values()) >= 2
    assert metrics["retries"]["gpt-4o-mini"] >= 4
    assert requests >= 4 + 2  # the four faults were retried, and every sample was answered
    assert KEY.encode() not in log.read_bytes()
    for extra in tmp_path.glob("live.db*"):
        assert KEY.encode() not in extra.read_bytes()

    assert rerun[0]["per_model"]["gpt-4o-mini"]["cost"]["cached"] == pm["cost"]["samples"]
