"""Identifiers for items imported from formats that have none (Aiken, CSV, untitled GIFT questions)."""

from __future__ import annotations

import re

_INVALID = re.compile(r"[^A-Za-z0-9_.-]+")
_STARTS_WELL = re.compile(r"[A-Za-z_]")


class Identifiers:
    """The identifiers one file has used so far. A repeated wanted identifier gets `-2`, `-3`, ... and the next
    suffix to try is remembered per base, so n copies of one id cost O(n) in all, not O(n²)."""

    def __init__(self) -> None:
        self._used: set[str] = set()
        self._next_suffix: dict[str, int] = {}

    def claim(self, wanted: str) -> str:
        """`wanted` made into a valid, unused item identifier (letters, digits, _ . -; starting with a letter or _)."""
        base = _INVALID.sub("_", wanted).strip("_") or "item"
        if not _STARTS_WELL.match(base):
            base = f"q_{base}"
        base = base[:180]
        candidate = base
        if candidate in self._used:
            n = self._next_suffix.get(base, 2)
            # Only an id written literally as `base-n` elsewhere in the file can still be taken here.
            while f"{base}-{n}" in self._used:
                n += 1
            candidate = f"{base}-{n}"
            self._next_suffix[base] = n + 1
        self._used.add(candidate)
        return candidate


def make_identifier(wanted: str, used: Identifiers) -> str:
    return used.claim(wanted)


def file_stem(file: str) -> str:
    return file.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
