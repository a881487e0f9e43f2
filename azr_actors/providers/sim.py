"""Offline simulated models: seeded, plausible, and always labelled simulated.

A simulated model answers a HumanEval prompt with the reference solution or
with a realistic mistake made from it (a flipped comparison, an off-by-one, a
swapped boolean, a missing statement, a syntax slip, now and then an infinite
loop), in the forms real models use (a bare body, a full function, a fenced
markdown answer with prose). Task difficulty is shared across simulated models,
and a model tends to repeat its favourite mistake on a task, as real models do.
Latency is drawn from a log-normal with occasional slow outliers and is really
waited for; past its ``capacity`` of concurrent requests the simulated server
queues them, so load and latency figures behave like a live run's.

Everything is a function of (seed, model name, task id, sample index): the
same run always sees the same answers.
"""

from __future__ import annotations

import ast
import asyncio
import math
import random
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from ..errors import BadInput
from ..humaneval import problems
from ..seeding import derive_int
from .base import Completion, CompletionRequest, RetryCallback

__all__ = ["PRESETS", "SimProvider", "SimSettings", "mutate"]


@dataclass(frozen=True)
class SimSettings:
    skill: float = 0.55          # probability of a correct answer on a task of average difficulty
    latency_ms: float = 120.0    # median total latency
    ttft_ms: float = 35.0        # median time to first token
    slow_rate: float = 0.03      # share of requests 5-10x slower
    harm_safety: float = 0.92    # how reliably it refuses harmful prompts
    style: int = 0               # which surface forms it prefers
    capacity: int = 24           # requests the simulated server serves at once; more wait in its queue


PRESETS: dict[str, SimSettings] = {
    "strong": SimSettings(skill=0.72, latency_ms=140.0, ttft_ms=45.0, harm_safety=0.96, style=1),
    "medium": SimSettings(skill=0.52, latency_ms=110.0, ttft_ms=35.0, harm_safety=0.92, style=2),
    "weak": SimSettings(skill=0.32, latency_ms=80.0, ttft_ms=25.0, harm_safety=0.85, style=0),
}


def _seed_of(*parts: object) -> int:
    """A simulated model's 64-bit seed for the parts (see :mod:`azr_actors.seeding`)."""
    return derive_int(*parts, size=8)


def _parse(name_and_query: str) -> tuple[str, SimSettings]:
    name, _, query = name_and_query.partition("?")
    if not name:
        raise BadInput("sim: model needs a name, e.g. sim:strong")
    base = PRESETS.get(name, SimSettings())
    fields = dict(base.__dict__)
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key not in fields:
            raise BadInput(f"sim:{name}: unknown parameter {key!r} (known: {', '.join(sorted(fields))})")
        try:
            fields[key] = type(fields[key])(value)
        except ValueError:
            raise BadInput(f"sim:{name}: {key}={value!r} is not a valid {type(fields[key]).__name__}") from None
    settings = SimSettings(**fields)
    for key in ("skill", "harm_safety", "slow_rate"):
        if not 0.0 <= getattr(settings, key) <= 1.0:  # NaN fails too
            raise BadInput(f"sim:{name}: {key} must be in [0, 1]")
    for key in ("latency_ms", "ttft_ms"):
        # inf or NaN would make every request wait forever; a negative one records negative latencies
        value = getattr(settings, key)
        if not (math.isfinite(value) and value >= 0.0):
            raise BadInput(f"sim:{name}: {key} must be a finite number >= 0, got {value!r}")
    return name, settings


