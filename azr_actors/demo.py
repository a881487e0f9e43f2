"""``azr demo``: the live-demo fallback, built from a finished log.

:func:`build_flow` is pure: from the folded state and its metrics (the same
``fold``/``run_metrics`` as ``azr metrics``) it derives the nine narrated steps
of the demo (:data:`STEPS`, 38 s in all), each with the log's data behind it.
:func:`render_cast` turns the flow into an asciicast v2 recording (header line,
then ``[time, "o", text]`` lines, 80x24, at most :data:`MAX_S` seconds).
The 15 s cut (:func:`short_flow`), the fallbacks (:func:`build_fallbacks`), the
Q&A sheet (:func:`build_qa`) and the script (:func:`render_script`) live in
:mod:`azr_actors.demo_script` and are re-exported here. :func:`write_demo` writes
``demo.cast``, ``demo-15s.cast``, ``script.md``, ``metadata.json`` and
``flow.json``. Same log, same bytes: nothing reads the wall clock.
"""

from __future__ import annotations

import json
import platform
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .demo_script import (
    SHORT_CAST,
    SHORT_CUT,
    Answer,
    Fallback,
    build_fallbacks,
    build_qa,
    latency_p95,
    render_script,
    short_flow,
    under_test,
)
from .replay.projections import RunState, TaskRecord
from .replay.views import describe, harm_by_model
from .text_format import p_value, pct

__all__ = [
    "MAX_S",
    "SHORT_CAST",
    "SHORT_CUT",
    "STEPS",
    "STEP_KINDS",
    "Answer",
    "Fallback",
    "Step",
    "build_fallbacks",
    "build_flow",
    "build_qa",
    "events_by_step",
    "render_cast",
    "render_script",
    "short_flow",
    "write_demo",
]

#: The longest a recording may last (seconds).
MAX_S = 45.0
WIDTH, HEIGHT = 80, 24

#: (name, title, seconds, narration) of each step, in order.
STEPS: tuple[tuple[str, str, float, str], ...] = (
    (
        "introduction",
        "Introduction",
        5.0,
        "An event-sourced actor system evaluates code generation on HumanEval; every number comes from one append-only log.",
    ),
    (
        "task_selection",
        "Task selection",
        3.0,
        "The run schedules its tasks; we follow one task of the model under test.",
    ),
    (
        "progressive_sampling",
        "Progressive sampling n=1/4/16",
        8.0,
        "The generator samples progressively: one sample, then up to each budget, and stops early when the judge is sure.",
    ),
    (
        "sandboxed_execution",
        "Sandboxed execution",
        5.0,
        "Every sample runs in a sandbox on the hidden tests; these verdicts are for scoring only, the judge never sees them.",
    ),
    (
        "quality_assessment",
        "Quality assessment",
        4.0,
        "The judge runs every sample on visible probes (docstring examples, derived inputs) and scores their agreement.",
    ),
    (
        "best_selection",
        "Best selection",
        3.0,
        "At each budget the judge picks one sample; the pick, not the best of n, is what we score.",
    ),
    (
        "safety_filter",
        "Safety filter",
        3.0,
        "The harm suite labels each response refused, answered safely, slipped or ambiguous.",
    ),
    (
        "results",
        "Results",
        2.0,
        "pass@k, the judge's selected pass@1 per budget, the uplift and its exact McNemar p-value.",
    ),
    (
        "conclusion",
        "Conclusion",
        5.0,
        "The success level follows from the seed's thresholds; replay or `azr metrics` rebuild the same numbers from the log.",
    ),
)


@dataclass(frozen=True)
class Step:
    """One narrated step: when it starts, how long it lasts, what is said, and its data and text lines."""

    name: str
    title: str
    start_s: float
    duration_s: float
    narration: str
    data: dict[str, Any]
    lines: tuple[str, ...]


