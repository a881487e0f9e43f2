"""The words around the demo recording: the 15-second cut, the fallbacks, the Q&A sheet and the script.

:func:`short_flow` cuts the flow to the 15 s of :data:`SHORT_CUT` (recorded as
:data:`SHORT_CAST`). :func:`build_fallbacks` gives concrete fallbacks (failed
network, failed API, short time slot) with commands on the log, and
:func:`build_qa` the Q&A sheet: for each number the demo shows, its
definition, computation, events, 95% interval and the commands that reproduce
it. :func:`render_script` writes the narrated script (``script.md``). All pure:
the same log gives the same text. :mod:`azr_actors.demo` builds the flow and
writes the files, and re-exports these names.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .replay import stats
from .replay.metrics import CRITERIA
from .replay.projections import RunState, TaskRecord
from .risk import assess_operations
from .text_format import p_value, pct

if TYPE_CHECKING:
    from .demo import Step

__all__ = [
    "SHORT_CAST",
    "SHORT_CUT",
    "Answer",
    "Fallback",
    "build_fallbacks",
    "build_qa",
    "latency_p95",
    "metric_at",
    "render_script",
    "short_flow",
    "under_test",
]


def latency_p95(metrics: dict[str, Any], model: str) -> tuple[float | None, tuple[str | int, ...]]:
    """The p95 the latency criterion uses, and where it sits in the metrics: the latency
    suite's ``normal`` scenario when it ran, else the code generations' own latency."""
    scenarios = metrics.get("latency", {}).get("per_model", {}).get(model, {}).get("scenarios", {})
    path: tuple[str | int, ...] = ("per_model", model, "latency", "p95_ms")
    if scenarios.get("normal", {}).get("p95_ms") is not None:
        path = ("latency", "per_model", model, "scenarios", "normal", "p95_ms")
    return metric_at(metrics, path), path



#: The cut for a short time slot: the steps kept and their seconds (15 s in all).
SHORT_CUT: tuple[tuple[str, float], ...] = (
    ("introduction", 2.0),
    ("progressive_sampling", 4.0),
    ("best_selection", 3.0),
    ("results", 3.0),
    ("conclusion", 3.0),
)
#: The recording of the cut, written beside ``demo.cast``.
SHORT_CAST = "demo-15s.cast"


def short_flow(steps: list[Step]) -> list[Step]:
    """The steps of :data:`SHORT_CUT`, retimed back to back (their lines as in the full flow)."""
    by_name = {s.name: s for s in steps}
    out, start = [], 0.0
    for name, seconds in SHORT_CUT:
        if name in by_name:
            out.append(replace(by_name[name], start_s=start, duration_s=seconds))
            start += seconds
    return out


@dataclass(frozen=True)
class Fallback:
    """What to do when one part of the live demo fails: how the failure shows, then the actions."""

    name: str
    title: str
    symptom: str
    actions: tuple[str, ...]


def under_test(metrics: dict[str, Any]) -> str | None:
    """The model the demo is about: the first with code metrics (as in the conclusion step)."""
    return next(iter(metrics["per_model"]), None)


def _sibling(log: str, suffix: str) -> str:
    """A new log beside ``log``: ``run.db`` -> ``run-replayed.db``."""
    path = Path(log)
    return str(path.with_name(f"{path.stem}-{suffix}{path.suffix or '.db'}"))


def build_fallbacks(state: RunState, metrics: dict[str, Any], steps: list[Step]) -> list[Fallback]:
    """Concrete fallbacks for a failed network, a failed API and a short time slot, each with
    commands on this log (pure: nothing is run or checked here)."""
    log = metrics["log"] or "LOG"
    q = shlex.quote
    model = under_test(metrics)
    total = sum(s.duration_s for s in steps)
    replayed = _sibling(log, "replayed")
    replay = (
        f"`azr run --model {q(f'replay:{log}#{model}')} --tasks all --log {q(replayed)}`"
        if model
        else None
    )
    watch = f"`azr replay --log {q(log)} --duration 30`"
    network = [
        f"Play the recording, rendered from this log: `asciinema play demo.cast` ({total:.0f} s).",
        f"Or replay the run in the monitor at compressed time: {watch} (the same folds as the live run, so the same numbers).",
    ]
    if replay:
        network.append(
            f"Or run the pipeline again on {model}'s recorded generations, offline (sandbox and judge run for real, no provider is called): "
            f"{replay}, with `azr tui --log {q(replayed)}` in a second terminal."
        )
    network.append(
        f"Show the figures from the log alone: `azr metrics --log {q(log)}`; `azr report --log {q(log)} --out report/` "
        "writes `report/report.html`, one file with its plots embedded, which opens without a network."
    )
    ops = assess_operations(state)
    samples = next(
        (m.spec for m in state.models.values() if m.spec.startswith("samples:")),
        "samples:SAMPLES.jsonl",
    )
    api = [
        "Stop the live run with Ctrl-C: its log keeps every sample so far, and rerunning the same command later resumes it."
    ]
    if replay:
        api.append(
            f"Switch to the generations this log recorded for {model}: {replay} (no API call; the code suite runs for real)."
        )
    api += [
        f'Or score a samples file (JSONL `{{"task_id", "completion"}}`, the i-th line of a task is its i-th sample): '
        f"`azr run --model {q(samples)} --tasks all --log {q(_sibling(log, 'samples'))}`.",
        "Or play the recording, `asciinema play demo.cast`, and take questions from the Q&A sheet below.",
    ]
    cut = short_flow(steps)
    short = [
        f"{s.start_s:.0f}-{s.start_s + s.duration_s:.0f} s, {s.title} ({s.duration_s:.0f} s): "
        + (f"show `{s.lines[0].strip()}`" if s.lines else "narrate only")
        for s in cut
    ]
    short += [
        f"Play the cut: `asciinema play {SHORT_CAST}` ({sum(s.duration_s for s in cut):.0f} s, written beside demo.cast).",
        f"Or live from the log: `azr replay --log {q(log)} --duration 15`, then read the results line of the model under test.",
    ]
    return [
        Fallback(
            "network",
            "Failed network",
            "A live provider call hangs or cannot connect. Nothing below needs the network.",
            tuple(network),
        ),
        Fallback(
            "api",
            "Failed API (provider errors, 429 rate limits)",
            f"The provider answers with errors or 429s and the run slows to retries (`azr watch --log {q(log)}` counts them). "
            f"In this log: retries {sum(ops.retries.values())} (rate limits {ops.rate_limited}, timeouts {ops.timeouts}), "
            f"failed generations {ops.generation_failures}.",
            tuple(api),
        ),
        Fallback(
            "short_slot",
            "Short time slot (15 s)",
            f"Only 15 seconds instead of {total:.0f}: keep these {len(cut)} steps at these timings and skip the others.",
            tuple(short),
        ),
    ]


@dataclass(frozen=True)
class Answer:
    """One number the demo shows and the technical data behind it.

    ``value`` is the figure as it sits at ``path`` in the ``azr metrics --json`` object,
    ``ci95`` its 95% interval at ``ci_path`` (None where the figure has none); ``command``
    prints both from the log and ``query`` lists the events they come from.
    """

    question: str
    figure: str
    value: Any
    path: tuple[str | int, ...]
    ci95: list[float | None] | None
    ci_path: tuple[str | int, ...] | None
    definition: str
    computation: str
    events: str
    command: str
    query: str


def metric_at(obj: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` in a metrics object (``KeyError``/``IndexError`` where absent)."""
    for key in path:
        obj = obj[key]
    return obj


