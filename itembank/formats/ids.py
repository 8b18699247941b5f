"""Identifiers for items imported from formats that have none (Aiken, CSV, untitled GIFT questions)."""

from __future__ import annotations

import re


def make_identifier(wanted: str, used: set[str]) -> str:
    """`wanted` made into a valid, unused item identifier (letters, digits, _ . -; starting with a letter or _)."""
    base = re.sub(r"[^A-Za-z0-9_.-]+", "_", wanted).strip("_") or "item"
    if not re.match(r"[A-Za-z_]", base):
        base = f"q_{base}"
    base = base[:180]
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def file_stem(file: str) -> str:
    return file.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0]
