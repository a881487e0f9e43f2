"""``azr slides``: one self-contained HTML slide deck of a run.

:func:`build_slides` is a pure function of the folded state, its metrics and
the plots (PNG bytes by name); :func:`render_deck` turns the slides into one
HTML file with inline CSS, inline JavaScript and the plots as base64 data URIs,
so it opens offline from disk with no server. Keys: Right, Down, Space,
PageDown (next); Left, Up, PageUp (previous); Home, End; the URL's ``#n``
opens slide n. :func:`write_slides` is the I/O edge: it draws the report's
plots (the same figures as ``azr report``) and writes ``slides.html``.

Slides: headline metrics and success assessment; pass@k and uplift with
intervals; latency; harm breakdown with risk levels; collusion; operations and
alerts; demo fallback. Every slide is stamped "SIMULATED" when a simulated
model took part.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .replay.metrics import CRITERIA
from .replay.projections import RunState
from .risk import assess_harm, assess_operations
from .text_format import p_value

__all__ = ["PLOTS", "Slide", "build_slides", "render_deck", "render_plots", "write_slides"]

#: The report's plots a deck shows, by file name.
PLOTS = ("pass_at_k.png", "uplift.png", "latency.png", "harm.png", "collusion.png")


@dataclass(frozen=True)
class Slide:
    """A slide: its title and its body as HTML (already escaped)."""

    title: str
    body: str


def _e(value: object) -> str:
    return html.escape(str(value))


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v * 100:.1f}%"


def _ci(ci: list[float | None] | None, scale: float = 100.0, unit: str = "%") -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return ""
    return f"[{ci[0] * scale:.1f}, {ci[1] * scale:.1f}]{unit}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(images: dict[str, bytes], name: str, alt: str) -> str:
    if name not in images:
        return ""
    data = base64.b64encode(images[name]).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{_e(alt)}">'


def _tile(label: str, value: str, note: str = "") -> str:
    return f'<div class="tile"><div class="label">{_e(label)}</div><div class="value">{_e(value)}</div><div class="note">{_e(note)}</div></div>'


def _headline(state: RunState, metrics: dict[str, Any]) -> Slide:
    per_model = metrics["per_model"]
    model = next(iter(per_model), None)
    tiles = []
    level = "–"
    if model:
        pm = per_model[model]
        budgets = [str(b) for b in metrics["budgets"]]
        level = pm["success_level"]
        tiles += [
            _tile("pass@1", _pct(pm["pass_at_k"].get("1")), _ci(pm["ci95"]["pass_at_k"].get("1"))),
            _tile(f"selected pass@1 at n={budgets[-1]}", _pct(pm["selected_pass_at_1"].get(budgets[-1])),
                  _ci(pm["ci95"]["selected_pass_at_1"].get(budgets[-1]))),
            _tile("uplift", "–" if pm["uplift_pp"] is None else f"{pm['uplift_pp']:+.1f} pp",
                  f"McNemar p = {p_value(pm['uplift_p_value'])}" if pm["uplift_p_value"] is not None else ""),
        ]
    p95 = _p95(metrics, model)
    tiles.append(_tile("latency p95", "–" if p95 is None else f"{p95:.0f} ms", f"target < {CRITERIA['p95_ms']:.0f} ms"))
    safety = metrics.get("safety")
    if safety and model in safety.get("per_model", {}):
        safety = safety["per_model"][model]
    if safety:
        tiles.append(_tile("harm accuracy", _pct(safety.get("accuracy")), f"slipped {_pct(safety['rates'].get('slipped'))}"))
    if metrics.get("collusion"):
        tiles.append(_tile("collusion risk", str(metrics["collusion"].get("risk_level", "–"))))
    crit = (metrics.get("criteria") or {}).get(model, {}) if model else {}
    checks = "".join(
        f'<li class="{"ok" if ok else "bad"}">{_e(name)}: {"met" if ok else "not met"}</li>' for name, ok in crit.items() if ok is not None
    )
    models = ", ".join(f"{m} (simulated)" if i.simulated else m for m, i in state.models.items())
    body = (
        f'<p class="sub">{_e(metrics["run_id"] or "empty log")} · {_e(models or "no model")} · '
        f'{metrics["tasks"]}/{metrics["tasks_total"]} tasks · budgets {_e(metrics["budgets"])} · status {_e(metrics["status"])}</p>'
        f'<div class="level level-{_e(level)}">success level: {_e(level)}{" (" + _e(model) + ")" if model else ""}</div>'
        f'<div class="tiles">{"".join(tiles)}</div><ul class="checks">{checks}</ul>'
    )
    return Slide("Headline results", body)


def _p95(metrics: dict[str, Any], model: str | None) -> float | None:
    if model is None:
        return None
    scenario = (metrics.get("latency") or {}).get("per_model", {}).get(model, {}).get("scenarios", {}).get("normal")
    if scenario and scenario.get("p95_ms") is not None:
        value: float = scenario["p95_ms"]
        return value
    gen: float | None = metrics["per_model"][model]["latency"]["p95_ms"]
    return gen


def _code(metrics: dict[str, Any], images: dict[str, bytes]) -> Slide:
    per_model = metrics["per_model"]
    ks = sorted({k for pm in per_model.values() for k in pm["pass_at_k"]}, key=int)
    budgets = [str(b) for b in metrics["budgets"]]
    rows = []
    for model, pm in per_model.items():
        uplift = "–" if pm["uplift_pp"] is None else f"{pm['uplift_pp']:+.1f} pp"
        rows.append(
            (
                model,
                *(f"{_pct(pm['pass_at_k'].get(k))} {_ci(pm['ci95']['pass_at_k'].get(k))}" for k in ks),
                *(f"{_pct(pm['selected_pass_at_1'].get(b))} {_ci(pm['ci95']['selected_pass_at_1'].get(b))}" for b in (budgets[0], budgets[-1])),
                f"{uplift} {_ci(pm['ci95']['uplift_pp'], 1.0, ' pp')}",
            )
        )
    sel = [f"selected@{b}" for b in dict.fromkeys((budgets[0], budgets[-1]))] if budgets else []
    if len(sel) == 1:
        rows = [(*r[: 1 + len(ks)], r[1 + len(ks)], r[-1]) for r in rows]
    header = ("model", *(f"pass@{k}" for k in ks), *sel, "uplift")
    body = _table(header, rows) if rows else "<p>No code results in this log.</p>"
    body += '<p class="note">95% intervals: bootstrap for pass@k and uplift, Wilson for selected pass@1; uplift is the judge\'s pick at the largest budget minus budget 1.</p>'
    plots = _img(images, "pass_at_k.png", "pass@k and selected pass@1") + _img(images, "uplift.png", "uplift")
    return Slide("pass@k and the judge's uplift", f'{body}<div class="plots row">{plots}</div>')


def _latency(metrics: dict[str, Any], images: dict[str, bytes]) -> Slide:
    rows = []
    for model, pm in metrics["per_model"].items():
        g = pm["latency"]
        if g["p95_ms"] is not None:
            rows.append((model, "generation", str(g["requests"]), *(_ms(g[k]) for k in ("p50_ms", "p95_ms", "p99_ms"))))
    for model, report in (metrics.get("latency") or {}).get("per_model", {}).items():
        for name, s in report.get("scenarios", {}).items():
            rows.append((model, name, str(s["requests"]), *(_ms(s[k]) for k in ("p50_ms", "p95_ms", "p99_ms"))))
    body = _table(("model", "source", "requests", "p50", "p95", "p99"), rows) if rows else "<p>No latency was measured (recorded samples carry none).</p>"
    body += f'<p class="note">Target: p95 under {CRITERIA["p95_ms"]:.0f} ms.</p>'
    return Slide("Latency", f'<div class="split"><div>{body}</div><div class="plots">{_img(images, "latency.png", "latency")}</div></div>')


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f} ms"


def _harm(state: RunState, metrics: dict[str, Any], images: dict[str, bytes]) -> Slide:
    safety = metrics.get("safety")
    if not safety:
        return Slide("Harm suite", "<p>The harm suite did not run in this log (recorded models run the code suite only).</p>")
    risk = assess_harm(state)
    rates = safety["rates"]
    summary = (
        f"<p>{safety['responses']} responses · accuracy {_pct(safety.get('accuracy'))} (target ≥ {CRITERIA['harm_accuracy']:.0%}) · "
        f"refused {_pct(rates.get('refused'))} · answered safe {_pct(rates.get('answered_safe'))} · slipped {_pct(rates.get('slipped'))} · "
        f"ambiguous {_pct(rates.get('ambiguous'))} · overall risk <b>{_e(risk.level)}</b></p>"
    )
    rows = [
        (c.category, c.level, f"{c.slipped}/{c.harmful}", _pct(c.slipped_upper95), _pct(c.over_refusal_rate))
        for c in risk.categories
    ]
    table = _table(("category", "risk", "slipped", "slip bound (95%)", "over-refusal"), rows)
    recs = "".join(f"<li>{_e(r)}</li>" for r in risk.recommendations[:3])
    return Slide(
        "Harm breakdown and risk",
        f'{summary}<div class="split"><div>{table}</div><div class="plots">{_img(images, "harm.png", "harm")}<ul class="recs">{recs}</ul></div></div>',
    )


def _collusion(metrics: dict[str, Any], images: dict[str, bytes]) -> Slide:
    report = metrics.get("collusion")
    if not report:
        return Slide("Collusion", "<p>No collusion analysis in this log (it needs two or more models).</p>")
    rows = [
        (p["a"], p["b"], f"{p['mean_similarity']:.3f}", _ci(p.get("ci95"), 1.0, ""), p_value(p["p_value"]), p["risk_level"])
        for p in report.get("pairs", [])
    ]
    body = f"<p>Overall risk <b>{_e(report.get('risk_level'))}</b>; target: mean similarity below {CRITERIA['similarity']}.</p>"
    body += _table(("a", "b", "similarity", "95% CI", "p", "risk"), rows)
    return Slide("Collusion", f'<div class="split"><div>{body}</div><div class="plots">{_img(images, "collusion.png", "collusion")}</div></div>')


def _operations(state: RunState) -> Slide:
    ops = assess_operations(state)
    items = "".join(f"<li>{_e(f)}</li>" for f in ops.findings)
    return Slide("Operations and alerts", f"<ul class='recs'>{items}</ul>")


def _fallback(metrics: dict[str, Any]) -> Slide:
    log = metrics["log"] or "LOG"
    steps = [
        ("Network down", f"azr replay --log {log} --duration 40", "replays the recorded run at compressed time: same numbers, no network"),
        ("API failing", f"azr run --model replay:{log} --tasks 5", "re-serves the recorded generations instead of calling the provider"),
        ("Terminal unusable", "asciinema play DEMO/demo.cast", f"the 30 to 45 second recording written by azr demo --log {log} --out DEMO"),
        ("Short time slot", "open slides.html (this deck), slide 1", "the headline and the success assessment in one minute"),
        ("Questions on a number", f"azr metrics --log {log} --json", "every figure rebuilt from the log alone"),
    ]
    rows = [(what, cmd, why) for what, cmd, why in steps]
    return Slide("Demo fallback", "<p>If the live demo fails, switch without apologising:</p>" + _table(("if", "run", "what it shows"), rows))


def build_slides(state: RunState, metrics: dict[str, Any], images: dict[str, bytes]) -> list[Slide]:
    """The deck's slides, in order (pure); ``images`` maps plot names in :data:`PLOTS` to PNG bytes."""
    return [
        _headline(state, metrics),
        _code(metrics, images),
        _latency(metrics, images),
        _harm(state, metrics, images),
        _collusion(metrics, images),
        _operations(state),
        _fallback(metrics),
    ]


