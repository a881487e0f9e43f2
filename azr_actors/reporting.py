"""``azr report``: a run's report as Markdown and self-contained HTML, with PNG plots.

:func:`build_report` is a pure function of the folded state and its metrics
(the same ``fold``/``run_metrics`` as ``azr metrics``): it returns the report as
a list of blocks (headings, paragraphs, tables, figures). :func:`write_report`
renders the plots (matplotlib, Agg canvas, no pyplot state), writes each PNG,
``report.md`` (linking the PNGs) and ``report.html`` (embedding them as base64
data URIs, so the one file is the whole report). Wherever a simulated model
took part, the report, the tables and the plot titles say "simulated".
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from .replay.metrics import CRITERIA
from .replay.projections import RunState
from .replay.views import HARM_LABELS, collusion_pairs, harm_by_category
from .text_format import num, p_value, pct

__all__ = [
    "Figure_",
    "Heading",
    "Para",
    "Table",
    "build_report",
    "render_html",
    "render_markdown",
    "render_png",
    "write_report",
]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Figure_:
    """A plot: its file name, caption and the function that draws it on a matplotlib Figure."""

    name: str
    caption: str
    draw: Callable[[Figure], None]
    size: tuple[float, float] = (8.0, 3.6)


Block = Heading | Para | Table | Figure_


def _ci(ci: list[float | None] | None, scale: float = 100.0) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "-"
    return f"[{ci[0] * scale:.1f}, {ci[1] * scale:.1f}]"


def _interval(ci: list[float | None] | None) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "-"
    return f"[{ci[0]:.2f}, {ci[1]:.2f}]"


def _label(state: RunState, model: str) -> str:
    info = state.models.get(model)
    return f"{model} (simulated)" if info is not None and info.simulated else model


def _sim_title(state: RunState, title: str) -> str:
    return f"{title} [simulated]" if state.simulated else title


# -- plots ----------------------------------------------------------------------
def _draw_pass_at_k(state: RunState, metrics: dict[str, Any]) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        left, right = fig.subplots(1, 2)
        for model, pm in metrics["per_model"].items():
            ks = [k for k, v in pm["pass_at_k"].items() if v is not None]
            ys = [pm["pass_at_k"][k] for k in ks]
            err = _errors(ys, [pm["ci95"]["pass_at_k"].get(k) for k in ks])
            left.errorbar(
                [int(k) for k in ks],
                ys,
                yerr=err,
                marker="o",
                capsize=3,
                label=_label(state, model),
            )
            bs = [b for b, v in pm["selected_pass_at_1"].items() if v is not None]
            ys = [pm["selected_pass_at_1"][b] for b in bs]
            err = _errors(ys, [pm["ci95"]["selected_pass_at_1"].get(b) for b in bs])
            right.errorbar(
                [int(b) for b in bs],
                ys,
                yerr=err,
                marker="s",
                capsize=3,
                label=_label(state, model),
            )
        for ax, title, xlabel in (
            (left, "pass@k (unbiased, 95% CI)", "k"),
            (right, "judge's selected pass@1 (95% Wilson CI)", "budget n"),
        ):
            ax.set_xscale("log", base=2)
            ticks = sorted({int(v) for line in ax.get_lines() for v in line.get_xdata()})
            ax.set_xticks(ticks, [str(t) for t in ticks])
            ax.minorticks_off()
            ax.set_ylim(0, 1.05)
            ax.set_title(_sim_title(state, title), fontsize=9)
            ax.set_xlabel(xlabel)
            ax.legend(fontsize=7)
            ax.grid(alpha=0.3)

    return draw


def _errors(ys: Sequence[float], cis: Sequence[Sequence[float | None] | None]) -> np.ndarray:
    lo = [y - c[0] if c and c[0] is not None else 0.0 for y, c in zip(ys, cis, strict=True)]
    hi = [c[1] - y if c and c[1] is not None else 0.0 for y, c in zip(ys, cis, strict=True)]
    out: np.ndarray = np.clip(np.array([lo, hi]), 0.0, None)
    return out


def _draw_uplift(state: RunState, metrics: dict[str, Any]) -> Callable[[Figure], None]:
    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        models = [m for m, pm in metrics["per_model"].items() if pm["uplift_pp"] is not None]
        ys = [metrics["per_model"][m]["uplift_pp"] for m in models]
        cis = [
            [
                (c / 100 if c is not None else None)
                for c in metrics["per_model"][m]["ci95"]["uplift_pp"]
            ]
            for m in models
        ]
        err = _errors([y / 100 for y in ys], cis) * 100
        ax.bar(range(len(models)), ys, yerr=err, capsize=4, color="tab:green")
        ax.axhline(
            CRITERIA["uplift_pp"],
            color="tab:red",
            linestyle="--",
            label=f"target {CRITERIA['uplift_pp']:g} pp",
        )
        ax.set_xticks(range(len(models)), [_label(state, m) for m in models], fontsize=8)
        ax.set_ylabel("uplift (pp)")
        ax.set_title(
            _sim_title(state, "uplift of the judge's pick, largest budget vs 1 (95% CI)"),
            fontsize=9,
        )
        ax.legend(fontsize=7)

    return draw


def _latency_series(state: RunState, metrics: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], list[float]]]:
    """(model, source, its figures from ``metrics``, its latencies in ms) for each model's code
    generations and each latency scenario it ran: the figures are ``azr metrics``' own, per model
    (pooling models would give percentiles that are no model's)."""
    out = []
    for model, pm in metrics["per_model"].items():
        figures = pm["latency"]
        if figures["requests"]:
            values = [
                s.total_ms
                for _, record in sorted(state.tasks.get(model, {}).items())
                for _, s in sorted(record.samples.items())
                if s.total_ms is not None
            ]
            out.append((model, "generation", dict(figures, errors=pm.get("generation_failures", 0)), values))
    for model, report in (metrics.get("latency") or {}).get("per_model", {}).items():
        for scenario, figures in report.get("scenarios", {}).items():
            values = [
                r.total_ms
                for r in state.latency
                if r.model == model and r.scenario == scenario and r.total_ms is not None and not r.error
            ]
            out.append((model, scenario, figures, values))
    return out


def _draw_latency(state: RunState, metrics: dict[str, Any]) -> Callable[[Figure], None]:
    series = [s for s in _latency_series(state, metrics) if s[3]]
    sources = list(dict.fromkeys(source for _, source, _, _ in series))
    colors = {model: f"C{i}" for i, model in enumerate(dict.fromkeys(s[0] for s in series))}

    def draw(fig: Figure) -> None:
        axes = np.atleast_1d(fig.subplots(1, len(sources)))
        for ax, source in zip(axes, sources, strict=True):
            for model, _, figures, values in (s for s in series if s[1] == source):
                color = colors[model]
                ax.hist(values, bins=20, color=color, alpha=0.5, label=_label(state, model))
                for q, style in (("p50", ":"), ("p95", "--"), ("p99", "-")):
                    value = figures.get(f"{q}_ms")
                    if value is not None:
                        ax.axvline(value, color=color, linestyle=style, label=f"{q} {value:.0f} ms")
            ax.set_title(_sim_title(state, f"latency: {source}"), fontsize=9)
            ax.set_xlabel("ms")
            ax.legend(fontsize=6)

    return draw


def _draw_harm(state: RunState) -> Callable[[Figure], None]:
    by_cat = harm_by_category(state)

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        cats = list(by_cat)
        bottom = np.zeros(len(cats))
        for label in HARM_LABELS:
            values = np.array([by_cat[c][label] for c in cats], dtype=float)
            ax.bar(cats, values, bottom=bottom, label=label)
            bottom += values
        ax.set_ylabel("responses")
        ax.set_title(_sim_title(state, "harm suite: labels per category"), fontsize=9)
        ax.legend(fontsize=7)
        ax.tick_params(axis="x", labelsize=7, rotation=30)

    return draw


def _draw_collusion(state: RunState) -> Callable[[Figure], None]:
    _, pairs = collusion_pairs(state)
    models = sorted({p["a"] for p in pairs} | {p["b"] for p in pairs})

    def draw(fig: Figure) -> None:
        ax = fig.subplots()
        grid = np.full((len(models), len(models)), np.nan)
        for p in pairs:
            i, j = models.index(p["a"]), models.index(p["b"])
            grid[i, j] = grid[j, i] = float(p.get("mean_similarity") or 0.0)
        image = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap="Reds")
        ax.set_xticks(range(len(models)), models, fontsize=7, rotation=30)
        ax.set_yticks(range(len(models)), models, fontsize=7)
        for i in range(len(models)):
            for j in range(len(models)):
                if not np.isnan(grid[i, j]):
                    ax.text(j, i, f"{grid[i, j]:.2f}", ha="center", va="center", fontsize=8)
        fig.colorbar(image, ax=ax, label="mean similarity")
        ax.set_title(_sim_title(state, "collusion: mean similarity per model pair"), fontsize=9)

    return draw