def _featured(state: RunState) -> TaskRecord | None:
    """The task the demo follows: the first (by model order, then task id) whose first sample
    fails and whose final pick passes; else the first with a passing final pick; else the first."""
    records = [r for m in state.models for _, r in sorted(state.tasks.get(m, {}).items())]

    def passed(r: TaskRecord, idx: int | None) -> bool:
        return idx is not None and bool(r.samples.get(idx) and r.samples[idx].passed)

    def final_idx(r: TaskRecord) -> int | None:
        pick = r.pick_at(max(r.selections)) if r.selections else None
        return pick.sample_idx if pick else None

    rules: list[Callable[[TaskRecord], bool]] = [
        lambda r: not passed(r, 0) and passed(r, final_idx(r)),
        lambda r: passed(r, final_idx(r)),
        lambda r: True,
    ]
    for wanted in rules:
        found = next((r for r in records if wanted(r)), None)
        if found is not None:
            return found
    return None


def _result_line(model: str, r: dict[str, Any], budget: int) -> str:
    uplift = "-" if r["uplift_pp"] is None else f"{r['uplift_pp']:+.1f}pp"
    p = p_value(r["uplift_p_value"])
    return f"{model}: pass@1 {pct(r['pass_at_1'])} judge@{budget} {pct(r['selected_pass_at_1'].get(str(budget)))} uplift {uplift} p={p}"


def _detail_line(r: dict[str, Any], budgets: list[int]) -> str:
    picks = "/".join(
        "-" if (v := r["selected_pass_at_1"].get(str(b))) is None else f"{v * 100:.1f}"
        for b in budgets
    )
    p95 = "-" if r["latency_p95_ms"] is None else f"{r['latency_p95_ms']:.0f} ms"
    return f"  judge@{'/'.join(map(str, budgets))} {picks}%  oracle {pct(r['oracle_pass_at_n'])}  p95 {p95}"


def _collusion_risk(metrics: dict[str, Any], model: str) -> str | None:
    """The worst risk level of the collusion pairs that include ``model`` (None: no analysis)."""
    levels = [
        p.get("risk_level", "MINIMAL")
        for p in metrics.get("collusion", {}).get("pairs", [])
        if model in (p.get("a"), p.get("b"))
    ]
    from .collusion import RISK_LEVELS  # imported here: the analysis package is heavy

    return max(levels, key=lambda v: RISK_LEVELS.index(v) if v in RISK_LEVELS else -1, default=None)


def _rounds(task: TaskRecord, budgets: list[int]) -> list[tuple[int, list[int]]]:
    """(budget, the sample indices first generated for it), for each budget that added samples."""
    out, previous = [], 0
    for b in budgets:
        new = [i for i in sorted(task.samples) if previous <= i < b]
        if new:
            out.append((b, new))
        previous = b
    return out