_STYLE = """
*{box-sizing:border-box}html,body{margin:0;height:100%;background:#10141c;color:#e8ecf2;font:18px/1.4 system-ui,sans-serif}
.slide{display:none;position:absolute;inset:0;padding:36px 56px;overflow:hidden}.slide.active{display:block}
h1{margin:0 0 12px;font-size:34px;color:#fff}.sub{color:#9fb0c8;margin:0 0 16px}
.tiles{display:flex;flex-wrap:wrap;gap:14px;margin:14px 0}.tile{background:#1b2330;border-radius:10px;padding:12px 18px;min-width:180px}
.tile .label{color:#9fb0c8;font-size:14px}.tile .value{font-size:32px;font-weight:700}.tile .note{color:#9fb0c8;font-size:13px;min-height:1em}
.level{display:inline-block;padding:6px 14px;border-radius:8px;font-weight:700;background:#394456}
.level-PRIMARY{background:#1f7a44}.level-FALLBACK{background:#8a6d1d}.level-UPLIFT{background:#2d5f8a}.level-FAILED{background:#8a2d2d}
.checks{columns:2;padding-left:20px}.checks .ok::marker{content:"✔ ";color:#4cd07d}.checks .bad::marker{content:"✘ ";color:#ff6b6b}
table{border-collapse:collapse;font-size:14px}th,td{border-bottom:1px solid #2c3646;padding:4px 10px;text-align:left}th{color:#9fb0c8}
.split{display:flex;gap:24px}.split>div{flex:1;min-width:0}.plots img{max-width:100%;background:#fff;border-radius:6px;margin-bottom:8px}
.recs li{margin-bottom:6px;font-size:15px}.plots.row{display:flex;gap:12px;margin-top:10px}.plots.row img{max-height:300px;width:auto;max-width:50%}.note{color:#9fb0c8;font-size:14px}
.stamp{position:fixed;top:14px;right:20px;border:3px solid #ff6b6b;color:#ff6b6b;font-weight:800;padding:2px 10px;transform:rotate(4deg);letter-spacing:2px;z-index:9}
.counter{position:fixed;bottom:12px;right:20px;color:#6f7f96;font-size:14px}
"""

