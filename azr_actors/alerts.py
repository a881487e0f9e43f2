"""Alert rules: pure checks of a folded run against thresholds, and the watcher that raises them.

:func:`evaluate` reads a :class:`RunState` and returns the conditions that hold
now, as :class:`Finding` values; nothing here does I/O or reads a clock.
:class:`AlertWatcher` turns new findings into ``Alert`` events for the monitor
to append, each with an idempotency key that names the condition
(``alert:<what>[:<subject>]``), so a condition is raised once per run, and a
resumed run, whose log already holds the alert, does not raise it again.

The rules (each has a field in :class:`AlertThresholds`):

* ``disk_low``: free disk under the run's folder below ``min_disk_free_mb``;
* ``memory_low``: available memory below ``min_mem_available_mb``;
* ``memory_leak``: the process tree's resident memory grows steadily across the
  last ``leak_window`` resource samples: a least-squares slope above
  ``leak_mb_per_min``, significant (p < ``leak_alpha``), and total growth over
  the window above ``leak_min_growth_mb``;
* ``error_rate``: a model's share of failed generations above
  ``max_error_rate`` (once it has ``min_requests`` requests);
* ``retry_rate``: a model's provider retries per request above
  ``max_retry_rate`` (same minimum);
* ``p95_latency``: a model's p95 latency above ``max_p95_ms`` (the 500 ms bar),
  on its code generations and on each latency scenario.

A finding is ``critical`` when the value is past the threshold by
``critical_factor`` (half the free space, twice the rate), else ``warning``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .eventlog import Alert, ResourceSampled
from .replay import stats
from .replay.projections import RunState, SampleRecord

__all__ = ["AlertThresholds", "AlertWatcher", "Finding", "evaluate", "leak_slope"]


@dataclass(frozen=True)
class AlertThresholds:
    """When each alert fires; the defaults suit a laptop or a small VM."""

    min_disk_free_mb: float = 1024.0
    min_mem_available_mb: float = 512.0
    leak_window: int = 30
    leak_mb_per_min: float = 50.0
    leak_min_growth_mb: float = 200.0
    leak_alpha: float = 0.01
    max_error_rate: float = 0.05
    max_retry_rate: float = 0.2
    min_requests: int = 20
    max_p95_ms: float = 500.0
    critical_factor: float = 2.0

    def __post_init__(self) -> None:
        for name in ("min_disk_free_mb", "min_mem_available_mb", "leak_mb_per_min", "leak_min_growth_mb",
                     "leak_alpha", "max_error_rate", "max_retry_rate", "max_p95_ms", "critical_factor"):
            if math.isnan(getattr(self, name)):  # NaN passes every `< 0` check and then fires every rule
                raise ValueError(f"{name} must be a number, got nan")
        for name in ("min_disk_free_mb", "min_mem_available_mb", "leak_mb_per_min", "leak_min_growth_mb", "max_p95_ms"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        for name in ("max_error_rate", "max_retry_rate"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")
        if not 0.0 < self.leak_alpha < 1.0:
            raise ValueError(f"leak_alpha must be in (0, 1), got {self.leak_alpha}")
        if self.leak_window < 3:
            raise ValueError(f"leak_window must be >= 3, got {self.leak_window}")
        if self.min_requests < 1:
            raise ValueError(f"min_requests must be >= 1, got {self.min_requests}")
        if self.critical_factor < 1.0:
            raise ValueError(f"critical_factor must be >= 1, got {self.critical_factor}")


@dataclass(frozen=True)
class Finding:
    """A condition that holds now: ``key`` names it, ``value`` crossed ``threshold``."""

    key: str
    level: str
    what: str
    message: str
    value: float
    threshold: float


def _below(key: str, what: str, value: float, threshold: float, unit: str, label: str, t: AlertThresholds) -> Finding | None:
    if value >= threshold:
        return None
    level = "critical" if value * t.critical_factor < threshold else "warning"
    return Finding(key, level, what, f"{label} {value:.0f} {unit}, below {threshold:.0f} {unit}", value, threshold)


def _above(key: str, what: str, value: float, threshold: float, message: str, t: AlertThresholds) -> Finding | None:
    if value <= threshold:
        return None
    level = "critical" if value > threshold * t.critical_factor else "warning"
    return Finding(key, level, what, message, value, threshold)


def leak_slope(samples: Sequence[ResourceSampled]) -> tuple[float, float, float]:
    """(slope in MB per minute, its p-value, growth in MB) of resident memory over ``samples``.

    A least-squares line over (ts, rss_mb); ``(0.0, 1.0, 0.0)`` when fewer than
    three samples or no spread in time.
    """
    if len(samples) < 3:
        return 0.0, 1.0, 0.0
    ts = np.array([s.ts for s in samples], dtype=float)
    rss = np.array([s.rss_mb for s in samples], dtype=float)
    if np.ptp(ts) <= 0:
        return 0.0, 1.0, 0.0
    if np.ptp(rss) == 0:
        return 0.0, 1.0, 0.0
    fit = stats.scipy_stats().linregress(ts, rss)
    slope_per_min = float(fit.slope) * 60.0
    p_value = float(fit.pvalue) if np.isfinite(fit.pvalue) else 1.0
    return slope_per_min, p_value, float(rss[-1] - rss[0])


def _resource_findings(state: RunState, t: AlertThresholds) -> list[Finding]:
    if not state.resources:
        return []
    last = state.resources[-1]
    found = [
        _below("alert:disk_low", "disk_low", last.disk_free_mb, t.min_disk_free_mb, "MB", "free disk under the run's folder", t),
        _below("alert:memory_low", "memory_low", last.mem_available_mb, t.min_mem_available_mb, "MB", "available memory", t),
    ]
    window = state.resources[-t.leak_window :]
    if len(window) >= t.leak_window:
        slope, p_value, growth = leak_slope(window)
        if slope > t.leak_mb_per_min and p_value < t.leak_alpha and growth > t.leak_min_growth_mb:
            found.append(
                _above(
                    "alert:memory_leak",
                    "memory_leak",
                    slope,
                    t.leak_mb_per_min,
                    f"resident memory grows {slope:.0f} MB/min over the last {len(window)} samples (+{growth:.0f} MB)",
                    t,
                )
            )
    return [f for f in found if f is not None]


def _requested(s: SampleRecord) -> bool:
    """Whether the sample's request ended: generated (text, timestamp or verdict) or failed."""
    return bool(s.failed or s.generated_ts or s.raw or s.passed is not None)