def _jq(path: tuple[str | int, ...]) -> str:
    """A jq filter for ``path``: ``.per_model["sim-a"].pass_at_k["1"]``."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f".[{key}]" if not out else f"[{key}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            out += f".{key}"
        else:
            out += f".[{json.dumps(key)}]" if not out else f"[{json.dumps(key)}]"
    return out


def _span(ci: list[float | None] | None, fmt: Callable[[float], str]) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "-"
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]"


def _pp(v: float) -> str:
    return f"{v:+.1f} pp"


class _Sheet:
    """Collects the answers about one log (the log path and the metrics they read)."""

    def __init__(self, metrics: dict[str, Any]) -> None:
        self.metrics = metrics
        self.log = shlex.quote(metrics["log"] or "LOG")
        self.answers: list[Answer] = []

    def add(
        self,
        question: str,
        path: tuple[str | int, ...],
        figure: Callable[[Any], str],
        texts: tuple[str, str, str],
        query: str,
        ci_path: tuple[str | int, ...] | None = None,
        ci_fmt: Callable[[float], str] = pct,
    ) -> None:
        value = metric_at(self.metrics, path)
        ci = metric_at(self.metrics, ci_path) if ci_path else None
        shown = figure(value) + (f", 95% CI {_span(ci, ci_fmt)}" if ci_path else "")
        filters = ", ".join(_jq(p) for p in (path, ci_path) if p)
        self.answers.append(
            Answer(
                question,
                shown,
                value,
                path,
                ci,
                ci_path,
                *texts,
                command=f"azr metrics --log {self.log} --json | jq -c {shlex.quote(filters)}",
                query=f"azr query --log {self.log} {query}",
            )
        )


def _share(v: float | None, *, n: int, k: int) -> str:
    return f"{pct(v)} ({k}/{n} tasks)"


def _pick_outcomes(records: list[TaskRecord], budget: int) -> list[bool]:
    """Per task, whether the judge's pick in force at ``budget`` passes the hidden tests."""
    out = []
    for r in records:
        pick = r.pick_at(budget)
        sample = r.samples.get(pick.sample_idx) if pick else None
        out.append(bool(sample and sample.passed))
    return out


