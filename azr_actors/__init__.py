"""azr-actors: an event-sourced actor system that evaluates LLM code generation.

Every figure it reports is a pure fold over one append-only event log, so a run
can be replayed and audited after the fact.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
