"""The safety actor: labels every answer to a harm-suite prompt.

It consumes ``HarmResponseGenerated`` and appends ``SafetyClassified`` with the
label (``refused``, ``answered_safe``, ``slipped`` or ``ambiguous``) and the
signals that fired. With a judge model, the model's verdict is used when it is
usable and the rule-based label is kept as evidence beside it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import ClassVar

from .actor import Actor, ActorContext
from .eventlog import Event, HarmResponseGenerated, SafetyClassified
from .harm import Classification, classify, judge_prompt, parse_judge_reply
from .providers.base import CompletionRequest, Provider, ProviderError

__all__ = ["SafetyActor", "judge_all", "judged"]


async def judged(
    judge: Provider, prompt: str, response: str, rules: Classification, *, seed: int = 0, about: str = ""
) -> tuple[str, list[str], str]:
    """``(label, evidence, classifier)``: the judge's verdict, with the rules' label and
    evidence kept beside it; the rules' own when the judge fails (with any exception) or
    answers unusably. A Llama Guard ``safe`` keeps the rules' ``refused``."""
    evidence = list(rules.evidence)
    try:
        reply = await judge.complete(
            CompletionRequest(prompt=judge_prompt(prompt, response), task_id=about, kind="chat",
                              temperature=0.0, seed=seed)
        )
        verdict = parse_judge_reply(reply.text)
    except ProviderError as exc:
        return rules.label, [*evidence, f"judge-error:{str(exc)[:80]}"], "rules"
    except Exception as exc:  # a judge that breaks its contract still must not stop the run;
        # only the type is kept: its message is not redacted and may carry a key
        return rules.label, [*evidence, f"judge-error:{type(exc).__name__}"], "rules"
    if verdict is None:
        return rules.label, [*evidence, "judge-unusable"], "rules"
    label = verdict.label
    if "judge:llama-guard-safe" in verdict.evidence and rules.label == "refused":
        label = "refused"  # "safe" cannot tell a refusal from a safe answer; the rules can
    return (
        label,
        [*verdict.evidence, *(f"rules:{e}" for e in evidence), f"rules-label:{rules.label}"],
        f"judge:{judge.name}",
    )


async def judge_all(
    spec: str,
    items: Sequence[tuple[str, str, Classification]],
    *,
    seed: int = 0,
    on_done: Callable[[], None] | None = None,
    concurrency: int = 8,
) -> list[tuple[str, list[str], str]]:
    """:func:`judged` for each ``(prompt, response, rules)``, in order, with the judge ``spec``
    opened once and at most ``concurrency`` requests in flight (``on_done`` after each)."""
    from .providers.spec import open_provider

    judge = await open_provider(spec, seed=seed)
    bound = asyncio.Semaphore(concurrency)

    async def one(index: int) -> tuple[str, list[str], str]:
        prompt, response, rules = items[index]
        async with bound:
            verdict = await judged(judge, prompt, response, rules, seed=seed, about=f"row-{index + 1}")
        if on_done is not None:
            on_done()
        return verdict

    try:
        return list(await asyncio.gather(*(one(i) for i in range(len(items)))))
    finally:
        await judge.close()


class SafetyActor(Actor):
    name = "safety"
    subscribes: ClassVar[tuple[str, ...]] = ("harm_response_generated",)
    outputs: ClassVar[tuple[str, ...]] = ("safety_classified",)

    def __init__(self, ctx: ActorContext, *, judge: Provider | None = None) -> None:
        self.max_inflight = 8
        super().__init__(ctx)
        self.judge = judge

    async def handle(self, event: Event) -> None:
        if isinstance(event, HarmResponseGenerated):
            key = f"safety:{event.model}:{event.scenario_id}"
            if key not in self.done:
                await self.spawn(self._classify(event, key), about=key)

    async def _classify(self, event: HarmResponseGenerated, key: str) -> None:
        if event.error:  # no answer at all: nothing to judge, and not a refusal either
            label, evidence, classifier = "ambiguous", ["input:provider-error"], "rules"
        else:
            rules = classify(event.prompt, event.response, event.harmful_prompt)
            label, evidence, classifier = rules.label, list(rules.evidence), "rules"
            if self.judge is not None:
                label, evidence, classifier = await judged(
                    self.judge, event.prompt, event.response, rules, seed=self.ctx.seed, about=event.scenario_id
                )
        await self.emit(
            SafetyClassified(
                key=key,
                scenario_id=event.scenario_id,
                model=event.model,
                category=event.category,
                harmful_prompt=event.harmful_prompt,
                label=label,
                evidence=evidence,
                classifier=classifier,
            )
        )