class SimProvider:
    provider = "sim"
    simulated = True
    live = True

    def __init__(self, name_and_query: str, *, seed: int = 0) -> None:
        self.name, self.settings = _parse(name_and_query)
        self.name = f"sim-{self.name}"
        self.spec = f"sim:{name_and_query}"
        self.seed = seed
        self._server: asyncio.Semaphore | None = None

    async def close(self) -> None:
        return None

    async def complete(self, request: CompletionRequest, on_retry: RetryCallback | None = None) -> Completion:
        rng = random.Random(_seed_of(self.seed, self.spec, request.kind, request.task_id, request.sample_idx))
        ttft, total = self._latency(rng)
        if request.kind == "chat":
            text = self._chat(request, rng)
        elif request.kind == "tests":
            text = self._tests(request, rng)
        else:
            text = self._code(request, rng)
        if self._server is None:
            self._server = asyncio.Semaphore(max(1, self.settings.capacity))
        started = time.perf_counter()
        async with self._server:  # past its capacity, the simulated server queues requests
            queued = (time.perf_counter() - started) * 1000.0
            await asyncio.sleep(total / 1000.0)
        elapsed = (time.perf_counter() - started) * 1000.0
        return Completion(
            text=text,
            ttft_ms=round(min(queued + ttft, elapsed), 3),
            total_ms=round(elapsed, 3),
            prompt_tokens=max(1, len(request.prompt) // 4),
            completion_tokens=max(1, len(text) // 4),
        )

    def _latency(self, rng: random.Random) -> tuple[float, float]:
        s = self.settings
        total = s.latency_ms * math.exp(rng.gauss(0.0, 0.35))
        if rng.random() < s.slow_rate:
            total *= rng.uniform(5.0, 10.0)
        ttft = min(total, s.ttft_ms * math.exp(rng.gauss(0.0, 0.3)))
        return ttft, total

    def _chat(self, request: CompletionRequest, rng: random.Random) -> str:
        from ..harm import find_scenario, simulate_response

        scenario = find_scenario(request.task_id)
        if scenario is None:
            return "I can help with that. Could you share a little more detail about what you need?"
        return simulate_response(scenario, self.name, rng, safety=self.settings.harm_safety)

    def _tests(self, request: CompletionRequest, rng: random.Random) -> str:
        """Asserts restating the docstring's examples, now and then with a wrong expected value."""
        from ..selection import parse_examples

        problem = problems().get(request.task_id)
        if problem is None:
            return "I could not write tests for this."
        lines = []
        for example in parse_examples(problem.prompt, problem.entry_point)[:6]:
            expected = example.expected
            if rng.random() < (1.0 - self.settings.skill) * 0.4:
                expected = _wrong(expected)
            lines.append(f"assert {example.call} == {expected}")
        if not lines:
            return "The docstring gives no examples to test against."
        return "```python\n" + "\n".join(lines) + "\n```"

    def _code(self, request: CompletionRequest, rng: random.Random) -> str:
        problem = problems().get(request.task_id)
        if problem is None:
            return "    pass\n"
        task_rng = random.Random(_seed_of("difficulty", request.task_id))
        difficulty = task_rng.gauss(0.0, 1.3)
        logit = math.log(self.settings.skill / (1 - self.settings.skill + 1e-9) + 1e-9) - difficulty
        p_correct = 1.0 / (1.0 + math.exp(-logit))
        body = problem.canonical_solution
        if rng.random() >= p_correct:
            favourite = random.Random(_seed_of(self.seed, self.spec, "favourite", request.task_id))
            mistake_rng = favourite if rng.random() < 0.5 else rng
            body = mutate(body, mistake_rng)
        body = _rename_locals(body, random.Random(_seed_of(self.spec, request.task_id)), self.settings.style)
        return self._dress(problem.prompt, body, rng)

    def _dress(self, prompt: str, body: str, rng: random.Random) -> str:
        form = (rng.random() + self.settings.style * 0.27) % 1.0
        if form < 0.6:
            return body
        full = prompt + body
        if form < 0.85:
            return f"Here is the implementation:\n\n```python\n{full.rstrip()}\n```\n\nThe function handles the examples in the docstring."
        return full


_SWAPS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
}


def _wrong(expected: str) -> str:
    """A plausible mistake in an expected value (as a model writing tests makes)."""
    text = expected.strip()
    if text in ("True", "False"):
        return "False" if text == "True" else "True"
    if text.lstrip("-").isdigit():
        return str(int(text) + 1)
    return expected


def mutate(body: str, rng: random.Random) -> str:
    """Return a plausible wrong version of a function body (by AST mutation)."""
    roll = rng.random()
    if roll < 0.03:
        return body.rstrip() + "\n    while True:\n        pass\n"
    if roll < 0.07:
        return body.replace(":", "", 1)
    try:
        tree = ast.parse("def __f():\n" + body)
    except SyntaxError:
        return "    return None\n"
    func = tree.body[0]
    nodes = [n for n in ast.walk(func) if isinstance(n, (ast.Compare, ast.Constant, ast.BinOp, ast.Return))]
    rng.shuffle(nodes)
    for node in nodes:
        if _mutate_node(node, rng):
            break
    else:
        func.body = [ast.Return(value=ast.Constant(value=None))]  # type: ignore[attr-defined]
    ast.fix_missing_locations(tree)
    lines = ast.unparse(func).splitlines()[1:]
    return "\n".join(lines) + "\n"


def _mutate_node(node: ast.AST, rng: random.Random) -> bool:
    if isinstance(node, ast.Compare):
        swap = _SWAPS.get(type(node.ops[0]))
        if swap is not None:
            node.ops[0] = swap()
            return True
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        node.value = node.value + rng.choice((-1, 1))
        return True
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        node.value = not node.value
        return True
    elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
        return True
    return False


def _rename_locals(body: str, rng: random.Random, style: int) -> str:
    """Give each simulated model its own local variable names, as different models would."""
    if style == 0:
        return body
    try:
        tree = ast.parse("def __f():\n" + body)
    except SyntaxError:
        return body
    assigned = {
        n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    suffix = ("_val", "_item", "_x")[style % 3]
    mapping = {name: name + suffix for name in sorted(assigned) if rng.random() < 0.8}
    if not mapping:
        return body
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and n.id in mapping:
            n.id = mapping[n.id]
    return "\n".join(ast.unparse(tree.body[0]).splitlines()[1:]) + "\n"
