"""Prices per model, user-extendable, and the cost a provider reports."""

from __future__ import annotations

import json

import pytest

from azr_actors.providers.base import ProviderError
from azr_actors.providers.openai import OpenAIProvider
from azr_actors.providers.pricing import Cost, Price, PriceTable, load_prices


def test_exact_then_longest_prefix_lookup():
    table = PriceTable()
    assert table.lookup("gpt-4o") == Price(2.50, 10.00)
    assert table.lookup("gpt-4o-mini-2024-07-18") == Price(0.15, 0.60)
    assert table.lookup("claude-3-5-sonnet-20241022") == Price(3.00, 15.00)
    assert table.lookup("llama-3-8b") is None


def test_cost_is_tokens_times_price_per_million():
    table = PriceTable({"m": Price(1.0, 4.0)})
    assert table.cost("m", 1_000_000, 500_000) == Cost(3.0, known=True)
    assert table.cost("m", 1200, 300) == Cost(pytest.approx(0.0024), known=True)


def test_unknown_model_costs_nothing_and_is_flagged():
    assert PriceTable().cost("my-local-model", 1000, 1000) == Cost(0.0, known=False)


def test_a_price_file_extends_and_overrides_the_defaults(tmp_path):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"my-model": {"input": 1, "output": 2}, "gpt-4o": {"input": 9, "output": 9}}))
    table = load_prices(path)
    assert table.lookup("my-model") == Price(1.0, 2.0) and table.lookup("gpt-4o") == Price(9.0, 9.0)
    assert table.lookup("gpt-4o-mini") == Price(0.15, 0.60)


def test_toml_file_named_by_the_environment(tmp_path):
    path = tmp_path / "prices.toml"
    path.write_text('[my-model]\ninput = 0.5\noutput = 1.5\n')
    assert load_prices(env={"AZR_PRICES": str(path)}).lookup("my-model") == Price(0.5, 1.5)
    assert load_prices(env={}).lookup("my-model") is None


def test_malformed_price_file_names_the_model(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"x": {"input": 1}}))
    with pytest.raises(ValueError, match="price of 'x' needs 'input' and 'output'"):
        load_prices(path)
    with pytest.raises(ValueError, match="prices must be finite and >= 0"):
        Price(-1.0, 0.0)


@pytest.mark.parametrize(
    ("text", "suffix", "why"),
    [
        ('{"m": {"input": NaN, "output": 1}}', ".json", "finite"),
        ('{"m": {"input": 1, "output": Infinity}}', ".json", "finite"),
        ("[m]\ninput = nan\noutput = 1\n", ".toml", "finite"),
        ('{"m": {"input": "cheap", "output": 1}}', ".json", "expected a number"),
        ('{"m": {"input": true, "output": 1}}', ".json", "expected a number"),
    ],
)
def test_a_price_that_is_not_a_finite_number_is_refused_with_the_file_and_model(tmp_path, text, suffix, why):
    # a NaN price would make every cost NaN, which the log cannot store
    path = tmp_path / f"prices{suffix}"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"prices{suffix}: price of 'm': .*{why}"):
        load_prices(path)


def test_providers_read_the_price_file_from_the_environment(tmp_path, monkeypatch):
    path = tmp_path / "prices.json"
    path.write_text(json.dumps({"my-model": {"input": 3, "output": 4}}))
    monkeypatch.setenv("AZR_PRICES", str(path))
    assert OpenAIProvider("my-model", "http://127.0.0.1:1/v1").prices.cost("my-model", 10**6, 0) == Cost(3.0, True)
    path.write_text("{not json")
    with pytest.raises(ProviderError, match=r"^openai:my-model@http://127.0.0.1:1/v1: bad price file in \$AZR_PRICES: ") as info:
        OpenAIProvider("my-model", "http://127.0.0.1:1/v1")
    assert info.value.fatal
