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


def test_every_json_api_route_is_documented() -> None:
    """API.md is the contract; docs/api.md lists what this project adds. A route in neither fails here."""
    from examengine.settings import Settings
    from examengine.web.routes import routes

    contract = (
        (ROOT.parent / "shared" / "API.md").read_text(encoding="utf-8") if (ROOT.parent / "shared").is_dir() else ""
    )
    ours = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    documented = {shape(p) for p in re.findall(r"(/api/v1/[^\s`)|]*)", contract + ours)}
    # API.md writes an attempt's proctor actions as `/resume` · `/terminate` · `/extend` · `/notes` after `/pause`
    documented |= {shape(f"/api/v1/attempts/{{id}}/{action}") for action in re.findall(r"`/(\w+)`", contract)}
    paths = {getattr(r, "path", "") for r in routes(Settings())}
    missing = sorted(p for p in paths if p.startswith("/api/v1") and shape(p) not in documented)
    assert missing == [], f"document these routes in docs/api.md: {missing}"