def _task_steps(
    task: TaskRecord, budgets: list[int], probes: list[str], sandbox: dict[str, Any]
) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """The steps about the featured task: sampling, execution, assessment and selection."""
    rounds = _rounds(task, budgets)
    stop = task.final_selection
    lines = []
    for b, new in rounds:
        times = [t for t in (task.samples[i].total_ms for i in new) if t is not None]
        median = f", median {sorted(times)[len(times) // 2]:.0f} ms" if times else ""
        lines.append(
            f"n={b}: +{len(new)} sample{'s' if len(new) > 1 else ''} (#{new[0]}..#{new[-1]}){median}"
        )
    if stop is not None:
        lines.append(f"stopped at n={stop.budget}: {stop.stop_reason or 'budget exhausted'}")
    sampling = (
        {
            "rounds": [{"budget": b, "samples": new} for b, new in rounds],
            "stopped_at": stop.budget if stop else None,
        },
        lines,
    )

    verdicts = [
        {"sample": i, "status": s.status, "passed": s.passed}
        for i, s in sorted(task.samples.items())
    ]
    lines = (
        [
            f"sandbox: {', '.join(f'{k}={v}' for k, v in sorted(sandbox.items()) if not isinstance(v, (dict, list)))}"[
                :76
            ]
        ]
        if sandbox
        else []
    )
    for b, new in rounds:
        passed = sum(bool(task.samples[i].passed) for i in new)
        lines.append(f"n={b}: {passed}/{len(new)} new samples pass the hidden tests")
    execution = ({"verdicts": verdicts, "sandbox": sandbox}, lines)

    last = task.selections[max(task.selections)] if task.selections else None
    scores = dict(last.scores) if last else {}
    ran_all = sum(
        1
        for s in task.samples.values()
        if s.visible is not None and all(o is not None for o in s.visible)
    )
    lines = [
        f"{len(probes)} visible probes, e.g. {probes[0]}"[:76] if probes else "no visible probes",
        f"{ran_all}/{len(task.samples)} samples ran every probe without error",
    ]
    items = [f"{k}={v:g}" for k, v in scores.items()]
    lines += ["  " + "  ".join(items[i : i + 3]) for i in range(0, len(items), 3)]
    assessment = (
        {"probes": probes, "scores": scores, "samples_running_every_probe": ran_all},
        lines,
    )

    picks = [
        {
            "budget": b,
            "sample": sel.sample_idx,
            "reason": sel.reason,
            "passed": bool(
                task.samples.get(sel.sample_idx) and task.samples[sel.sample_idx].passed
            ),
        }
        for b, sel in sorted(task.selections.items())
    ]
    selection = (
        {"picks": picks},
        [
            f"judge@{p['budget']}: #{p['sample']} {'PASS' if p['passed'] else 'fail'}: {p['reason']}"[
                :76
            ]
            for p in picks
        ],
    )
    return {
        "progressive_sampling": sampling,
        "sandboxed_execution": execution,
        "quality_assessment": assessment,
        "best_selection": selection,
    }


def _step_data(
    state: RunState, metrics: dict[str, Any]
) -> dict[str, tuple[dict[str, Any], list[str]]]:
    run = state.run
    task = _featured(state)
    budgets = state.budgets or [1]
    out: dict[str, tuple[dict[str, Any], list[str]]] = {}
    models = [
        {"name": m.name, "spec": m.spec, "simulated": m.simulated} for m in state.models.values()
    ]
    out["introduction"] = (
        {
            "run_id": metrics["run_id"],
            "models": models,
            "tasks": metrics["tasks_total"],
            "budgets": budgets,
            "seed": metrics["seed"],
            "suites": metrics["suites"],
            "events": state.events,
        },
        [
            f"run {metrics['run_id']}  seed {metrics['seed']}  {state.events} events",
            *(f"  model {m['name']}{'  (SIMULATED)' if m['simulated'] else ''}" for m in models),
            f"  {metrics['tasks_total']} tasks, budgets {budgets}, suites {', '.join(metrics['suites'])}",
        ],
    )
    if task is None:
        for name, *_ in STEPS[1:6]:
            out[name] = ({}, ["no code tasks in this log"])
    else:
        plan = state.plans.get(task.task_id)
        out["task_selection"] = (
            {
                "model": task.model,
                "task_id": task.task_id,
                "tasks_scheduled": len(state.tasks.get(task.model, {})),
                "probes": len(plan.calls) if plan else 0,
            },
            [
                f"{len(state.tasks.get(task.model, {}))} tasks scheduled for {task.model}",
                f"following {task.task_id}",
            ],
        )
        out.update(
            _task_steps(task, budgets, plan.calls if plan else [], dict(run.sandbox) if run else {})
        )
    harm = harm_by_model(state)
    safety = metrics.get("safety", {}).get("per_model", {})
    bounds = {m: safety[m]["slipped_upper95"] for m in harm if m in safety}
    lines = [f"{m}: " + ", ".join(f"{k} {v}" for k, v in c.items()) for m, c in harm.items()]
    if bounds:
        lines.append(
            "slipped, 95% upper bound: " + ", ".join(f"{m} {pct(b)}" for m, b in bounds.items())
        )
    out["safety_filter"] = (
        {"per_model": harm, "slipped_upper95": bounds},
        lines or ["no harm suite in this run"],
    )
    results = {
        m: {
            "pass_at_1": pm["pass_at_k"].get("1"),
            "selected_pass_at_1": pm["selected_pass_at_1"],
            "uplift_pp": pm["uplift_pp"],
            "uplift_p_value": pm["uplift_p_value"],
            "success_level": pm["success_level"],
            "oracle_pass_at_n": pm["oracle_pass_at_n"],
            "latency_p95_ms": latency_p95(metrics, m)[0],
            "collusion_risk": _collusion_risk(metrics, m),
        }
        for m, pm in metrics["per_model"].items()
    }
    lines = [
        line
        for m, r in results.items()
        for line in (_result_line(m, r, budgets[-1]), _detail_line(r, budgets))
    ]
    if metrics.get("collusion"):
        lines.append(f"collusion risk {metrics['collusion'].get('risk_level', '-')} (worst pair)")
    out["results"] = (results, lines)
    under_test = next(iter(results), None)
    level = results[under_test]["success_level"] if under_test else "FAILED"
    out["conclusion"] = (
        {
            "model": under_test,
            "success_level": level,
            "criteria": metrics.get("criteria", {}).get(under_test or "", {}),
            "simulated": state.simulated,
        },
        [
            f"{under_test or 'no model'}: success level {level}",
            *(
                f"  {k}: {'met' if v else 'not met'}"
                for k, v in metrics.get("criteria", {}).get(under_test or "", {}).items()
                if v is not None
            ),
            *(
                ["  SIMULATED models took part: a demo, not a measurement"]
                if state.simulated
                else []
            ),
            f"replay: azr replay --log {metrics['log'] or 'LOG'}",
        ],
    )
    return out


