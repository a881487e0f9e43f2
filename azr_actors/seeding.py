"""Values derived from the run seed by hashing: request salts, sandbox seeds, simulated-model seeds.

Every derived value is BLAKE2b over the ``str()`` of its parts joined by the unit
separator ``\\x1f``, truncated to ``size`` bytes. The parts and sizes of each
caller are fixed: recorded logs replay to the same metrics only while every
derived value stays byte-identical (``tests/test_seeding.py`` pins some).
"""

from __future__ import annotations

import hashlib

__all__ = ["derive_hex", "derive_int"]

SEPARATOR = "\x1f"


def _digest(parts: tuple[object, ...], size: int) -> bytes:
    text = SEPARATOR.join(map(str, parts))
    return hashlib.blake2b(text.encode(), digest_size=size).digest()


def derive_int(*parts: object, size: int) -> int:
    """The first ``size`` bytes of the parts' digest as a big-endian unsigned integer."""
    return int.from_bytes(_digest(parts, size), "big")


def derive_hex(*parts: object, size: int) -> str:
    """The first ``size`` bytes of the parts' digest in hexadecimal (``2 * size`` characters)."""
    return _digest(parts, size).hex()