def _model_findings(state: RunState, t: AlertThresholds) -> list[Finding]:
    found: list[Finding | None] = []
    for model in sorted(state.tasks):
        samples = [s for r in state.tasks[model].values() for s in r.samples.values()]
        failed = sum(1 for s in samples if s.failed)
        requests = sum(1 for s in samples if _requested(s))
        if requests >= t.min_requests:
            rate = failed / requests
            found.append(
                _above(f"alert:error_rate:{model}", "error_rate", rate, t.max_error_rate,
                       f"{model}: {failed} of {requests} generations failed ({rate:.1%})", t)
            )
            retries = state.retries.get(model, 0)
            found.append(
                _above(f"alert:retry_rate:{model}", "retry_rate", retries / requests, t.max_retry_rate,
                       f"{model}: {retries} provider retries over {requests} requests", t)
            )
        latencies = [s.total_ms for s in samples if s.total_ms is not None]
        if len(latencies) >= t.min_requests:
            p95 = stats.percentile(latencies, 95)
            found.append(
                _above(f"alert:p95_latency:{model}", "p95_latency", p95, t.max_p95_ms,
                       f"{model}: generation p95 {p95:.0f} ms is over the {t.max_p95_ms:.0f} ms bar", t)
            )
    scenarios: dict[tuple[str, str], list[float]] = {}
    for record in state.latency:
        if record.total_ms is not None and not record.error:
            scenarios.setdefault((record.model, record.scenario), []).append(record.total_ms)
    for (model, scenario), values in sorted(scenarios.items()):
        if len(values) >= min(t.min_requests, 20):
            p95 = stats.percentile(values, 95)
            found.append(
                _above(f"alert:p95_latency:{model}:{scenario}", "p95_latency", p95, t.max_p95_ms,
                       f"{model}: {scenario} scenario p95 {p95:.0f} ms is over the {t.max_p95_ms:.0f} ms bar", t)
            )
    return [f for f in found if f is not None]


def evaluate(state: RunState, thresholds: AlertThresholds | None = None) -> list[Finding]:
    """Every alert condition that holds for ``state`` now, ordered by key (pure)."""
    t = thresholds or AlertThresholds()
    return sorted(_resource_findings(state, t) + _model_findings(state, t), key=lambda f: f.key)


class AlertWatcher:
    """Raises each alert condition once: call :meth:`check` on every monitor tick.

    It remembers the keys it raised and skips keys already in the log
    (``state.alerts``), so appending what it returns is safe on resume too.
    """

    def __init__(self, thresholds: AlertThresholds | None = None, *, run_id: str = "", actor: str = "monitor") -> None:
        self.thresholds = thresholds or AlertThresholds()
        self.run_id = run_id
        self.actor = actor
        self._raised: set[str] = set()

    @property
    def raised(self) -> frozenset[str]:
        """Keys raised so far by this watcher."""
        return frozenset(self._raised)

    def check(self, state: RunState, *, now: float) -> list[Alert]:
        """New ``Alert`` events (not raised before, not in the log) for the conditions holding in ``state``."""
        logged = {a.key for a in state.alerts}
        new: list[Alert] = []
        for f in evaluate(state, self.thresholds):
            if f.key in self._raised or f.key in logged:
                continue
            self._raised.add(f.key)
            new.append(
                Alert(key=f.key, run_id=self.run_id or (state.run.run_id if state.run else ""), actor=self.actor,
                      ts=now, level=f.level, what=f.what, message=f.message,
                      value=round(f.value, 3), threshold=f.threshold)
            )
        return new