def build_flow(state: RunState, metrics: dict[str, Any]) -> list[Step]:
    """The nine steps with their start times, narration, data and the text lines shown."""
    data = _step_data(state, metrics)
    steps, start = [], 0.0
    for name, title, seconds, narration in STEPS:
        payload, lines = data[name]
        if name == "progressive_sampling":  # the run's own budgets, not the default 1/4/16
            title = "Progressive sampling n=" + "/".join(str(b) for b in state.budgets or [1])
        steps.append(
            Step(
                name,
                title,
                start,
                seconds,
                narration,
                payload,
                tuple(line[: WIDTH - 2] for line in lines[: HEIGHT - 6]),
            )
        )
        start += seconds
    return steps


_CLEAR = "\x1b[2J\x1b[H"
_BOLD, _DIM, _RESET, _YELLOW = "\x1b[1m", "\x1b[2m", "\x1b[0m", "\x1b[33m"


def render_cast(
    steps: list[Step], *, title: str, timestamp: int = 0, simulated: bool = False
) -> str:
    """An asciicast v2 recording of the steps: one screen per step, its lines appearing over its first 70%."""
    header: dict[str, Any] = {
        "version": 2,
        "width": WIDTH,
        "height": HEIGHT,
        "title": title,
        "env": {"TERM": "xterm-256color", "SHELL": "/bin/sh"},
    }
    if timestamp:
        header["timestamp"] = timestamp
    frames: list[tuple[float, str]] = []
    for n, step in enumerate(steps, 1):
        banner = f"{_BOLD}azr demo  {n}/{len(steps)}  {step.title}{_RESET}"
        sim = f"  {_YELLOW}SIMULATED{_RESET}" if simulated else ""
        narration = "\r\n".join(textwrap.wrap(step.narration, WIDTH - 2)[:3])
        frames.append((step.start_s, f"{_CLEAR}{banner}{sim}\r\n{_DIM}{narration}{_RESET}\r\n\r\n"))
        gap = step.duration_s * 0.7 / max(1, len(step.lines))
        for i, line in enumerate(step.lines):
            frames.append((step.start_s + 0.3 + i * gap, line + "\r\n"))
    end = steps[-1].start_s + steps[-1].duration_s if steps else 0.0
    frames.append((end, "\r\n"))
    rows = [json.dumps(header)] + [json.dumps([round(t, 3), "o", text]) for t, text in frames]
    return "\n".join(rows) + "\n"