def _pass_at_1(sheet: _Sheet, model: str, scored: int, passed: int) -> None:
    pm, base = sheet.metrics["per_model"][model], ("per_model", model)
    sheet.add(
        "pass@1",
        (*base, "pass_at_k", "1"),
        pct,
        (
            "The chance that one sample passes the benchmark's hidden tests: the unbiased estimator "
            "pass@k = 1 - C(n-c, k) / C(n, k) per task (Chen et al., 2021) at k = 1, i.e. c/n, averaged over tasks.",
            f"{pm['pass_at_k_tasks'].get('1', 0)} tasks, {scored} scored samples of which {passed} pass; "
            f"95% interval: percentile bootstrap over tasks, seeded from the run seed ({sheet.metrics['seed']}).",
            f"`sample_generated` and `hidden_verdict_posted` ({scored} verdicts for {model})",
        ),
        f"--type hidden_verdict_posted --model {shlex.quote(model)}",
        (*base, "ci95", "pass_at_k", "1"),
    )


def _code_answers(sheet: _Sheet, state: RunState, model: str) -> None:
    metrics, q = sheet.metrics, shlex.quote(model)
    pm, base = metrics["per_model"][model], ("per_model", model)
    records = [r for _, r in sorted(state.code_tasks(model).items()) if r.settled]
    n = len(records)
    scored = [s.passed for r in records for s in r.samples.values() if s.passed is not None]
    budgets = state.budgets or [1]
    verdicts = f"--type hidden_verdict_posted --model {q}"
    if "1" in pm["pass_at_k"]:  # k = 1 is reported unless --k left it out
        _pass_at_1(sheet, model, len(scored), sum(scored))
    outcomes = {b: _pick_outcomes(records, b) for b in budgets}
    for b in budgets:
        early = sum(1 for r in records if r.final_selection and r.final_selection.budget < b)
        picks = sum(1 for r in records for sb in r.selections if sb <= b)
        first = (
            " At the smallest budget the pick is the first sample."
            if b == budgets[0] and b == 1
            else ""
        )
        sheet.add(
            f"judge pick at n={b}",
            (*base, "selected_pass_at_1", str(b)),
            partial(_share, n=n, k=sum(outcomes[b])),
            (
                f"The share of tasks whose sample picked by the judge at budget {b} passes the hidden tests. "
                "The judge saw only visible evidence (docstring examples, derived inputs), never the hidden tests; "
                f"a task that stopped early keeps its pick.{first}",
                f"{sum(outcomes[b])} of {n} settled tasks; {early} stopped before n={b} and keep their earlier pick; "
                "95% Wilson score interval.",
                f"`selection_made` ({picks} picks at budgets up to {b}) joined with the picked samples' `hidden_verdict_posted`",
            ),
            f"--type selection_made --model {q}",
            (*base, "ci95", "selected_pass_at_1", str(b)),
        )
    before, after = outcomes[budgets[0]], outcomes[budgets[-1]]
    fixed = sum(1 for a, z in zip(before, after, strict=True) if z and not a)
    broken = sum(1 for a, z in zip(before, after, strict=True) if a and not z)
    pair = f"n={budgets[-1]} vs n={budgets[0]}"
    sheet.add(
        "uplift",
        (*base, "uplift_pp"),
        lambda v: "-" if v is None else _pp(v),
        (
            f"The judge's pick at the largest budget minus at the smallest ({pair}), in percentage points, on the same tasks.",
            f"{fixed} tasks fixed (fail at n={budgets[0]}, pass at n={budgets[-1]}) and {broken} broken, over {n} tasks: "
            f"100 x ({fixed} - {broken}) / {n}; 95% interval: paired bootstrap over tasks.",
            "`selection_made` at both budgets and the picked samples' `hidden_verdict_posted`",
        ),
        f"--type selection_made --model {q}",
        (*base, "ci95", "uplift_pp"),
        _pp,
    )
    alpha = stats.UPLIFT_ALPHA
    sheet.add(
        "uplift p-value (exact McNemar)",
        (*base, "uplift_p_value"),
        lambda v: "-" if v is None else f"p = {v:.3g}",
        (
            f"Exact two-sided McNemar test on the same per-task outcomes ({pair}): are fixes more common than breaks?",
            f"Binomial test of {fixed} fixes among {fixed + broken} discordant tasks at probability 1/2 "
            f"(scipy.stats.binomtest); the {n - fixed - broken} concordant tasks carry no information. "
            + (
                "Significant"
                if pm["uplift_p_value"] is not None and pm["uplift_p_value"] < alpha
                else "Not significant"
            )
            + f" at {alpha:g}.",
            "the same outcomes as the uplift",
        ),
        f"--type selection_made --model {q}",
    )
    oracle = sum(1 for r in records if any(s.passed for s in r.samples.values()))
    sheet.add(
        "oracle (any sample passes)",
        (*base, "oracle_pass_at_n"),
        partial(_share, n=n, k=oracle),
        (
            "The share of tasks where at least one generated sample passes: the ceiling for any judge at these budgets.",
            f"{oracle} of {n} settled tasks; 95% Wilson score interval.",
            f"`hidden_verdict_posted` ({len(scored)} verdicts for {model})",
        ),
        verdicts,
        (*base, "ci95", "oracle_pass_at_n"),
    )
    best = max((v for v in pm["selected_pass_at_1"].values() if v is not None), default=None)
    sheet.add(
        "success level",
        (*base, "success_level"),
        str,
        (
            f"PRIMARY when the best judge pick reaches {stats.PRIMARY_PASS_AT_1:.0%}, FALLBACK at {stats.FALLBACK_PASS_AT_1:.0%}; "
            f"else UPLIFT when the uplift reaches {stats.UPLIFT_PP:g} pp, or is positive with p < {alpha:g}; else FAILED.",
            f"best judge pick {pct(best)}, uplift {'-' if pm['uplift_pp'] is None else _pp(pm['uplift_pp'])}, "
            f"p = {p_value(pm['uplift_p_value'])}.",
            "the figures above",
        ),
        f"--type selection_made --model {q}",
    )


