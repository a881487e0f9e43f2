"""Token prices per model, and what a completion cost.

Prices are USD per one million tokens, input and output separately. The
built-in table holds list prices of common OpenAI and Anthropic models at the
time of writing; they change, so users extend or override it with a JSON or
TOML file (``{"model-name": {"input": 0.15, "output": 0.60}}``) passed as a
path or named by the ``AZR_PRICES`` environment variable.

A model is looked up by exact name, then by the longest table entry its name
starts with (``gpt-4o-mini-2024-07-18`` -> ``gpt-4o-mini``). An unknown model
costs 0 and :meth:`PriceTable.cost` says so (``known=False``), so a report can
flag it instead of silently claiming a free run.
"""

from __future__ import annotations

import json
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = ["DEFAULT_PRICES", "PRICES_ENV", "Cost", "Price", "PriceTable", "load_prices"]

#: environment variable naming a JSON or TOML price file that extends the defaults
PRICES_ENV = "AZR_PRICES"


@dataclass(frozen=True)
class Price:
    """USD per one million input (prompt) and output (completion) tokens."""

    input_per_m: float
    output_per_m: float

    def __post_init__(self) -> None:
        # NaN or inf would make every cost NaN/inf, which no event can carry
        if not all(math.isfinite(p) and p >= 0 for p in (self.input_per_m, self.output_per_m)):
            raise ValueError(f"prices must be finite and >= 0, got {self.input_per_m}, {self.output_per_m}")


@dataclass(frozen=True)
class Cost:
    """What one call cost; ``known`` is False when the model has no price."""

    usd: float
    known: bool


# List prices (USD / 1M tokens) at the time of writing; override with a price file.
DEFAULT_PRICES: Mapping[str, Price] = MappingProxyType(
    {
        "gpt-4o": Price(2.50, 10.00),
        "gpt-4o-mini": Price(0.15, 0.60),
        "gpt-4.1": Price(2.00, 8.00),
        "gpt-4.1-mini": Price(0.40, 1.60),
        "gpt-4.1-nano": Price(0.10, 0.40),
        "gpt-4-turbo": Price(10.00, 30.00),
        "gpt-3.5-turbo": Price(0.50, 1.50),
        "o1": Price(15.00, 60.00),
        "o1-mini": Price(1.10, 4.40),
        "o3": Price(2.00, 8.00),
        "o3-mini": Price(1.10, 4.40),
        "o4-mini": Price(1.10, 4.40),
        "claude-3-haiku": Price(0.25, 1.25),
        "claude-3-5-haiku": Price(0.80, 4.00),
        "claude-3-5-sonnet": Price(3.00, 15.00),
        "claude-3-7-sonnet": Price(3.00, 15.00),
        "claude-3-opus": Price(15.00, 75.00),
        "claude-sonnet-4": Price(3.00, 15.00),
        "claude-opus-4": Price(15.00, 75.00),
        "claude-haiku-4-5": Price(1.00, 5.00),
        "claude-sonnet-4-5": Price(3.00, 15.00),
    }
)


@dataclass(frozen=True)
class PriceTable:
    """An immutable model -> :class:`Price` table with prefix lookup."""

    prices: Mapping[str, Price] = field(default_factory=lambda: DEFAULT_PRICES)

    def lookup(self, model: str) -> Price | None:
        """The price of ``model``: exact name, else the longest matching prefix."""
        if model in self.prices:
            return self.prices[model]
        matches = [name for name in self.prices if model.startswith(name)]
        return self.prices[max(matches, key=len)] if matches else None

    def cost(self, model: str, prompt_tokens: int, completion_tokens: int) -> Cost:
        """USD for one call; ``Cost(0.0, known=False)`` for a model without a price."""
        price = self.lookup(model)
        if price is None:
            return Cost(0.0, known=False)
        usd = (prompt_tokens * price.input_per_m + completion_tokens * price.output_per_m) / 1e6
        return Cost(usd, known=True)

    def extended(self, extra: Mapping[str, Price]) -> PriceTable:
        """A new table with ``extra`` added; its entries win over existing ones."""
        return PriceTable(MappingProxyType({**self.prices, **extra}))


def _usd(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number of USD per 1M tokens, got {value!r}")
    return float(value)


def _parse_price_file(path: Path) -> dict[str, Price]:
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: a price file maps model names to {{input, output}}")
    table: dict[str, Price] = {}
    for model, entry in raw.items():
        if not isinstance(entry, dict) or not {"input", "output"} <= entry.keys():
            raise ValueError(f"{path}: price of {model!r} needs 'input' and 'output' (USD per 1M tokens)")
        try:
            table[str(model)] = Price(_usd(entry["input"]), _usd(entry["output"]))
        except ValueError as exc:
            raise ValueError(f"{path}: price of {model!r}: {exc}") from None
    return table


def load_prices(
    path: str | os.PathLike[str] | None = None, *, env: Mapping[str, str] | None = None
) -> PriceTable:
    """The default table extended by ``path``, else by the file ``$AZR_PRICES`` names.

    Raises ``ValueError`` (with the file name) for a malformed file and
    ``FileNotFoundError`` for a missing one.
    """
    environ = os.environ if env is None else env
    chosen = path if path is not None else environ.get(PRICES_ENV) or None
    table = PriceTable()
    if chosen is None:
        return table
    return table.extended(_parse_price_file(Path(chosen)))