def write_demo(
    state: RunState,
    metrics: dict[str, Any],
    out_dir: Path,
    *,
    events_by_step: dict[str, list[str]] | None = None,
) -> dict[str, Path]:
    """Write demo.cast, demo-15s.cast (the short-slot cut), script.md (steps, fallbacks and
    the Q&A sheet), metadata.json and flow.json (the steps' data and the Q&A figures) into
    ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = build_flow(state, metrics)
    qa = build_qa(state, metrics)
    run = state.run
    title = f"azr demo {metrics['run_id']}" + (" (simulated)" if state.simulated else "")
    timestamp = int(run.ts) if run else 0
    files = {
        "demo.cast": render_cast(
            steps, title=title, timestamp=timestamp, simulated=state.simulated
        ),
        SHORT_CAST: render_cast(
            short_flow(steps),
            title=f"{title}, 15 s cut",
            timestamp=timestamp,
            simulated=state.simulated,
        ),
        "script.md": render_script(
            steps,
            log=metrics["log"],
            run_id=metrics["run_id"],
            fallbacks=build_fallbacks(state, metrics, steps),
            qa=qa,
            model=under_test(metrics),
        ),
        "metadata.json": json.dumps(
            {
                "run_id": metrics["run_id"],
                "simulated": state.simulated,
                "models": [
                    {
                        "name": m.name,
                        "spec": m.spec,
                        "provider": m.provider,
                        "simulated": m.simulated,
                    }
                    for m in state.models.values()
                ],
                "seeds": {"run": metrics["seed"]},
                "versions": {
                    "azr_actors": __version__,
                    "run": run.version if run else "",
                    "python": platform.python_version(),
                },
                "metrics": metrics,
            },
            indent=2,
            allow_nan=False,
        ),
        "flow.json": json.dumps(
            {
                "steps": [
                    {
                        "step": s.name,
                        "title": s.title,
                        "start_s": s.start_s,
                        "duration_s": s.duration_s,
                        "narration": s.narration,
                        "data": s.data,
                        "lines": list(s.lines),
                        "events": (events_by_step or {}).get(s.name, []),
                    }
                    for s in steps
                ],
                "qa": [
                    {
                        "question": a.question,
                        "figure": a.figure,
                        "value": a.value,
                        "path": list(a.path),
                        "ci95": a.ci95,
                        "ci_path": None if a.ci_path is None else list(a.ci_path),
                        "command": a.command,
                        "query": a.query,
                    }
                    for a in qa
                ],
            },
            indent=2,
            allow_nan=False,
        ),
    }
    written = {}
    for name, text in files.items():
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


#: Which event kinds each step draws on (for flow.json's per-step event lines).
STEP_KINDS: dict[str, tuple[str, ...]] = {
    "introduction": ("run_started",),
    "task_selection": ("task_scheduled", "evidence_planned"),
    "progressive_sampling": ("sample_requested", "sample_generated"),
    "sandboxed_execution": ("hidden_verdict_posted",),
    "quality_assessment": ("visible_verdict_posted",),
    "best_selection": ("selection_made",),
    "safety_filter": ("safety_classified",),
    "results": ("collusion_analyzed", "latency_recorded"),
    "conclusion": ("run_finished",),
}


def events_by_step(state: RunState, events: list[Any], per_step: int = 12) -> dict[str, list[str]]:
    """For each step, up to ``per_step`` lines ``seq kind: description`` of the featured task's events
    (or of the run's, for steps not about one task)."""
    task = _featured(state)
    out: dict[str, list[str]] = {name: [] for name in STEP_KINDS}
    for name, kinds in STEP_KINDS.items():
        for event in events:
            kind = type(event).__struct_config__.tag
            if kind not in kinds:
                continue
            if (
                task is not None
                and hasattr(event, "task_id")
                and (
                    event.task_id != task.task_id
                    or getattr(event, "model", task.model) != task.model
                )
            ):
                continue
            out[name].append(f"{event.seq} {kind}: {describe(event)}")
            if len(out[name]) >= per_step:
                break
    return out
