"""Marking on the scoring tests' exam program (its essay is human-scored): real services, both engines."""

from __future__ import annotations

from tests.scoring.conftest import program  # noqa: F401 - the fixture
