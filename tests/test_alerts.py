"""Alert rules over folded states, and the watcher's once-per-condition contract."""

from __future__ import annotations

import subprocess
import sys

import pytest
from azr_actors.eventlog import (
    Alert,
    Event,
    GenerationFailed,
    LatencyRecorded,
    ModelInfo,
    ProviderRetried,
    ResourceSampled,
    RunStarted,
    SampleGenerated,
)
from azr_actors.replay.projections import RunState, fold

from azr_actors.alerts import AlertThresholds, AlertWatcher, evaluate, leak_slope

T0 = 1_700_000_000.0


def _run() -> RunStarted:
    return RunStarted(key="run", run_id="run-a", ts=T0, seed=0, models=[ModelInfo(name="m", spec="sim:m", provider="sim")],
                      tasks=["HumanEval/0"], budgets=[1], suites=["code"])


def _resources(rss: list[float], *, mem: float = 8000.0, disk: float = 50_000.0, dt: float = 2.0) -> list[Event]:
    return [
        ResourceSampled(key=f"res:{i}", ts=T0 + i * dt, cpu_percent=10.0, rss_mb=value, mem_available_mb=mem, disk_free_mb=disk)
        for i, value in enumerate(rss)
    ]


def _generations(n: int, *, total_ms: float = 100.0, failed: int = 0, retries: int = 0) -> list[Event]:
    out: list[Event] = []
    for i in range(n):
        if i < failed:
            out.append(GenerationFailed(key=f"fail:{i}", task_id=f"HumanEval/{i}", model="m", sample_idx=0, error="server_error: 500"))
        else:
            out.append(SampleGenerated(key=f"gen:{i}", ts=T0 + i, task_id=f"HumanEval/{i}", model="m", sample_idx=0,
                                       raw="x", code="x", total_ms=total_ms))
    out += [ProviderRetried(key=f"retry:{i}", model="m", task_id="HumanEval/0", sample_idx=0, attempt=i + 1,
                            reason="rate_limited", delay_s=1.0) for i in range(retries)]
    return out


def _state(*events: Event) -> RunState:
    return fold([_run(), *events])


def _whats(state: RunState, thresholds: AlertThresholds | None = None) -> dict[str, str]:
    return {f.key: f.level for f in evaluate(state, thresholds)}


def test_a_healthy_run_raises_nothing() -> None:
    assert evaluate(_state(*_resources([200.0] * 40), *_generations(30))) == []


def test_low_disk_and_memory_are_warnings_then_critical() -> None:
    t = AlertThresholds(min_disk_free_mb=1000.0, min_mem_available_mb=500.0)
    warn = _whats(_state(*_resources([200.0], mem=400.0, disk=800.0)), t)
    assert warn == {"alert:disk_low": "warning", "alert:memory_low": "warning"}
    crit = _whats(_state(*_resources([200.0], mem=100.0, disk=100.0)), t)
    assert crit == {"alert:disk_low": "critical", "alert:memory_low": "critical"}


def test_a_steady_memory_climb_is_a_leak_but_noise_is_not() -> None:
    climbing = [200.0 + 5.0 * i for i in range(30)]  # 5 MB every 2 s = 150 MB/min, +145 MB
    found = {f.what: f for f in evaluate(_state(*_resources(climbing)), AlertThresholds(leak_min_growth_mb=100.0))}
    assert "memory_leak" in found and found["memory_leak"].value == pytest.approx(150.0)
    wobble = [200.0 + (40.0 if i % 2 else -40.0) for i in range(30)]
    assert "memory_leak" not in {f.what for f in evaluate(_state(*_resources(wobble)))}
    short = [200.0 + 50.0 * i for i in range(10)]  # fewer samples than the window: no verdict yet
    assert "memory_leak" not in {f.what for f in evaluate(_state(*_resources(short)))}


def test_leak_slope_of_flat_and_tiny_series() -> None:
    assert leak_slope([]) == (0.0, 1.0, 0.0)
    flat = [e for e in _resources([300.0] * 5) if isinstance(e, ResourceSampled)]
    assert leak_slope(flat) == (0.0, 1.0, 0.0)


def test_error_and_retry_rates_wait_for_enough_requests() -> None:
    assert _whats(_state(*_generations(10, failed=5, retries=10))) == {}
    found = _whats(_state(*_generations(40, failed=4, retries=20)))
    assert found == {"alert:error_rate:m": "warning", "alert:retry_rate:m": "critical"}


def test_p95_over_the_bar_on_generations_and_scenarios() -> None:
    slow = [LatencyRecorded(key=f"lat:{i}", scenario="normal", model="m", request_idx=i, total_ms=900.0) for i in range(20)]
    found = _whats(_state(*_generations(25, total_ms=700.0), *slow))
    assert set(found) == {"alert:p95_latency:m", "alert:p95_latency:m:normal"}
    assert _whats(_state(*_generations(25, total_ms=700.0)), AlertThresholds(max_p95_ms=800.0)) == {}


def test_watcher_raises_each_condition_once_and_skips_logged_ones() -> None:
    state = _state(*_resources([200.0], disk=10.0))
    watcher = AlertWatcher(run_id="run-a")
    first = watcher.check(state, now=T0 + 5)
    assert [a.key for a in first] == ["alert:disk_low"]
    assert isinstance(first[0], Alert) and first[0].run_id == "run-a" and first[0].ts == T0 + 5
    assert first[0].threshold == AlertThresholds().min_disk_free_mb
    assert watcher.check(state, now=T0 + 6) == []
    assert watcher.raised == frozenset({"alert:disk_low"})
    resumed = fold([first[0]], _state(*_resources([200.0], disk=10.0)))
    assert AlertWatcher().check(resumed, now=T0 + 7) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("min_disk_free_mb", -1.0, "min_disk_free_mb must be >= 0, got -1.0"),
        ("leak_alpha", 1.5, "leak_alpha must be in (0, 1), got 1.5"),
        ("leak_window", 2, "leak_window must be >= 3, got 2"),
        ("min_requests", 0, "min_requests must be >= 1, got 0"),
        ("critical_factor", 0.5, "critical_factor must be >= 1, got 0.5"),
    ],
)
def test_thresholds_are_checked_up_front(field: str, value: float, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        AlertThresholds(**{field: value})  # type: ignore[arg-type]


def test_operator_folds_import_no_io_or_ui_library() -> None:
    modules = ["azr_actors.alerts", "azr_actors.risk", "azr_actors.decide", "azr_actors.estimate", "azr_actors.export"]
    code = (
        f"import sys\nfor m in {modules!r}: __import__(m)\n"
        "print(' '.join(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'aiosqlite', 'matplotlib', 'rich'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == ""
