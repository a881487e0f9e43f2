"""The judge's evidence plan: the visible probes every sample of a task is run on."""

from __future__ import annotations

from dataclasses import dataclass

from ._examples import parse_examples
from ._mutate import derive_calls
from ._source import entry_signature

__all__ = ["EvidencePlan", "plan_evidence"]


@dataclass(frozen=True)
class EvidencePlan:
    """Calls to run every sample on, as recorded in ``EvidencePlanned``.

    The three lists are parallel. ``expected[i]`` is the docstring's output for
    ``calls[i]`` (Python source where it parses, else the text as shown), or
    ``None`` for a derived input, which is judged by agreement among samples only.
    ``origins[i]`` is ``"docstring:doctest"``, ``"docstring:inline"``,
    ``"docstring:prose"``, ``"derived:mutate-<type>"``, ``"derived:recombine"`` or
    ``"derived:signature"``. Docstring calls come first.
    """

    calls: list[str]
    expected: list[str | None]
    origins: list[str]

    def __post_init__(self) -> None:
        if not len(self.calls) == len(self.expected) == len(self.origins):
            raise ValueError("calls, expected and origins must have the same length")

    @property
    def example_indices(self) -> list[int]:
        """Positions of the calls that carry a docstring expectation."""
        return [i for i, e in enumerate(self.expected) if e is not None]


def plan_evidence(
    prompt: str, entry_point: str, seed: int, *, max_derived: int = 24
) -> EvidencePlan:
    """Plan the visible evidence for one task from its prompt alone.

    Docstring examples (every form HumanEval uses) come first, then up to
    ``max_derived`` inputs derived by type-aware mutation of the examples' inputs
    (or from the signature when no example is usable). Deterministic given
    ``seed``; never raises on any prompt text (a prompt without examples gives a
    derived-only or empty plan).
    """
    examples = parse_examples(prompt, entry_point)
    derived = derive_calls(
        [e.call for e in examples],
        entry_signature(prompt, entry_point),
        entry_point,
        seed,
        max_derived,
    )
    return EvidencePlan(
        calls=[e.call for e in examples] + [d.call for d in derived],
        expected=[e.expected for e in examples] + [None] * len(derived),
        origins=[f"docstring:{e.form}" for e in examples] + [d.origin for d in derived],
    )
