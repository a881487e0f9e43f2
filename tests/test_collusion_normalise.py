"""Normalisation, winnowing and pairwise similarity of the collusion analysis."""

from __future__ import annotations

import ast
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st

from azr_actors.collusion import fingerprint, normalized_tokens, similarity
from azr_actors.collusion._fingerprint import kgram_hashes, winnow
from azr_actors.collusion._shape import ast_shape

FULL = '''from typing import List


def unique(l: List[int]) -> List[int]:
    """Return sorted unique elements in a list.
    >>> unique([5, 3, 5, 2])
    [2, 3, 5]
    """
    seen = []  # keep order
    for item in l:
        if item not in seen:
            seen.append(item)
    return sorted(seen, key=lambda x: (x, "a"))
'''

RENAMED = """def f0(q):
  '''Other docstring.'''

  acc=[ ]
  for z in q :
      if z not in acc: acc.append( z )


  return sorted( acc , key = lambda w : ( w , 'zz' ) )
"""

BODY_ONLY = (
    "\n\tseen = []\n\tfor item in l:\n\t\tif item not in seen:\n"
    "\t\t\tseen.append(item)\n\treturn sorted(seen, key=lambda x: (x, 'a'))"
)


def test_identifiers_and_literals_are_normalised_but_builtins_and_attributes_kept() -> None:
    tokens = normalized_tokens("total = len(xs) + 3\nys.append('s')\n")
    assert tokens == ("ID", "=", "len", "ID", "+", "NUM", "ID", ".", "append", "STR")


def test_redundant_parentheses_and_else_if_do_not_matter() -> None:
    plain = "def f(a):\n    if a:\n        return 1\n    else:\n        if a > 2:\n            return sum(x for x in a)\n"
    printed = "def f(a):\n    if (a):\n        return (1)\n    elif a > 2:\n        return sum((x for x in a))\n"
    assert normalized_tokens(plain) == normalized_tokens(printed)


def test_imports_docstrings_comments_and_signature_are_dropped() -> None:
    tokens = normalized_tokens(FULL)
    assert tokens[0] == "def"
    assert "import" not in tokens and "List" not in tokens
    assert tokens.count("STR") == 1  # the "a" literal; the docstring is gone


def test_renaming_and_reformatting_leave_tokens_unchanged() -> None:
    assert normalized_tokens(RENAMED) == normalized_tokens(FULL)


def test_body_only_matches_full_function() -> None:
    assert normalized_tokens(BODY_ONLY) == normalized_tokens(FULL)[1:]
    assert similarity(BODY_ONLY, FULL) > 0.9


def test_similarity_is_one_for_disguised_copy_and_low_for_different_code() -> None:
    assert similarity(FULL, RENAMED) == 1.0
    other = "def g(n):\n    total = 0\n    while n:\n        total += n % 10\n        n //= 10\n    return total\n"
    assert similarity(FULL, other) < 0.3


def test_ast_unparse_reformatting_is_invisible() -> None:
    reformatted = ast.unparse(ast.parse(FULL))
    assert fingerprint(reformatted) == fingerprint(FULL)
    assert ast_shape(reformatted) == ast_shape(FULL)


def test_unparsable_and_empty_code_never_crash() -> None:
    broken = "```python\ndef f(x:\n    return 'unterminated\n\tprint(x)\n"
    assert normalized_tokens(broken)
    assert ast_shape(broken) is None
    assert 0.0 <= similarity(broken, FULL) <= 1.0
    assert similarity(broken, broken) == 1.0
    assert similarity("", "") == 0.0
    assert fingerprint("   \n# only a comment\n") == frozenset()


def test_kgram_hashes_are_stable_crc32() -> None:
    tokens = ("for", "ID", "in", "range", "(", "NUM", ")")
    hashes = kgram_hashes(tokens, k=5)
    assert len(hashes) == 3
    assert hashes[0] == zlib.crc32(b"for\x1fID\x1fin\x1frange\x1f(")
    assert kgram_hashes(tokens[:2], k=5) == [zlib.crc32(b"for\x1fID")]


def test_winnow_keeps_each_window_minimum() -> None:
    hashes = [77, 74, 42, 17, 98, 50, 17, 98, 8, 88, 67, 39, 77, 74, 42, 17, 98]
    # The example of Schleimer et al. (2003), window 4: minima 17, 17, 8, 39, 17.
    assert winnow(hashes, 4) == frozenset({17, 8, 39})
    assert winnow([5, 3], 4) == frozenset({3})
    assert winnow([], 4) == frozenset()


_TOKENS = st.lists(
    st.sampled_from(["ID", "NUM", "(", ")", "+", "for", "if", "return"]), max_size=30
)


@settings(max_examples=150, deadline=None)
@given(
    prefix=_TOKENS,
    shared=st.lists(
        st.sampled_from(["ID", "NUM", "(", ")", "+", "x", "y", "z"]), min_size=8, max_size=20
    ),
    suffix=_TOKENS,
)
def test_winnowing_guarantee_shared_run_gives_shared_fingerprint(
    prefix: list[str], shared: list[str], suffix: list[str]
) -> None:
    # Any common run of window + k - 1 = 8 tokens must share at least one fingerprint.
    left = winnow(kgram_hashes(prefix + shared, k=5), 4)
    right = winnow(kgram_hashes(shared + suffix, k=5), 4)
    assert left & right