def _latency_answer(sheet: _Sheet, state: RunState, model: str) -> None:
    value, path = latency_p95(sheet.metrics, model)
    if value is None:
        return
    block = metric_at(sheet.metrics, path[:-1])
    target = CRITERIA["p95_ms"]
    if path[0] == "latency":
        source = f"the latency suite's normal scenario ({block['requests']} requests, {block['errors']} errors)"
        events = f"`latency_recorded` (scenario normal, {sum(1 for e in state.latency if e.model == model and e.scenario == 'normal')} for {model})"
        query = f"--type latency_recorded --model {shlex.quote(model)}"
        extra = (
            f", {len(block['outliers'])} IQR outliers, throughput {block['throughput_rps']:g} req/s"
        )
    else:
        source = f"the code generations' provider calls ({block['requests']} requests)"
        events = f"`sample_generated` (its `total_ms`, {block['requests']} for {model})"
        query = f"--type sample_generated --model {shlex.quote(model)}"
        extra = ""
    sheet.add(
        "latency p95",
        path,
        lambda v: f"{v:.0f} ms",
        (
            f"The 95th percentile of end-to-end request latency (numpy linear interpolation); the target is < {target:g} ms. "
            "Wall-clock: it varies between runs of the same seed, so no interval is given.",
            f"From {source}: p50 {_num_ms(block.get('p50_ms'))}, p95 {_num_ms(value)}, p99 {_num_ms(block.get('p99_ms'))}, "
            f"time to first token p95 {_num_ms(block.get('ttft_p95_ms'))}{extra}.",
            events,
        ),
        query,
    )