# -- the report -------------------------------------------------------------------
def build_report(state: RunState, metrics: dict[str, Any]) -> list[Block]:
    """The report's blocks, in order (pure: same state, same blocks): run summary, code
    generation, success assessment, statistical tests, latency, safety, collusion, then the
    operator sections (cost estimate vs actual, harm risk per category with recommendations,
    operations, alerts) and actor failures."""
    blocks: list[Block] = [Heading(f"Run report: {metrics['run_id'] or 'empty log'}", 1)]
    if state.simulated:
        sim = ", ".join(m for m, i in state.models.items() if i.simulated)
        blocks.append(
            Para(
                f"**SIMULATED**: simulated models took part in this run ({sim}); their figures are not measurements of a real model."
            )
        )
    blocks.append(
        Para(
            f"Log `{metrics['log']}`, status {metrics['status']}, {metrics['tasks']}/{metrics['tasks_total']} tasks settled, "
            f"seed {metrics['seed']}, budgets {metrics['budgets']}, suites {', '.join(metrics['suites']) or '-'}."
        )
    )
    per_model = metrics["per_model"]
    if per_model:
        blocks += _code_blocks(state, metrics)
    latency = _latency_series(state, metrics)
    if latency:
        blocks.append(Heading("Latency"))
        blocks.append(
            Table(
                ("model", "source", "requests", "errors", "p50 ms", "p95 ms", "p99 ms"),
                tuple(
                    (
                        _label(state, model),
                        source,
                        str(figures["requests"]),
                        str(figures.get("errors", 0)),
                        num(figures.get("p50_ms"), ".0f"),
                        num(figures.get("p95_ms"), ".0f"),
                        num(figures.get("p99_ms"), ".0f"),
                    )
                    for model, source, figures, _ in latency
                ),
            )
        )
        if any(values for *_, values in latency):
            blocks.append(
                Figure_(
                    "latency.png",
                    "Latency histograms with each model's p50/p95/p99, per source.",
                    _draw_latency(state, metrics),
                )
            )
    by_cat = harm_by_category(state)
    if by_cat:
        blocks.append(Heading("Safety (harm suite)"))
        blocks.append(
            Table(
                ("category", *HARM_LABELS),
                tuple((c, *(str(v[label]) for label in HARM_LABELS)) for c, v in by_cat.items()),
            )
        )
        blocks.append(Figure_("harm.png", "Harm breakdown per category.", _draw_harm(state)))
    level, pairs = collusion_pairs(state)
    if pairs:
        blocks.append(Heading("Collusion"))
        blocks.append(Para(f"Overall risk: **{level}**."))
        blocks.append(
            Table(
                ("a", "b", "mean similarity", "95% CI", "p-value", "risk"),
                tuple(
                    (
                        str(p["a"]),
                        str(p["b"]),
                        num(p.get("mean_similarity"), ".3f"),
                        _interval(p.get("ci95")),
                        p_value(p.get("p_value")),
                        str(p.get("risk_level", "-")),
                    )
                    for p in pairs
                ),
            )
        )
        blocks.append(
            Figure_(
                "collusion.png",
                "Mean similarity per model pair.",
                _draw_collusion(state),
                (5.5, 4.2),
            )
        )
    # Estimate vs actual cost, harm risk per category, operations and alerts. Imported
    # here because operator_report builds its blocks from this module's block types.
    from .operator_report import operator_sections

    blocks += operator_sections(state, metrics)
    if metrics.get("failures"):
        blocks.append(Heading("Actor failures"))
        blocks.append(
            Table(
                ("actor", "error"),
                tuple((f["actor"], f["error"][:200]) for f in metrics["failures"]),
            )
        )
    return blocks


