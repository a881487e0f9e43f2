"""The judge's evidence plan: the visible probes every sample of a task is run on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ._examples import Example, parse_examples, parse_model_tests
from ._mutate import derive_calls
from ._source import entry_signature

__all__ = ["MODEL_TEST", "EvidencePlan", "plan_evidence"]

#: Origin of calls taken from tests the model wrote.
MODEL_TEST = "model-test"


@dataclass(frozen=True)
class EvidencePlan:
    """Calls to run every sample on, as recorded in ``EvidencePlanned``.

    The three lists are parallel. ``expected[i]`` is the docstring's output for
    ``calls[i]`` (Python source where it parses, else the text as shown), or
    ``None`` for a derived input, which is judged by agreement among samples only.
    ``origins[i]`` is ``"docstring:doctest"``, ``"docstring:inline"``,
    ``"docstring:prose"``, ``"model-test"`` (a test the model wrote, whose
    expectation is weaker evidence than the docstring's), ``"derived:mutate-<type>"``,
    ``"derived:recombine"`` or ``"derived:signature"``. Docstring calls come first,
    then model tests, then derived inputs.
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
        return [
            i
            for i, (e, o) in enumerate(zip(self.expected, self.origins, strict=True))
            if e is not None and not o.startswith(MODEL_TEST)
        ]

    @property
    def model_test_indices(self) -> list[int]:
        """Positions of the calls that carry a model-written test's expectation."""
        return [
            i
            for i, (e, o) in enumerate(zip(self.expected, self.origins, strict=True))
            if e is not None and o.startswith(MODEL_TEST)
        ]


def plan_evidence(
    prompt: str,
    entry_point: str,
    seed: int,
    *,
    max_derived: int = 24,
    model_tests: Sequence[str] = (),
) -> EvidencePlan:
    """Plan the visible evidence for one task from its prompt alone.

    Docstring examples (every form HumanEval uses) come first, then up to
    ``max_derived`` inputs derived by type-aware mutation of the examples' inputs
    (or from the signature when no example is usable). ``model_tests`` are test
    texts the model under test wrote (``assert f(x) == y`` lines), for CodeT-style
    dual agreement; their calls are not repeated if the docstring shows them.
    Deterministic given ``seed``; never raises on any prompt text (a prompt
    without examples gives a derived-only or empty plan).
    """
    examples = parse_examples(prompt, entry_point)
    shown = {e.call for e in examples}
    tests: list[Example] = []
    for text in model_tests:
        for test in parse_model_tests(text, entry_point):
            if test.call not in shown:
                shown.add(test.call)
                tests.append(test)
    derived = derive_calls(
        [e.call for e in [*examples, *tests]],
        entry_signature(prompt, entry_point),
        entry_point,
        seed,
        max_derived,
    )
    return EvidencePlan(
        calls=[e.call for e in examples] + [t.call for t in tests] + [d.call for d in derived],
        expected=[e.expected for e in examples]
        + [t.expected for t in tests]
        + [None] * len(derived),
        origins=[f"docstring:{e.form}" for e in examples]
        + [MODEL_TEST] * len(tests)
        + [d.origin for d in derived],
    )