def _num_ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.0f} ms"


def _harm_answers(sheet: _Sheet, model: str | None) -> None:
    safety = sheet.metrics.get("safety")
    if not safety:
        return
    own = model if model is not None and model in safety.get("per_model", {}) else None
    base: tuple[str | int, ...] = ("safety",) if own is None else ("safety", "per_model", own)
    block = metric_at(sheet.metrics, base)
    who = own or "every model"
    query = "--type safety_classified" + ("" if own is None else f" --model {shlex.quote(own)}")
    events = f"`safety_classified` ({block['responses']} for {who})"
    sheet.add(
        "harm breakdown",
        (*base, "counts"),
        lambda c: ", ".join(f"{k} {v}" for k, v in c.items()) + f" of {block['responses']}",
        (
            "The harm suite's labels: refused, answered_safe, slipped (a harmful prompt answered with harmful content), "
            f"ambiguous; over {block['harmful_prompts']} harmful prompts and {block['contrast_prompts']} safe contrast prompts.",
            f"Classifier: {', '.join(safety.get('classifier', [])) or '-'}; accuracy {pct(block['accuracy'])} "
            f"(95% CI {_span(block['accuracy_ci95'], pct)}); over-refusal on contrast prompts {pct(block['over_refusal_rate'])}. "
            "Per category, with a risk level and recommendations: `azr report`.",
            events,
        ),
        query,
    )
    target = CRITERIA["slipped_rate"]
    upper = block["slipped_upper95"]
    sheet.add(
        "slipped rate, 95% upper bound",
        (*base, "slipped_upper95"),
        lambda v: (
            f"{block['slipped']}/{block['harmful_prompts']} slipped ({pct(block['slipped_rate'])}), at most {pct(v)}"
        ),
        (
            "The share of harmful prompts answered with harmful content, and the exact one-sided 95% Clopper-Pearson "
            f"upper bound on it (with no slip it is close to the rule of three, 3/n); the target is <= {target:.1%}.",
            f"{block['slipped']} of {block['harmful_prompts']} harmful prompts slipped; the interval shown is the two-sided "
            "95% Clopper-Pearson one. The bound "
            + ("is" if upper is not None and upper <= target else "is not")
            + " under the target.",
            events,
        ),
        query,
        (*base, "slipped_ci95"),
    )


def _collusion_answers(sheet: _Sheet) -> None:
    report = sheet.metrics.get("collusion")
    if not report or not report.get("pairs"):
        return
    from .collusion import RISK_LEVELS, RISK_THRESHOLDS  # imported here: the package is heavy

    pairs = report["pairs"]
    i = max(
        range(len(pairs)),
        key=lambda j: (
            RISK_LEVELS.index(pairs[j].get("risk_level", "MINIMAL")),
            pairs[j].get("mean_similarity") or 0.0,
        ),
    )
    worst = pairs[i]
    test = report.get("method", {}).get("test", "a one-sided Welch t-test")
    levels = ", ".join(f"{level} from {t:g}" for level, t in RISK_THRESHOLDS)
    sheet.add(
        "collusion risk",
        ("collusion", "risk_level"),
        str,
        (
            f"Whether two models share more distinctive code than independent models do. Per pair, {test}; "
            f"a significant pair is graded by its mean similarity ({levels}; the mission's bar is < {CRITERIA['similarity']:g}); "
            "the run's level is the worst pair's.",
            f"{len(pairs)} pairs; the worst, {worst['a']} / {worst['b']}, is {worst.get('risk_level')} "
            f"(t = {_num3(worst.get('t_stat'))}, p = {p_value(worst.get('p_value'))}); answers flagged: {len(report.get('flagged', []))}.",
            "`collusion_analyzed` (one report over the run's generations)",
        ),
        "--type collusion_analyzed",
    )
    sheet.add(
        "worst pair's mean similarity",
        ("collusion", "pairs", i, "mean_similarity"),
        lambda v: f"{worst['a']} / {worst['b']}: {_num3(v)}",
        (
            "Mean over shared tasks of the commonness-weighted similarity of the two models' answers "
            "(fingerprints common to unrelated answers weigh less).",
            f"Over {worst.get('tasks', '-')} tasks; 95% interval: bootstrap over tasks.",
            "`collusion_analyzed`",
        ),
        "--type collusion_analyzed",
        ("collusion", "pairs", i, "ci95"),
        lambda v: f"{v:.2f}",
    )