def _code_blocks(state: RunState, metrics: dict[str, Any]) -> list[Block]:
    per_model = metrics["per_model"]
    budgets = [str(b) for b in metrics["budgets"]]
    ks = sorted({k for pm in per_model.values() for k in pm["pass_at_k"]}, key=int)
    rows = []
    for model, pm in per_model.items():
        rows.append(
            (
                _label(state, model),
                *(
                    f"{pct(pm['pass_at_k'].get(k))} {_ci(pm['ci95']['pass_at_k'].get(k))}"
                    for k in ks
                ),
                *(
                    f"{pct(pm['selected_pass_at_1'].get(b))} {_ci(pm['ci95']['selected_pass_at_1'].get(b))}"
                    for b in budgets
                ),
                pct(pm["oracle_pass_at_n"]),
            )
        )
    blocks: list[Block] = [
        Heading("Code generation (HumanEval)"),
        Table(
            ("model", *(f"pass@{k}" for k in ks), *(f"selected@{b}" for b in budgets), "oracle"),
            tuple(rows),
        ),
        Figure_(
            "pass_at_k.png",
            "pass@k and the judge's selected pass@1 by budget, with 95% intervals.",
            _draw_pass_at_k(state, metrics),
        ),
        Figure_(
            "uplift.png",
            "Uplift of the judge's pick per model, with its 95% bootstrap interval.",
            _draw_uplift(state, metrics),
        ),
        Heading("Success assessment"),
    ]
    crit_rows = []
    for model, pm in per_model.items():
        crit = metrics.get("criteria", {}).get(model, {})
        met = (
            ", ".join(
                f"{name} {'met' if ok else 'not met'}"
                for name, ok in crit.items()
                if ok is not None
            )
            or "-"
        )
        crit_rows.append(
            (_label(state, model), pm["success_level"], f"{num(pm['uplift_pp'], '+.1f')} pp", met)
        )
    blocks.append(Table(("model", "success level", "uplift", "criteria"), tuple(crit_rows)))
    blocks.append(Heading("Statistical tests"))
    test_rows = []
    for model, pm in per_model.items():
        name = _label(state, model)
        test_rows.append(
            (
                name,
                f"uplift selected@{budgets[-1]} vs selected@{budgets[0]}",
                "exact McNemar",
                p_value(pm["uplift_p_value"]),
            )
        )
        for pair, p in pm["budget_p_values"].items():
            test_rows.append((name, f"selected pass@1, budget {pair}", "exact McNemar", p_value(p)))
        test_rows.append(
            (
                name,
                f"judge's pick vs a random sample at budget {budgets[-1]}",
                "exact (Poisson-binomial)",
                p_value(pm["selection_vs_random_p_value"]),
            )
        )
    blocks.append(Table(("model", "comparison", "test", "p-value"), tuple(test_rows)))
    return blocks


