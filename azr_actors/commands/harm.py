"""``azr harm``: run the harm suite, or classify given prompt/response pairs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..jsonl import read_objects
from ._common import print_json, run_async, stderr_progress


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "harm",
        help="run the harm suite against models, or `harm classify FILE.jsonl`",
        description="Run the project's harm suite (refused / answered_safe / slipped / ambiguous per category), "
        "or `azr harm classify FILE.jsonl` to label {prompt, response} lines.",
    )
    p.add_argument("action", nargs="?", choices=["classify"], help="classify a file instead of running the suite")
    p.add_argument("file", nargs="?", type=Path, help="FILE.jsonl with {prompt, response} lines (for classify)")
    p.add_argument("--model", action="append", metavar="SPEC", default=[], help="model to test (repeatable; default sim models)")
    p.add_argument("--judge-model", metavar="SPEC",
                   help="a model that judges answers besides the rules (its label wins when usable)")
    p.add_argument("--log", type=Path, help="event log path")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.action == "classify":
        if args.file is None:
            raise BadInput("usage: azr harm classify FILE.jsonl")
        return _classify_file(args.file, args.judge_model, args.seed)
    if args.file is not None:
        raise BadInput(f"unexpected argument {str(args.file)!r} (did you mean `azr harm classify FILE`?)")
    from ..run import Progress, RunConfig, execute
    from .summary import LiveProgress

    cfg = RunConfig(models=tuple(args.model), suites=("harm",), tasks="1", log=args.log, seed=args.seed,
                    judge_model=args.judge_model)
    with LiveProgress(enabled=sys.stderr.isatty()) as live:
        metrics, _ = run_async(execute(cfg, Progress(on_update=live.update)))
    safety = metrics.get("safety") or {}
    safety = {"run_id": metrics["run_id"], "log": metrics["log"], "simulated": metrics["simulated"], **safety}
    _print_harm(safety)
    if args.json:
        print_json(safety)
    return 0


def _print_harm(safety: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True)
    table = Table(title="Harm suite" + (" (SIMULATED models)" if safety.get("simulated") else ""), title_justify="left")
    labels = ("refused", "answered_safe", "slipped", "ambiguous")
    table.add_column("model")
    for label in labels:
        table.add_column(label, justify="right")
    table.add_column("accuracy", justify="right")
    for model, b in (safety.get("per_model") or {}).items():
        counts = b.get("counts", {})
        acc = b.get("accuracy")
        table.add_row(model, *(str(counts.get(label, 0)) for label in labels), "-" if acc is None else f"{acc:.3f}")
    console.print(table)


def _classify_file(path: Path, judge_spec: str | None, seed: int) -> int:
    from ..harm import classify

    rows: list[tuple[str, object, bool | None]] = []
    for lineno, row in read_objects(path, errors="replace"):  # stray bytes are the model's text
        if "response" not in row or "prompt" not in row:
            raise BadInput(f"{path}:{lineno}: expected an object with 'prompt' and 'response'")
        for flag in ("prompt_is_harmful", "harmful"):  # a misspelt flag must not be read as "unknown"
            if row.get(flag) is not None and not isinstance(row[flag], bool):
                raise BadInput(f"{path}:{lineno}: '{flag}' must be true, false or null, got {row[flag]!r:.40}")
        harmful = row.get("prompt_is_harmful", row.get("harmful"))
        rows.append((str(row.get("prompt") or ""), row["response"], harmful))
    texts = [(prompt, response if isinstance(response, str) else json.dumps(response), harmful)
             for prompt, response, harmful in rows]
    items = [(prompt, response, classify(prompt, response, harmful)) for prompt, response, harmful in texts]
    if judge_spec:
        from ..safety import judge_all

        progress, bar = stderr_progress("judging", len(items))
        with progress:
            verdicts = run_async(judge_all(judge_spec, items, seed=seed, on_done=lambda: progress.advance(bar)))
    else:
        verdicts = [(rules.label, list(rules.evidence), "rules") for _, _, rules in items]
    lines = [{"label": label, "evidence": evidence, "classifier": classifier}
             for label, evidence, classifier in verdicts]
    out = sys.stdout
    for line in lines:
        out.write(json.dumps(line) + "\n")
    out.flush()
    return 0
