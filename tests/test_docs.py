"""The README stays short and true: every environment variable the settings read is in its configuration table,
and every document it links to exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _configuration_table() -> str:
    start = README.index("## Configuration")
    end = README.index("\n## ", start + 1)
    return README[start:end]


def test_every_setting_read_from_the_environment_is_in_the_configuration_table() -> None:
    source = (ROOT / "examengine" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"((?:EXAMENGINE_[A-Z0-9_]+)|DATABASE_URL)"', source))
    assert len(names) > 10, "the settings module no longer names its variables in quotes: update this test"
    table = _configuration_table()
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == [], f"add these to the README's configuration table: {missing}"


def test_the_readme_links_to_documents_that_exist() -> None:
    targets = re.findall(r"\]\(((?:docs/)[^)#]+)", README)
    assert targets, "the README links to no document under docs/"
    assert [t for t in targets if not (ROOT / t).is_file()] == []


def test_the_readme_stays_short() -> None:
    lines = README.count("\n")
    assert lines <= 150, f"README.md has {lines} lines: move detail into docs/"