# -- rendering --------------------------------------------------------------------
def _is_item(block: Block | None) -> bool:
    """A paragraph written as ``- text``: consecutive ones render as one list."""
    return isinstance(block, Para) and block.text.startswith("- ")


def render_markdown(blocks: list[Block]) -> str:
    """Markdown, with figures as links to their PNG files beside the report, and
    consecutive ``- `` paragraphs as one tight list."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        match block:
            case Heading(text, level):
                out.append(f"{'#' * level} {_no_tags(text)}\n")
            case Para(text) if _is_item(block):
                following = blocks[i + 1] if i + 1 < len(blocks) else None
                text = _no_tags(text)
                out.append(text if _is_item(following) else f"{text}\n")
            case Para(text):
                out.append(f"{_no_tags(text)}\n")
            case Table(header, rows):
                out.append("| " + " | ".join(map(_no_tags, header)) + " |")
                out.append("|" + "|".join("---" for _ in header) + "|")
                out += [
                    "| " + " | ".join(_no_tags(cell).replace("|", "\\|") for cell in row) + " |"
                    for row in rows
                ]
                out.append("")
            case Figure_(name, caption, _):
                out.append(f"![{caption}]({name})\n")
    return "\n".join(out)


_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _no_tags(text: str) -> str:
    """Markdown renderers pass raw HTML through: a model name such as ``<img onerror=...>``
    must stay text. Only a ``<`` that would open a tag is escaped (``p95<500ms`` is kept)."""
    return _TAG_START.sub("&lt;", text)


def _inline(text: str) -> str:
    """Escape, then the two bits of Markdown the report uses: **bold** and `code`."""
    parts = html.escape(text).split("**")
    text = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = text.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def render_html(blocks: list[Block], images: dict[str, bytes], title: str) -> str:
    """One self-contained HTML page: every figure embedded as a base64 PNG data URI, and
    consecutive ``- `` paragraphs as one ``<ul>``."""
    body: list[str] = []
    for i, block in enumerate(blocks):
        match block:
            case Heading(text, level):
                body.append(f"<h{level}>{_inline(text)}</h{level}>")
            case Para(text) if _is_item(block):
                opens = "<ul>" if i == 0 or not _is_item(blocks[i - 1]) else ""
                closes = "</ul>" if i + 1 == len(blocks) or not _is_item(blocks[i + 1]) else ""
                body.append(f"{opens}<li>{_inline(text[2:])}</li>{closes}")
            case Para(text):
                css = ' class="simulated"' if text.startswith("**SIMULATED**") else ""
                body.append(f"<p{css}>{_inline(text)}</p>")
            case Table(header, rows):
                head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
                trs = "".join(
                    "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                    for row in rows
                )
                body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{trs}</tbody></table>")
            case Figure_(name, caption, _):
                data = base64.b64encode(images[name]).decode("ascii")
                body.append(
                    f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}"><figcaption>{html.escape(caption)}</figcaption></figure>'
                )
    style = (
        "body{font-family:sans-serif;max-width:960px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}"
        "td:first-child,th:first-child{text-align:left}img{max-width:100%}"
        ".simulated{background:#fff3cd;border:1px solid #e0a800;padding:.5em}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


def render_png(draw: Callable[[Figure], None], size: tuple[float, float]) -> bytes:
    """``draw`` on a fresh figure of ``size`` inches, as PNG bytes."""
    import io

    # Model names, task ids and categories are data: a "$" in one must not start mathtext
    # (an invalid formula such as "$\\x$" would abort the whole report).
    with rc_context({"text.parse_math": False}):
        fig = Figure(figsize=size, dpi=100, layout="constrained")
        draw(fig)
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def write_report(state: RunState, metrics: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Write the PNGs, ``report.md`` and ``report.html`` into ``out_dir``; return their paths by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    blocks = build_report(state, metrics)
    images: dict[str, bytes] = {}
    written: dict[str, Path] = {}
    for block in blocks:
        if isinstance(block, Figure_):
            images[block.name] = render_png(block.draw, block.size)
            path = out_dir / block.name
            path.write_bytes(images[block.name])
            written[block.name] = path
    title = f"azr report {metrics['run_id']}" + (" (simulated)" if state.simulated else "")
    for name, text in (
        ("report.md", render_markdown(blocks)),
        ("report.html", render_html(blocks, images, title)),
    ):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written
