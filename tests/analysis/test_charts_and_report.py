from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from examengine.analysis.charts import (
    difficulty_discrimination_svg,
    hofstee_svg,
    option_curves_svg,
    score_histogram_svg,
)
from examengine.analysis.curves import OMIT, option_curves
from examengine.analysis.loaders import parse_responses, with_key
from examengine.analysis.report import CSV_COLUMNS, analyze_files, render
from examengine.analysis.standard_setting import HofsteeJudgement, hofstee
from examengine.analysis.stats import Analysis, analyze_matrix

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '<script>alert("x")</script>&'
# Ten examinees; the first item's id would break markup if it were not escaped.
RESPONSES = (
    f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",Q2,Q3\n'
    "A,B,C\nA,B,C\nA,B,D\nA,C,C\nB,B,\nA,D,D\nC,B,C\nA,A,C\nB,B,A\nA,B,C\n"
)


def _analysis() -> Analysis:
    return analyze_matrix(with_key(parse_responses(RESPONSES), ("A", "B", "C")))


def _accessible_svg(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label")
    assert root.find(f"{SVG}title") is not None
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text
    assert "<script" not in text
    return root


def test_histogram_marks_the_cut_and_hatches_failing_bars() -> None:
    distribution = ((0.0, 1), (1.0, 3), (2.0, 4), (3.0, 2))
    root = _accessible_svg(score_histogram_svg(distribution, cut_score=2, element_id="h1"))
    bars = [rect for rect in root.iter(f"{SVG}rect") if rect.find(f"{SVG}title") is not None]
    assert [bar.get("fill") for bar in bars] == ["url(#h1-hatch)", "url(#h1-hatch)", "#777777", "#777777"]
    assert any(text.text == "Cut 2" for text in root.iter(f"{SVG}text"))
    assert root.find(f".//{SVG}pattern[@id='h1-hatch']") is not None


def test_scatter_labels_every_item_and_escapes_ids() -> None:
    analysis = _analysis()
    root = _accessible_svg(difficulty_discrimination_svg(analysis.items))
    labels = {text.text for text in root.iter(f"{SVG}text")}
    assert {HOSTILE, "Q2", "Q3"} <= labels


def test_option_curves_by_score_group() -> None:
    analysis = _analysis()
    curves = option_curves(analysis, "Q3", groups=5)
    assert [group.size for group in curves.groups] == [2, 2, 2, 2, 2]
    assert curves.options[-1] == OMIT
    for group in curves.groups:
        assert sum(share for _, share in group.proportions) == pytest.approx(1.0)
    # The two highest scorers both chose the key.
    assert dict(curves.groups[-1].proportions)["C"] == 1.0
    root = _accessible_svg(option_curves_svg(curves))
    assert "C (key)" in {text.text for text in root.iter(f"{SVG}text")}
    assert len(list(root.iter(f"{SVG}polyline"))) == len(curves.options)
    with pytest.raises(KeyError):
        option_curves(analysis, "Q9")


def test_hofstee_chart_with_and_without_a_crossing() -> None:
    totals = [2, 3, 4, 5, 5, 6, 6, 7, 8, 9]
    crossing = hofstee([HofsteeJudgement("J", 45, 70, 15, 45)], totals, 10)
    root = _accessible_svg(hofstee_svg(crossing))
    assert "Cut 52.8%: 35.6% fail" in {text.text for text in root.iter(f"{SVG}text")}
    missing = hofstee([HofsteeJudgement("J", 70, 90, 5, 20)], totals, 10)
    root = _accessible_svg(hofstee_svg(missing))
    desc = root.find(f"{SVG}desc")
    assert desc is not None and desc.text is not None and "already fail" in desc.text


def test_render_json_csv_and_html() -> None:
    analysis = _analysis()
    shown = json.loads(render(analysis, "json"))
    assert [item["item_id"] for item in shown["items"]] == [HOSTILE, "Q2", "Q3"]
    rows = list(csv.reader(io.StringIO(render(analysis, "csv"))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == [HOSTILE, "Q2", "Q3"]
    page = render(analysis, "html", cut_score=2)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page
    assert page.count("<svg ") == 2 + 3
    with pytest.raises(ValueError, match="unknown format"):
        render(analysis, "pdf")  # type: ignore[arg-type]


def test_analyze_files(tmp_path: Path) -> None:
    responses, key = tmp_path / "responses.csv", tmp_path / "key.csv"
    responses.write_text("Q1,Q2\nA,B\nA,9\nB,B\n", encoding="utf-8")
    key.write_text("Q2,B\nQ1,A\n", encoding="utf-8")
    analysis = analyze_files(responses, key, missing_codes={"9"})
    assert [item.p_value for item in analysis.items] == [pytest.approx(2 / 3), pytest.approx(2 / 3)]
    assert analysis.items[1].omit_rate == pytest.approx(1 / 3)
    assert analysis.to_dict()["source"] == "responses.csv"
