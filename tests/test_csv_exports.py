"""Every CSV this codebase writes goes through examengine.csv_export, which disarms spreadsheet formulas."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from examengine.csv_export import DictWriter, Writer, escape_formula

ROOT = Path(__file__).resolve().parent.parent
HELPER = ROOT / "examengine" / "csv_export.py"
RAW_WRITERS = re.compile(r"\bcsv\s*\.\s*(writer|DictWriter)\b|from\s+csv\s+import\s+[^\n]*\b(writer|DictWriter)\b")


def sources() -> list[Path]:
    return sorted(p for package in ("examengine", "itembank") for p in (ROOT / package).rglob("*.py"))


def test_no_module_but_the_helper_makes_a_csv_writer() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sources()
        if path != HELPER
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_WRITERS.search(line)
    ]
    assert offenders == [], "write CSV through examengine.csv_export.Writer/DictWriter"
    assert len(sources()) > 100


def test_every_module_that_answers_text_csv_uses_the_helper() -> None:
    answering = [p for p in sources() if "text/csv" in p.read_text()]
    assert len(answering) >= 4
    for path in answering:
        text = path.read_text()
        assert "csv_export" in text or "_csv(" in text or "results_csv" in text, path


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("\n@x", "'\n@x"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Ada Lovelace", "Ada Lovelace"),
        ("a=b", "a=b"),
        ("-0.25", "-0.25"),
        ("+3", "+3"),
        ("1e-3", "1e-3"),
        ("", ""),
        (-1.5, -1.5),
        (None, None),
        (True, True),
    ],
)
def test_escape_formula(cell: object, written: object) -> None:
    assert escape_formula(cell) == written


def test_the_writers_escape_every_cell() -> None:
    import io

    out = io.StringIO()
    Writer(out, lineterminator="\n").writerows([["=1", "x", -1]])
    writer = DictWriter(out, ["a", "b"], lineterminator="\n")
    writer.writeheader()
    writer.writerow({"a": "@a", "b": "-0.5"})
    assert out.getvalue() == "'=1,x,-1\na,b\n'@a,-0.5\n"
