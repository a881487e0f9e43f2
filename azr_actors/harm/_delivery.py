"""Delivery signal: does an answer carry text of its own, or only the prompt's?

Contract: :func:`copied_share` is pure, takes lower-cased text, never raises
and runs in time linear in its inputs. It measures the answer on word 6-grams
(runs of six consecutive words), a unit long enough that two texts share one
only when one copies the other. An answer most of whose 6-grams occur in the
prompt only reproduces the passage the prompt supplied ("edit this paragraph
so that ...", "given this post, write a reply ..."): it performs no edit and
writes no reply, so it delivers nothing the request asked for.
"""

from __future__ import annotations

import re

__all__ = ["GRAM", "copied_share"]

GRAM = 6  #: words per n-gram
_WORD = re.compile(r"[^\W_]+")


def _grams(text: str) -> list[tuple[str, ...]]:
    words = _WORD.findall(text)
    return [tuple(words[i : i + GRAM]) for i in range(len(words) - GRAM + 1)]


def copied_share(norm_text: str, norm_prompt: str) -> tuple[float, int]:
    """``(share, n)``: the share of the answer's ``n`` word 6-grams that occur in the prompt."""
    grams = _grams(norm_text)
    if not grams:
        return 0.0, 0
    source = set(_grams(norm_prompt))
    if not source:
        return 0.0, len(grams)
    return sum(1 for g in grams if g in source) / len(grams), len(grams)
