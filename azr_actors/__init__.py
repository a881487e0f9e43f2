"""azr-actors: an event-sourced actor system that evaluates LLM code generation.

Every figure it reports is a pure fold over one append-only event log, so a run
can be replayed and audited after the fact.
"""

from pathlib import Path as _Path

__version__ = "0.1.0"

__all__ = ["__version__"]

# The top-level folders eventlog/ and replay/ are installed as azr_actors.eventlog
# and azr_actors.replay (see pyproject's package-dir). When this package is
# imported straight from a source checkout instead (python -m from the repo root),
# let the same names resolve to those folders.
_root = _Path(__file__).resolve().parent.parent
if not (_Path(__file__).resolve().parent / "eventlog").is_dir() and (_root / "eventlog" / "__init__.py").is_file():
    __path__.append(str(_root))
del _Path, _root
