"""The item editor's form mapping, per kind, with no HTTP: native item -> form -> native item is the identity
(demo items, the reference GIFT and Aiken files, one full example per kind), fields read as a browser posts them,
and the native format's errors put beside the right field in words an author uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from itembank.cleaning import clean_native
from itembank.editor import KINDS, blank_form, form_from_fields, form_from_native, native_from_form
from itembank.editor.form import OptionRow, add_image, rich_text_keeps
from itembank.formats.native_kinds import NativeItem
from itembank.importing import read_upload
from tests.itembank.refdata import MOODLE, needs_refdata

DEMO = Path(__file__).resolve().parents[2] / "examengine" / "demo_items.yaml"
META = {"domain": "D1", "tags": ["a", "b"], "enemy_groups": ["E1"], "language": "nl", "expected_seconds": 40}
FULL: dict[str, dict[str, Any]] = {
    "single_choice": {
        "options": [
            {"id": "A", "text": "<b>One</b>", "correct": True, "feedback": "Yes", "fixed": True},
            {"id": "B", "text": "Two", "weight": 0.5, "feedback": "Half"},
        ],
        "shuffle": False,
    },
    "multiple_response": {
        "options": [{"id": "A", "text": "x", "weight": 1}, {"id": "Q", "text": "y", "weight": -1}],
        "floor": None,
        "ceiling": 1,
    },
    "true_false": {"answer": False},
    "numeric": {"answer": 9.81, "tolerance": 2, "tolerance_mode": "relative"},
    "short_text": {
        "answers": [{"text": "Amsterdam"}, {"text": "A'dam", "points": 0.5}],
        "case_sensitive": True,
        "normalize_whitespace": False,
    },
    "ordering": {"options": [{"id": "C", "text": "first"}, {"id": "A", "text": "second"}, {"id": "B", "text": "3"}]},
    "matching": {
        "pairs": [{"left": "NL", "right": "Amsterdam"}, {"left": "FR", "right": "Paris"}],
        "distractors": ["Rome"],
    },
    "inline_choice": {
        "stem": "<p>The {{animal}} sat on the {{thing}}.</p>",
        "gaps": [
            {"id": "animal", "options": [{"id": "A", "text": "cat", "correct": True}, {"id": "B", "text": "dog"}]},
            {"id": "thing", "options": [{"id": "X", "text": "mat"}, {"id": "Y", "text": "hat", "correct": True}]},
        ],
    },
    "essay": {"expected_lines": 12, "word_limit": 250, "rubric": "<ul><li>Names the five steps</li></ul>"},
}


def stored(data: dict[str, Any]) -> dict[str, Any]:
    """A native item as a version stores it (validated, defaults left out)."""
    return NativeItem.model_validate(data).model_dump(mode="json", exclude_defaults=True)


def round_trip(native: dict[str, Any]) -> dict[str, Any] | None:
    return native_from_form(form_from_native(native)).native


def test_every_kind_has_a_full_example() -> None:
    assert set(FULL) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(FULL))
def test_each_kind_comes_back_identical_from_its_form(kind: str) -> None:
    native = stored(
        {
            "id": f"ex-{kind}",
            "kind": kind,
            "title": "Example",
            "stem": "<p>Question?</p>",
            "points": 3,
            "rationale": "<p>Because.</p>",
            "metadata": {**META, "source": "the handbook"},
            **FULL[kind],
        }
    )
    assert round_trip(native) == native


def test_every_demo_item_comes_back_identical() -> None:
    for entry in yaml.safe_load(DEMO.read_text())["items"]:
        native = stored(entry)
        assert round_trip(native) == native, entry["id"]


@needs_refdata
@pytest.mark.parametrize("folder", ["gift", "aiken"])
def test_reference_gift_and_aiken_items_come_back_identical(folder: str) -> None:
    checked = 0
    for path in sorted((MOODLE / folder).glob("*")):
        for item in read_upload(path.name, path.read_bytes(), folder).items:
            native = clean_native(item.content.native or {})
            if native:
                assert round_trip(native) == native, (path.name, native)
                checked += 1
    assert checked > 0


def test_a_browser_post_is_read_as_the_author_typed_it() -> None:
    form = form_from_fields(
        [
            ("kind", "single_choice"),
            ("stem", "<div>Line one\r\nline two</div>"),
            ("options-0-id", "A"),
            ("options-0-text", "Red"),
            ("options-1-id", ""),  # a spare row the author filled
            ("options-1-text", "Blue"),
            ("options-1-feedback", "Blue is right"),
            ("options-2-id", ""),  # a spare row left empty
            ("options-2-text", " "),
            ("correct", "1"),
            ("points", "2,5"),
            ("tags", "fire, , safety"),
        ]
    )
    assert form.stem == "<div>Line one\nline two</div>"
    assert [(o.id, o.text, o.correct) for o in form.options] == [("A", "Red", False), ("B", "Blue", True)]
    assert form.shuffle is False  # an unchecked box sends nothing
    native = native_from_form(form).native
    assert native is not None
    assert native["points"] == 2.5 and native["metadata"]["tags"] == ["fire", "safety"]
    assert native["options"][1] == {"id": "B", "text": "Blue", "correct": True, "feedback": "Blue is right"}


def test_ordering_rows_follow_their_position_numbers() -> None:
    form = form_from_fields(
        [("kind", "ordering"), ("stem", "Order them")]
        + [
            (f"options-{i}-{k}", v)
            for i, (t, p) in enumerate([("c", "3"), ("a", "1"), ("b", "2")])
            for k, v in (("text", t), ("position", p))
        ]
    )
    native = native_from_form(form).native
    assert native is not None and [o["text"] for o in native["options"]] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("kind", "change", "field", "said"),
    [
        ("single_choice", {}, "stem", "Write the question."),
        ("single_choice", {}, "options", "Give at least two options."),
        ("single_choice", {"options": "one empty"}, "options-1-text", "Write this choice, or empty the whole row"),
        ("single_choice", {"options": "filled"}, "options", "Mark exactly one option as the correct answer."),
        ("multiple_response", {"options": "unmarked"}, "options", "Mark at least one option as correct"),
        ("true_false", {}, "answer", "Choose whether the statement is true or false."),
        ("numeric", {}, "answer", "Enter the correct answer as a number."),
        ("numeric", {"answer": "1e999"}, "answer", "Enter a number, such as 2 or 0.5."),
        ("numeric", {"answer": "4", "tolerance": "-1"}, "tolerance", "This cannot be negative."),
        ("short_text", {}, "answers", "Give at least one accepted answer."),
        ("ordering", {"options": "one"}, "options", "Give at least two steps, in the correct order."),
        ("matching", {}, "pairs", "Give at least two pairs."),
        ("inline_choice", {"stem": "no gaps"}, "stem", "Write each gap into the question as {{name}}"),
        ("essay", {"expected_seconds": "soon"}, "expected_seconds", "Enter a whole number, such as 3."),
        ("essay", {"word_limit": "0"}, "word_limit", "This cannot be negative."),
    ],
)
def test_errors_name_the_field_in_an_authors_words(kind: str, change: dict[str, str], field: str, said: str) -> None:
    form = blank_form(kind)
    for name, value in change.items():
        if name == "options":
            texts = {"one": ["x"], "one empty": ["x", " "]}.get(value, ["x", "y"])
            form.options = [OptionRow(id=letter, text=text) for letter, text in zip("ABC", texts, strict=False)]
        else:
            setattr(form, name, value)
    parsed = native_from_form(form)
    assert parsed.native is None
    assert parsed.errors[field].startswith(said), parsed.errors
    assert not any(word in " ".join(parsed.errors.values()) for word in ("YAML", "JSON", "correct: true", "_"))


def test_an_option_id_and_a_gap_id_errors_sit_beside_their_row() -> None:
    form = blank_form("inline_choice")
    form.stem = "The {{bad id}}"
    parsed = native_from_form(form)
    assert parsed.native is None and "stem" in parsed.errors
    data = {**FULL["inline_choice"], "id": "x", "kind": "inline_choice"}
    form = form_from_native(stored(data))
    form.gaps[1].id = "9nine"
    assert native_from_form(form).errors == {
        "gaps-1-id": "Use letters, digits, dots, dashes or underscores, starting with a letter."
    }


def test_rich_text_only_where_the_editor_keeps_everything() -> None:
    assert rich_text_keeps('<div>A <strong>bold</strong> <a href="/x">link</a><img src="/media/x" alt="y"></div>')
    assert not rich_text_keeps("<table><tr><td>1</td></tr></table>")
    assert not rich_text_keeps("<p>H<sub>2</sub>O</p>")
    assert not rich_text_keeps("<math><mi>x</mi></math>")


def test_an_image_from_the_library_goes_into_the_question_with_its_description() -> None:
    form = blank_form("essay")
    url = "/media/" + "c" * 64
    assert add_image(form, url, 'A "ladder" & a wall') is None
    assert form.stem.endswith(f'<div><img src="{url}" alt="A &quot;ladder&quot; &amp; a wall"></div>')
    assert add_image(form, "https://evil.example/x.png", "x") == "Choose an image from the list."
    assert add_image(form, url, " ") == "Say what the image shows, for candidates who cannot see it."


def test_an_essays_rubric_is_for_markers_and_its_word_limit_for_the_candidate() -> None:
    from itembank.formats.native import item_from_dict
    from itembank.rendering import candidate_view

    content = item_from_dict({"id": "e", "kind": "essay", "stem": "<p>Why?</p>", **FULL["essay"]})
    assert [(r.view, r.html) for r in content.rubrics] == [(("scorer",), "<ul><li>Names the five steps</li></ul>")]
    assert content.interactions[0].prompt == "Your answer, at most 250 words"
    shown = str(candidate_view(content))
    assert "Names the five steps" not in shown and "at most 250 words" in shown