def _num3(v: float | None) -> str:
    return "-" if v is None else f"{v:.3g}"


def _sandbox_answer(sheet: _Sheet) -> None:
    sandbox = sheet.metrics.get("sandbox") or {}
    if "level" not in sandbox:
        return
    layers = sandbox.get("layers", [])
    sheet.add(
        "sandbox isolation level",
        ("sandbox", "level"),
        lambda v: f"{v} ({len(layers)} layers)",
        (
            "The isolation the executor's sandbox reached on this machine, probed once when the run started: "
            "the level names the strongest mechanism available, the layers every protection applied to each sample.",
            f"Layers: {', '.join(layers) or '-'}; warnings: {'; '.join(sandbox.get('warnings', [])) or 'none'}.",
            "`run_started` (its `sandbox` field)",
        ),
        "--type run_started",
    )


def build_qa(state: RunState, metrics: dict[str, Any]) -> list[Answer]:
    """The Q&A sheet: every number the demo shows, for the model under test, with its
    definition, computation, events and the commands that reproduce it (pure)."""
    sheet = _Sheet(metrics)
    model = under_test(metrics)
    if model is not None:
        _code_answers(sheet, state, model)
        _latency_answer(sheet, state, model)
    _harm_answers(sheet, model)
    _collusion_answers(sheet)
    _sandbox_answer(sheet)
    return sheet.answers


def render_script(
    steps: list[Step],
    *,
    log: str,
    run_id: str,
    fallbacks: Sequence[Fallback] = (),
    qa: Sequence[Answer] = (),
    model: str | None = None,
) -> str:
    """The narrated script: each step's time window and narration, what to do if the live
    demo fails (``fallbacks``), and the Q&A sheet (``qa``, about ``model``)."""
    out = [
        f"# Demo script: {run_id}\n",
        f"Total {sum(s.duration_s for s in steps):.0f} s, recorded in `demo.cast` (asciinema v2), from the log `{log}`.\n",
    ]
    for n, s in enumerate(steps, 1):
        out.append(
            f"## {n}. {s.title} ({s.start_s:.0f}-{s.start_s + s.duration_s:.0f} s, {s.duration_s:.0f} s)\n"
        )
        out.append(s.narration + "\n")
        out += [f"    {line}" for line in s.lines]
        out.append("")
    out.append("## If the live demo fails\n")
    for letter, f in zip("abcdefgh", fallbacks, strict=False):
        out.append(f"### ({letter}) {f.title}\n")
        out.append(f.symptom + "\n")
        out += [f"{i}. {action}" for i, action in enumerate(f.actions, 1)]
        out.append("")
    out.append(
        "Every step's data is in `flow.json`; the run, models, seeds, versions and metrics in `metadata.json`.\n"
    )
    if qa:
        out += [
            "## Q&A sheet\n",
            f"The technical data behind each number the demo shows, for {model or 'the run'}. "
            f"`jq` prints the figure (and its 95% interval) from `azr metrics --log {log} --json`; "
            "`azr query` lists the events it is folded from.\n",
        ]
        for a in qa:
            out += [
                f"### {a.question}: {a.figure}\n",
                f"- Definition: {a.definition}",
                f"- Computed: {a.computation}",
                f"- Events: {a.events}: `{a.query}`",
                f"- Reproduce: `{a.command}`",
                "",
            ]
    return "\n".join(out)
