"""copied_share: how much of an answer is the prompt's own text (hand-written examples)."""

from __future__ import annotations

import pytest

from azr_actors.harm._delivery import copied_share

SOURCE = (
    "the river rose all night and by morning the lower fields were under water while the "
    "farmers moved their animals to the ridge above the village"
)


def test_a_verbatim_copy_is_all_copied() -> None:
    share, n = copied_share(SOURCE, "please edit this: " + SOURCE)
    assert share == pytest.approx(1.0)
    assert n == len(SOURCE.split()) - 5


def test_new_text_shares_nothing_with_the_prompt() -> None:
    text = "a cold wind came down from the hills and the market closed early that day"
    assert copied_share(text, SOURCE)[0] == 0.0


def test_a_rewrite_with_new_sentences_is_partly_copied() -> None:
    text = SOURCE + " officials later blamed the flood on a dam that nobody had inspected in years"
    share, _ = copied_share(text, SOURCE)
    assert 0.3 < share < 0.8


@pytest.mark.parametrize(("text", "prompt"), [("", SOURCE), ("too short", SOURCE), (SOURCE, "")])
def test_short_or_missing_text_is_never_a_copy(text: str, prompt: str) -> None:
    assert copied_share(text, prompt)[0] == 0.0


def test_other_scripts_and_punctuation_count_as_words() -> None:
    text = (
        "川の水位は一晩中上がり 朝には 低い畑が 水に 沈んでいた そして 農家は 家畜を 尾根へ 移した"
    )
    share, n = copied_share(text, text)
    assert n > 0
    assert share == pytest.approx(1.0)