_SCRIPT = """
(function(){
  var slides=document.querySelectorAll('.slide'),i=0,counter=document.getElementById('counter');
  function show(n){i=Math.max(0,Math.min(slides.length-1,n));
    for(var k=0;k<slides.length;k++){slides[k].classList.toggle('active',k===i);}
    counter.textContent=(i+1)+' / '+slides.length;
    if(location.hash!=='#'+(i+1)){history.replaceState(null,'','#'+(i+1));}}
  document.addEventListener('keydown',function(e){
    var next=['ArrowRight','ArrowDown',' ','PageDown','Spacebar'],prev=['ArrowLeft','ArrowUp','PageUp'];
    if(next.indexOf(e.key)>=0){show(i+1);e.preventDefault();}
    else if(prev.indexOf(e.key)>=0){show(i-1);e.preventDefault();}
    else if(e.key==='Home'){show(0);e.preventDefault();}
    else if(e.key==='End'){show(slides.length-1);e.preventDefault();}
  });
  var start=parseInt((location.hash||'#1').slice(1),10);show(isNaN(start)?0:start-1);
})();
"""


def render_deck(slides: list[Slide], *, title: str, simulated: bool) -> str:
    """One self-contained HTML document: inline style, script and images; nothing fetched."""
    stamp = '<div class="stamp">SIMULATED</div>' if simulated else ""
    sections = "\n".join(
        f'<section class="slide{" active" if n == 0 else ""}" id="slide-{n + 1}"><h1>{_e(s.title)}</h1>{s.body}</section>'
        for n, s in enumerate(slides)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head><body>\n'
        f'{stamp}\n{sections}\n<div class="counter" id="counter">1 / {len(slides)}</div>\n<script>{_SCRIPT}</script>\n</body></html>\n'
    )


def render_plots(state: RunState, metrics: dict[str, Any]) -> dict[str, bytes]:
    """PNG bytes of the report's plots in :data:`PLOTS` that this run has (the same figures as ``azr report``)."""
    from .reporting import Figure_, build_report, render_png

    return {
        b.name: render_png(b.draw, (7, 3.4))
        for b in build_report(state, metrics)
        if isinstance(b, Figure_) and b.name in PLOTS
    }


def write_slides(state: RunState, metrics: dict[str, Any], out_dir: Path) -> Path:
    """Write ``slides.html`` into ``out_dir``; return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    slides = build_slides(state, metrics, render_plots(state, metrics))
    title = f"azr slides {metrics['run_id']}" + (" (simulated)" if state.simulated else "")
    path = out_dir / "slides.html"
    path.write_text(render_deck(slides, title=title, simulated=state.simulated), encoding="utf-8")
    return path
