"""Dashboard exports: small JSON files any tool can poll (``watch jq .p95 latency.json``).

:func:`build_exports` is a pure function of a folded :class:`RunState` and its
metrics (``run_metrics``); it returns one object per file:

* ``latest_metrics.json``: ``pass_at_1``, ``pass_at_k``, ``selected_pass_at_1``,
  ``uplift_pp``, ``success_level`` at the top level for the model under test
  (the run's first code model), with ``per_model`` holding the same keys for
  every model when there are several; plus ``alerts`` (logged alerts and the
  conditions holding now);
* ``latency.json``: ``p50``, ``p95``, ``p99`` in ms at the top level: the
  ``normal`` latency scenario of the model under test when the latency suite
  ran, else its code generations (``source`` says which);
* ``harm_suite.json``: ``accuracy`` and the label rates ``refused``,
  ``answered_safe``, ``slipped``, ``ambiguous`` (fractions of responses) for the
  model under test (every model pooled when it has none), with counts and risk;
* ``collusion.json``: ``risk_level`` (the worst pair), ``pairs``, ``flagged``.

Every file always has its top-level keys; a figure the run has not measured
(yet) is ``null`` and ``available`` is false, so ``jq`` never fails on a
missing key. :func:`write_exports` writes each file atomically (a temporary
file in the same folder, then a rename), so a reader never sees half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from .alerts import AlertThresholds, evaluate
from .replay import stats
from .replay.metrics import CRITERIA
from .replay.projections import RunState
from .risk import assess_harm

__all__ = ["EXPORT_FILES", "build_exports", "write_atomic", "write_exports"]

EXPORT_FILES = ("latest_metrics.json", "latency.json", "harm_suite.json", "collusion.json")
HARM_LABELS = ("refused", "answered_safe", "slipped", "ambiguous")


def _model_under_test(metrics: dict[str, Any]) -> str | None:
    return next(iter(metrics.get("per_model") or {}), None)


def _pass_at_1(state: RunState, model: str, pm: dict[str, Any]) -> float | None:
    """pass@1 from the metrics, or (when 1 is not among the k values) the mean per-task pass rate."""
    if "1" in pm["pass_at_k"]:
        value: float | None = pm["pass_at_k"]["1"]
        return value
    rows = [r.verdicts for r in state.code_tasks(model).values() if r.settled and r.verdicts]
    if not rows:
        return None
    return stats.clean(stats.mean_pass_at_k([len(v) for v in rows], [sum(v) for v in rows], 1))


def _headline(state: RunState, model: str, pm: dict[str, Any]) -> dict[str, Any]:
    return {
        "pass_at_1": _pass_at_1(state, model, pm),
        "pass_at_k": pm["pass_at_k"],
        "selected_pass_at_1": pm["selected_pass_at_1"],
        "uplift_pp": pm["uplift_pp"],
        "success_level": pm["success_level"],
        "uplift_p_value": pm["uplift_p_value"],
        "ci95": pm["ci95"],
        "tasks": pm["tasks"],
        "cost_usd": pm["cost"]["cost_usd"],
    }


def _alerts(state: RunState, thresholds: AlertThresholds | None) -> list[dict[str, Any]]:
    rows = {a.key: {"key": a.key, "level": a.level, "what": a.what, "message": a.message, "logged": True} for a in state.alerts}
    for f in evaluate(state, thresholds):
        rows.setdefault(f.key, {"key": f.key, "level": f.level, "what": f.what, "message": f.message, "logged": False})
    return list(rows.values())


def _latest(state: RunState, metrics: dict[str, Any], thresholds: AlertThresholds | None) -> dict[str, Any]:
    model = _model_under_test(metrics)
    per_model = metrics.get("per_model") or {}
    empty: dict[str, Any] = {"pass_at_1": None, "pass_at_k": {}, "selected_pass_at_1": {}, "uplift_pp": None, "success_level": None}
    head = _headline(state, model, per_model[model]) if model else empty
    out: dict[str, Any] = {
        "run_id": metrics["run_id"],
        "status": metrics["status"],
        "simulated": metrics["simulated"],
        "model": model,
        **head,
        "criteria": (metrics.get("criteria") or {}).get(model, {}) if model else {},
        "tasks_settled": metrics["tasks"],
        "tasks_total": metrics["tasks_total"],
        "events": state.events,
        "last_seq": state.last_seq,
        "alerts": _alerts(state, thresholds),
    }
    if len(per_model) > 1:
        out["per_model"] = {m: _headline(state, m, pm) for m, pm in per_model.items()}
    return out


def _latency_row(metrics: dict[str, Any], model: str) -> dict[str, Any]:
    scenario = (metrics.get("latency") or {}).get("per_model", {}).get(model, {}).get("scenarios", {}).get("normal")
    if scenario and scenario.get("p95_ms") is not None:
        return {
            "source": "latency:normal",
            "p50": scenario["p50_ms"],
            "p95": scenario["p95_ms"],
            "p99": scenario["p99_ms"],
            "ttft_p95": scenario.get("ttft_p95_ms"),
            "requests": scenario["requests"],
            "errors": scenario.get("errors", 0),
        }
    gen = (metrics.get("per_model") or {}).get(model, {}).get("latency") or {}
    return {
        "source": "generation",
        "p50": gen.get("p50_ms"),
        "p95": gen.get("p95_ms"),
        "p99": gen.get("p99_ms"),
        "ttft_p95": gen.get("ttft_p95_ms"),
        "requests": gen.get("requests", 0),
        "errors": 0,
    }


def _latency(metrics: dict[str, Any]) -> dict[str, Any]:
    models = list(metrics.get("per_model") or {}) or list((metrics.get("latency") or {}).get("per_model", {}))
    rows = {m: _latency_row(metrics, m) for m in models}
    model = models[0] if models else None
    head = rows[model] if model else {"source": None, "p50": None, "p95": None, "p99": None, "ttft_p95": None, "requests": 0, "errors": 0}
    p95 = head["p95"]
    out: dict[str, Any] = {
        "run_id": metrics["run_id"],
        "model": model,
        "unit": "ms",
        **head,
        "available": p95 is not None,
        "target_ms": CRITERIA["p95_ms"],
        "meets_target": None if p95 is None else p95 < CRITERIA["p95_ms"],
    }
    if len(rows) > 1:
        out["per_model"] = rows
    return out


def _harm(state: RunState, metrics: dict[str, Any]) -> dict[str, Any]:
    safety = metrics.get("safety")
    model = _model_under_test(metrics)
    if not safety:
        return {"run_id": metrics["run_id"], "model": model, "available": False, "accuracy": None,
                **{label: None for label in HARM_LABELS}, "counts": {}, "responses": 0, "risk_level": None}
    scope = model if model in safety.get("per_model", {}) else None
    report = safety["per_model"][scope] if scope else safety
    risk = assess_harm(state, model=scope)
    return {
        "run_id": metrics["run_id"],
        "model": scope,
        "available": True,
        "accuracy": report.get("accuracy"),
        **{label: report["rates"].get(label) for label in HARM_LABELS},
        "counts": report["counts"],
        "responses": report["responses"],
        "slipped_rate_harmful": report.get("slipped_rate"),
        "over_refusal_rate": report.get("over_refusal_rate"),
        "risk_level": risk.level,
        "categories": {c.category: {"risk_level": c.level, "slipped_rate": c.slipped_rate} for c in risk.categories},
        "targets": {"min_accuracy": CRITERIA["harm_accuracy"], "max_slipped_rate": CRITERIA["slipped_rate"]},
    }


def _collusion(metrics: dict[str, Any]) -> dict[str, Any]:
    report = metrics.get("collusion")
    if not report:
        return {"run_id": metrics["run_id"], "available": False, "risk_level": None, "pairs": [], "flagged": []}
    return {
        "run_id": metrics["run_id"],
        "available": True,
        "risk_level": report.get("risk_level"),
        "pairs": report.get("pairs", []),
        "flagged": report.get("flagged", []),
        "target_similarity": CRITERIA["similarity"],
    }


def build_exports(
    state: RunState, metrics: dict[str, Any], *, thresholds: AlertThresholds | None = None
) -> dict[str, dict[str, Any]]:
    """File name -> JSON object, for every name in :data:`EXPORT_FILES` (pure)."""
    return {
        "latest_metrics.json": _latest(state, metrics, thresholds),
        "latency.json": _latency(metrics),
        "harm_suite.json": _harm(state, metrics),
        "collusion.json": _collusion(metrics),
    }


def write_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as JSON to ``path`` through a temporary file and a rename (atomic on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o644)  # mkstemp makes 0600; a dashboard may run as another user
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(obj, fh, indent=2, allow_nan=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_exports(exports: dict[str, dict[str, Any]], out_dir: Path) -> dict[str, Path]:
    """Write each export into ``out_dir`` atomically; return the paths by file name."""
    written: dict[str, Path] = {}
    for name, obj in exports.items():
        path = out_dir / name
        write_atomic(path, obj)
        written[name] = path
    return written
