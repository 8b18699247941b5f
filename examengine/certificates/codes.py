"""Verification codes: 80 random bits in Crockford base32, typed by people from paper.

A code is stored as 16 symbols and shown in groups of four (`7K3M-QW2D-…`). Reading one forgives what people
do when typing: lower case, dashes, spaces, and the letters Crockford maps onto digits (I and L are 1, O is 0).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
# Longer input is not a mistyped code: refuse it before any work is spent on it.
MAX_INPUT = 64
_SEPARATORS = str.maketrans("", "", " -_.\t")
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one (wrong length or symbols)."""
    if len(typed) > MAX_INPUT:
        return None
    canonical = typed.translate(_SEPARATORS).upper().translate(_LOOKALIKES)
    if len(canonical) != LENGTH or any(symbol not in ALPHABET for symbol in canonical):
        return None
    return canonical


def grouped(code: str) -> str:
    """A stored code as printed: groups of four joined by dashes."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
