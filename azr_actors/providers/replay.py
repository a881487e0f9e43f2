"""The generations recorded in an earlier log, served again (``replay:LOG[#MODEL]``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import BadInput
from .base import Completion, CompletionRequest, ProviderError, RetryCallback

__all__ = ["ReplayProvider"]


class ReplayProvider:
    provider = "replay"
    live = False

    def __init__(self, location: str) -> None:
        # LOG#MODEL splits at the last '#', and a log whose own path holds a '#' is taken whole
        path, sep, model = location.rpartition("#")
        if not sep or Path(location).is_file():
            path, model = location, ""
        self.path = Path(path)
        self.wanted = model or None
        self.spec = f"replay:{location}"
        self.name = model or self.path.stem
        self.simulated = False
        self.texts: dict[tuple[str, int], str] = {}
        self.meta: dict[tuple[str, int], Completion] = {}
        #: samples whose generation failed in the recorded run, with its error: replayed as that failure
        self.failures: dict[tuple[str, int], str] = {}

    async def load(self) -> None:
        """Read the recorded generations; raise BadInput if the log or the model is not there."""
        from ..eventlog import GenerationFailed, LogError, RunStarted, SampleGenerated, open_store

        if not self.path.is_file():
            raise BadInput(f"{self.path}: no such log")
        try:
            store = open_store(self.path, create=False, readonly=True)
            await store.open()
        except LogError as exc:
            raise BadInput(str(exc)) from None
        try:
            models: dict[str, bool] = {}
            generated: list[SampleGenerated] = []
            failed: list[GenerationFailed] = []
            async for event in store.iter(kinds=("run_started", "sample_generated", "generation_failed")):
                if isinstance(event, RunStarted):
                    models.update({m.name: m.simulated for m in event.models})
                elif isinstance(event, SampleGenerated):
                    generated.append(event)
                elif isinstance(event, GenerationFailed):
                    failed.append(event)
        finally:
            await store.close()
        if not models:
            raise BadInput(f"{self.path}: the log has no run in it")
        if self.wanted is None:
            if len(models) > 1:
                raise BadInput(f"{self.path} holds several models ({', '.join(models)}): use replay:{self.path}#MODEL")
            self.wanted = next(iter(models))
        if self.wanted not in models:
            raise BadInput(f"{self.path} has no model {self.wanted!r} (it has {', '.join(models)})")
        self.name = self.wanted
        self.simulated = models[self.wanted]
        if not any(e.model == self.wanted for e in generated) and not any(e.model == self.wanted for e in failed):
            raise BadInput(f"{self.path} recorded no code samples for {self.wanted!r}")
        for event in generated:
            if event.model == self.wanted:
                self.texts[(event.task_id, event.sample_idx)] = event.raw
                self.meta[(event.task_id, event.sample_idx)] = Completion(
                    text=event.raw,
                    ttft_ms=event.ttft_ms,
                    total_ms=event.total_ms,
                    prompt_tokens=event.prompt_tokens,
                    completion_tokens=event.completion_tokens,
                    cost_usd=event.cost_usd,
                )
        for failure in failed:
            slot = (failure.task_id, failure.sample_idx)
            if failure.model == self.wanted and slot not in self.meta:
                self.failures[slot] = failure.error

    @property
    def tasks(self) -> list[str]:
        return list(dict.fromkeys(t for t, _ in [*self.texts, *self.failures]))

    def samples_per_task(self, tasks: list[str]) -> int:
        counts = {t: 0 for t in tasks}
        for t, _ in [*self.texts, *self.failures]:  # a failed generation still took its sample's place
            if t in counts:
                counts[t] += 1
        return min(counts.values()) if counts else 0

    async def close(self) -> None:
        return None

    async def complete(self, request: CompletionRequest, on_retry: RetryCallback | None = None) -> Completion:
        recorded = self.meta.get((request.task_id, request.sample_idx))
        failure = self.failures.get((request.task_id, request.sample_idx))
        if recorded is None and failure is not None:
            raise ProviderError(failure)  # as the recorded run failed, so the replay's metrics match
        if recorded is None:
            raise ProviderError(f"{self.path.name} recorded no sample {request.sample_idx} for {request.task_id}", fatal=True)
        return recorded
