"""The blueprint editor's form model without a browser: layout buttons, submitted rows renumbered, blanks left to
the defaults, error locations turned into field names, and the keys a fixed-form review shows."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from examengine.demo import DEMO_ITEMS
from examengine.exams.blueprints import editor as bf
from examengine.exams.blueprints.labels import field_label
from examengine.exams.form_keys import content_key
from examengine.exams.service import parse_definition
from itembank.formats.native import import_native


def two_sections() -> bf.BlueprintForm:
    form = bf.blank_form()
    form.sections[0].fields["title"] = "First"
    form.sections.append(bf.empty_section(2))
    form.sections[1].draw[0]["domain"] = "D2"
    return form


EDITS = [
    # (button, focus afterwards, section titles after, draw rows per section after, fixed rows per section after)
    ("add-section", "sections-2-title", ["First", "Part 2", "Part 3"], [1, 1, 1], [0, 0, 0]),
    ("remove-section-0", "sections-0-title", ["Part 2"], [1], [0]),
    ("remove-section-1", "sections-0-title", ["First"], [1], [0]),
    ("up-section-1", "sections-0-title", ["Part 2", "First"], [1, 1], [0, 0]),
    ("up-section-0", "sections-0-title", ["First", "Part 2"], [1, 1], [0, 0]),
    ("down-section-0", "sections-1-title", ["Part 2", "First"], [1, 1], [0, 0]),
    ("down-section-1", "sections-1-title", ["First", "Part 2"], [1, 1], [0, 0]),
    ("add-draw-1", "sections-1-draw-1-count", ["First", "Part 2"], [1, 2], [0, 0]),
    ("add-item-0", "sections-0-items-0-item_id", ["First", "Part 2"], [1, 1], [1, 0]),
    ("remove-draw-1-0", "add-draw-1", ["First", "Part 2"], [1, 0], [0, 0]),
    ("remove-draw-1-1", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("remove-item-0-0", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("remove-section-2", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("add-draw-5", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("add-section-1", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("up-draw-0", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("save", None, ["First", "Part 2"], [1, 1], [0, 0]),
    ("remove-section-0-0-0", None, ["First", "Part 2"], [1, 1], [0, 0]),
]


@pytest.mark.parametrize(("action", "focus", "titles", "draws", "fixed"), EDITS)
def test_layout_buttons(action: str, focus: str | None, titles: list[str], draws: list[int], fixed: list[int]) -> None:
    form = two_sections()
    assert bf.apply_edit(form, action) == focus
    assert [s.fields["title"] for s in form.sections] == titles
    assert [len(s.draw) for s in form.sections] == draws and [len(s.items) for s in form.sections] == fixed


def test_removing_the_last_section_focuses_the_add_button() -> None:
    form = bf.blank_form()
    assert bf.apply_edit(form, "remove-section-0") == "add-section" and form.sections == []


def test_submitted_rows_are_renumbered_in_page_order_and_blanks_take_the_defaults() -> None:
    submitted = {
        "code": "GAP-1",
        "title": "  Spaces kept in text  ",
        "time_limit_minutes": " ",
        "assembly": "loft",
        "navigation-mode": "free",
        "navigation-allow_review": "on",
        "release_at": "2030-01-01T09:00",
        "sections-3-title": "Later",
        "sections-3-draw-7-count": "2",
        "sections-3-draw-7-domain": "D1",
        "sections-3-draw-7-tag": "",
        "sections-3-draw-2-count": "1",
        "sections-3-draw-2-domain": "",
        "sections-3-draw-2-tag": "calc",
        "sections-1-title": "Earlier",
        "sections-1-shuffle_options": "on",
        "sections-1-items-0-item_id": "ab",
        "sections-1-items-0-version": "3",
        "sections-x-title": "ignored",
    }
    form = bf.from_submission(submitted)
    assert [s.fields["title"] for s in form.sections] == ["Earlier", "Later"]
    assert form.sections[1].draw == [
        {"count": "1", "domain": "", "tag": "calc"},
        {"count": "2", "domain": "D1", "tag": ""},
    ]
    raw = bf.to_raw(form)
    assert raw["title"] == "  Spaces kept in text  " and "time_limit_minutes" not in raw
    assert raw["navigation"] == {"mode": "free", "allow_review": True, "allow_flagging": False}
    assert raw["release_at"] == "2030-01-01T09:00Z"  # the form asks for UTC
    assert raw["cut_score"] is None and raw["scale"] is None and "retake_policy" in raw
    assert raw["sections"][0] == {
        "title": "Earlier",
        "shuffle_items": False,
        "shuffle_options": True,
        "items": [{"item_id": "ab", "version": "3"}],
        "draw": [],
    }
    assert raw["sections"][1]["draw"] == [{"count": "1", "tag": "calc"}, {"count": "2", "domain": "D1"}]


def test_too_many_sections_are_refused() -> None:
    submitted = {f"sections-{n}-title": "S" for n in range(bf.MAX_SECTIONS + 1)}
    with pytest.raises(Exception, match="at most 50 sections"):
        bf.from_submission(submitted)


ERRORS = [
    ({"field": "sections.0.draw.1.count", "message": "Field required"}, "sections-0-draw-1-count", "Field required"),
    ({"field": "(body)", "message": "Value error, a percent cut score is at most 100"}, "cut_score-value", None),
    ({"field": "(body)", "message": "Value error, a scaled cut score needs a scale"}, "scale", None),
    ({"field": "(body)", "message": "Value error, result_release on_date needs release_at"}, "release_at", None),
    ({"field": "(body)", "message": "Value error, an item is listed twice among the fixed items"}, "sections", None),
    ({"field": "(body)", "message": "Value error, something new"}, "form", "something new"),
    ({"field": "scale", "message": "Value error, the scale needs min < cut < max"}, "scale", None),
]


@pytest.mark.parametrize(("problem", "name", "message"), ERRORS)
def test_error_locations_become_field_names(problem: dict[str, str], name: str, message: str | None) -> None:
    expected = message or problem["message"].removeprefix("Value error, ")
    assert bf.field_errors([problem]) == {name: expected}


def test_a_failed_section_is_not_also_reported_as_a_missing_section() -> None:
    problems: list[Mapping[str, str]] = [
        {"field": "sections.0.title", "message": "String should have at least 1 character"},
        {"field": "sections", "message": "Tuple should have at least 1 item after validation, not 0"},
    ]
    assert list(bf.field_errors(problems)) == ["sections-0-title"]


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("cut_score-value", "Cut score"),
        ("sections-1-draw-0-count", "Section 2, draw rule 1: count"),
        ("sections-0-items-2-item_id", "Section 1, fixed item 3: item id"),
        ("sections-4-time_limit_minutes", "Section 5: time limit"),
        ("sections-0", "Section 1"),
        ("sections-0-draw-1", "Section 1, draw rule 2"),
        ("mystery", "mystery"),
    ],
)
def test_field_labels(name: str, label: str) -> None:
    assert field_label(name) == label


KEYS = {
    "fire-class-a": ("Wood and paper (option 1 of 4)",),
    "fire-triangle": ("Heat (option 1 of 4); Fuel (option 2 of 4); Oxygen (option 3 of 4)",),
    "assembly-point": ("False (option 2 of 2)",),
    "noise-limit": ("80",),
    "permit-match": (
        "Welding in a workshop → Hot work permit; Entering a sewer → Confined space permit; "
        "Replacing a fuse board → Electrical isolation permit",
    ),
    "incident-report": ("at once (option 1 of 2)", "accident book (option 1 of 2)"),
    "risk-assessment-essay": ("marked by a person against the rubric",),
}


def test_keys_name_the_answer_and_where_the_candidate_sees_it() -> None:
    imported = import_native(DEMO_ITEMS.read_bytes(), "demo_items.yaml").items
    items = {item.content.identifier: item.content for item in imported}
    for identifier, key in KEYS.items():
        assert content_key(items[identifier], {}) == key, identifier
    fire_a = items["fire-class-a"]
    response = fire_a.interactions[0].response_identifier
    choices = [c.identifier for c in fire_a.interactions[0].choices]
    shown = [*choices[1:], choices[0]]  # the keyed first option shown last
    assert content_key(fire_a, {response: shown}) == ("Wood and paper (option 4 of 4)",)


def test_a_declared_field_the_form_does_not_show_is_kept_through_a_save() -> None:
    body = {
        "code": "KEEP",
        "title": "Keep",
        "sections": [{"title": "A", "draw": [{"domain": "D1", "count": 1}]}],
        "domains": [{"code": "D1", "name": "Hazard identification"}],
        "vendor_note": "kept",
    }
    form = bf.from_definition(parse_definition(body))
    assert set(form.extra_names()) == {"domains", "vendor_note"}
    saved = parse_definition(bf.to_raw(form))
    assert saved.domain_name("D1") == "Hazard identification" and saved.model_extra == {"vendor_note": "kept"}
    assert bf.from_definition(parse_definition({**body, "domains": []})).extra_names() == ["vendor_note"]
