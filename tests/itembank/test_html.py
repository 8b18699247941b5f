"""render_item_html: every interaction kind as labelled form controls that a plain form posts back, via
responses_from_form, as responses scoring reads; pre-filled, escaped, and never carrying a secret."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment

from itembank.content import ItemContent
from itembank.formats.native import item_from_dict
from itembank.formats.qti import import_item_xml
from itembank.html import render_item_html, responses_from_form
from itembank.html.controls import Page
from itembank.qti.values import RawResponse
from itembank.rendering import candidate_view, shuffled_order
from itembank.scoring import max_score, score
from tests.itembank import formdom
from tests.itembank.refdata import IMS_ITEMS, REFDATA
from tests.itembank.test_rendering import QTI_WITH_SECRETS, SECRET_FEEDBACK, SECRET_KEY, SECRET_RUBRIC

KEYMARK, RATIONALEMARK, FEEDBACKMARK = "KEYMARK4471", "RATIONALEMARK6620", "FEEDBACKMARK3318"

NATIVE: dict[str, dict[str, Any]] = {
    "single_choice": {
        "kind": "single_choice",
        "options": [
            {"id": "A", "text": "3"},
            {"id": "B", "text": "<b>4</b>", "correct": True},
            {"id": "C", "text": "5"},
        ],
    },
    "multiple_response": {
        "kind": "multiple_response",
        "points": 2,
        "options": [
            {"id": "A", "text": "2", "weight": 1},
            {"id": "B", "text": "4", "weight": -1},
            {"id": "C", "text": "3", "weight": 1},
        ],
    },
    "true_false": {"kind": "true_false", "answer": False},
    "numeric": {"kind": "numeric", "answer": 2.5, "tolerance": 0.1},
    "short_text": {"kind": "short_text", "answers": [{"text": "Amsterdam"}, {"text": "A'dam", "points": 0.5}]},
    "ordering": {
        "kind": "ordering",
        "points": 3,
        "options": [{"id": "a", "text": "1st"}, {"id": "b", "text": "2nd"}, {"id": "c", "text": "3rd"}],
    },
    "matching": {
        "kind": "matching",
        "pairs": [{"left": "NL", "right": "Amsterdam"}, {"left": "BE", "right": "Brussels"}],
        "distractors": ["Paris"],
    },
    "inline_choice": {
        "kind": "inline_choice",
        "stem": "<p>Water is {{state}} at {{temp}}.</p>",
        "gaps": [
            {"id": "state", "options": [{"id": "ice", "text": "solid", "correct": True}, {"id": "gas", "text": "gas"}]},
            {"id": "temp", "options": [{"id": "m10", "text": "-10 C", "correct": True}, {"id": "p50", "text": "50"}]},
        ],
    },
    "essay": {"kind": "essay", "points": 5, "expected_lines": 12},
}


def _native(kind: str) -> ItemContent:
    return item_from_dict({"id": f"n-{kind}", "stem": "<p>Question?</p>", "rationale": RATIONALEMARK, **NATIVE[kind]})


def _qti_files() -> list[Path]:
    if not REFDATA.is_dir():
        return []
    cito = REFDATA / "qti" / "citolab-qti-components"
    return sorted(IMS_ITEMS.glob("*/*.xml")) + sorted(cito.rglob("*.xml"))


def _qti_items() -> list[Any]:
    params = []
    for path in _qti_files():
        try:
            result = import_item_xml(path.read_bytes(), str(path))
        except Exception:  # not an item (a manifest, a test): not ours to judge here
            continue
        if result.errors or len(result.items) != 1 or not result.items[0].content.interactions:
            continue
        params.append(pytest.param(result.items[0].content, id=str(path.relative_to(REFDATA / "qti"))))
    return params


def _key(content: ItemContent) -> dict[str, RawResponse] | None:
    key: dict[str, RawResponse] = {}
    for declaration in content.responses:
        if not declaration.correct_response:
            return None
        values = list(declaration.correct_response)
        key[declaration.identifier] = values[0] if declaration.cardinality == "single" else values
    return key


ITEMS = [pytest.param(_native(kind), id=f"native-{kind}") for kind in NATIVE] + _qti_items()
KEYED = [item for item in ITEMS if _key(item.values[0]) is not None]


def _normal(content: ItemContent, responses: dict[str, RawResponse]) -> dict[str, Any]:
    normal: dict[str, Any] = {}
    for declaration in content.responses:
        raw = responses.get(declaration.identifier)
        values = [] if raw is None else [str(raw)] if isinstance(raw, str | int | float) else [str(v) for v in raw]
        if declaration.base_type == "pair":
            values = [" ".join(sorted(v.split())) for v in values]
        normal[declaration.identifier] = values if declaration.cardinality == "ordered" else sorted(values)
    return normal


def _shuffled_view(content: ItemContent, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    orders = {i.response_identifier: shuffled_order(i, rng) for i in content.interactions if i.choices}
    orders = {rid: order for rid, order in orders.items() if order}
    kinds = {i.response_identifier: i.kind for i in content.interactions}
    return candidate_view(content, {rid: o for rid, o in orders.items() if kinds[rid] != "hottext"})


def _check_markup(markup: str, view: dict[str, Any], prefix: str = "r") -> formdom.Node:
    root = formdom.parse(markup)
    names = {f"{prefix}.{i['response_identifier']}" for i in view["interactions"]}
    ids = [n.attrs["id"] for n in root.walk() if "id" in n.attrs]
    assert len(ids) == len(set(ids)), "ids repeat"
    assert all(i.startswith(f"{Page(prefix, {}, False).id_prefix}-") for i in ids), "ids derive from the prefix"
    for label in (n for n in root.walk() if n.tag == "label" and "for" in n.attrs):
        assert label.attrs["for"] in ids, f"label for a missing id {label.attrs['for']!r}"
    for node in root.walk():
        # hx-disable on the item's container is the renderer's own: htmx then processes nothing inside it
        assert not any(k.startswith(("data-", "on", "hx-")) for k in node.attrs if k != "hx-disable"), node.attrs
        assert node.tag not in ("script", "style", "form", "iframe")
    found = formdom.controls(root)
    assert {c.attrs["name"] for c in found} == names, "every interaction has controls, all named by the scheme"
    for control in found:
        assert formdom.accessible_name(root, control), f"<{control.tag} {control.attrs}> has no accessible name"
        if control.attrs.get("type") in ("radio", "checkbox") and control.parent and control.parent.tag != "label":
            assert formdom.group_legend(control), f"{control.attrs} is not in a fieldset with a legend"
    return root


@pytest.mark.parametrize("content", ITEMS)
def test_controls_parse_are_named_and_labelled(content: ItemContent) -> None:
    view = candidate_view(content)
    root = _check_markup(str(render_item_html(view)), view)
    _check_markup(str(render_item_html(view, disabled=True)), view)
    empty = responses_from_form(view, formdom.submitted(root))
    assert set(empty) == {i.response_identifier for i in content.interactions}
    assert all(value in (None, []) for value in empty.values()), empty


@pytest.mark.parametrize("content", KEYED)
@pytest.mark.parametrize("seed", [0, 1])
def test_submitting_the_prefilled_key_scores_as_the_key(content: ItemContent, seed: int) -> None:
    key = _key(content)
    assert key is not None
    view = _shuffled_view(content, seed)
    root = _check_markup(str(render_item_html(view, responses=key, name_prefix="item7")), view, "item7")
    back = responses_from_form(view, formdom.submitted(root), name_prefix="item7")
    assert _normal(content, back) == _normal(content, key)
    result, direct = score(content, back), score(content, key)
    assert (result.score, result.pending) == (direct.score, direct.pending)
    # where a human scores part of the item (MAXSCORE counts it), the key alone cannot reach MAXSCORE
    if not result.pending and not any(o.external_scored for o in content.outcomes):
        assert result.score == max_score(content), "the key, posted back through the form, earns full marks"


@pytest.mark.parametrize("kind", list(NATIVE))
def test_native_key_earns_full_marks_through_the_form(kind: str) -> None:
    content = _native(kind)
    key = _key(content) or {"RESPONSE": "An essay"}
    view = candidate_view(content)
    back = responses_from_form(view, formdom.submitted(formdom.parse(render_item_html(view, responses=key))))
    result = score(content, back)
    assert result.pending is (kind == "essay")
    assert result.score == (None if kind == "essay" else max_score(content))


def test_no_key_rationale_feedback_or_rubric_reaches_the_html() -> None:
    content = import_item_xml(QTI_WITH_SECRETS.encode(), "secret.xml").items[0].content
    native = item_from_dict(
        {
            "id": "s",
            "kind": "single_choice",
            "stem": "<p>Pick</p>",
            "rationale": RATIONALEMARK,
            "options": [{"id": "A", "text": "a"}, {"id": "B", "text": "b", "correct": True, "feedback": FEEDBACKMARK}],
        }
    )
    short = item_from_dict(
        {
            "id": "t",
            "kind": "short_text",
            "stem": "<p>?</p>",
            "answers": [{"text": KEYMARK}],
            "rationale": RATIONALEMARK,
        }
    )
    for item in (content, native, short, *(_native(k) for k in NATIVE)):
        for markup in (render_item_html(candidate_view(item)), render_item_html(candidate_view(item), disabled=True)):
            for marker in (SECRET_KEY, SECRET_FEEDBACK, SECRET_RUBRIC, KEYMARK, RATIONALEMARK, FEEDBACKMARK):
                assert marker not in markup
    assert "Type the word." in render_item_html(candidate_view(content))


def test_hostile_content_is_cleaned_again() -> None:
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    view = {
        "identifier": "h",
        "language": 'en" onclick="x',
        "stem": f'<p id="r-RESPONSE-1" data-hx-get="/delete" data-hx-trigger="load">Q {hostile}'
        '<label for="r-RESPONSE-1">fake</label><a href="javascript:alert(3)">link</a></p>'
        '<div data-interaction="RESPONSE"></div><div data-interaction="RESPONSE"></div>'
        '<span data-interaction="NOPE">gone</span>',
        "interactions": [
            {
                "response_identifier": "RESPONSE",
                "kind": "choice",
                "cardinality": "single",
                "prompt": f"<em>P</em>{hostile}",
                "options": [{"identifier": 'A"><b', "html": f'<span data-hx-post="/x">A</span>{hostile}'}],
            }
        ],
    }
    markup = str(render_item_html(view))
    root = _check_markup(markup, view)
    assert '<div class="ie-item" hx-disable>' in markup, "a language that is no language tag is left out"
    for bad in ("onerror", "onclick", "<script", "alert(2)", "javascript:", "hx-get", "gone", "fake</label>"):
        assert bad not in markup
    assert len(formdom.controls(root)) == 1, "a placeholder repeated places the interaction once"
    assert responses_from_form(view, [("r.RESPONSE", 'A"><b')]) == {"RESPONSE": 'A"><b'}


def test_jinja_drops_the_markup_in_unescaped_and_prefix_keeps_two_items_apart() -> None:
    a, b = candidate_view(_native("single_choice")), candidate_view(_native("numeric"))
    page = Environment(autoescape=True).from_string("<form method=post>{{ a }}{{ b }}</form>")
    markup = page.render(a=render_item_html(a, name_prefix="i1"), b=render_item_html(b, name_prefix="i2"))
    root = formdom.parse(markup)
    ids = [n.attrs["id"] for n in root.walk() if "id" in n.attrs]
    assert len(ids) == len(set(ids)) and '<input type="radio"' in markup
    assert formdom.submitted(root) == [("i2.RESPONSE", "")]
    fields = [("csrf", "t"), ("i1.RESPONSE", "B"), ("i2.RESPONSE", "2,5")]
    assert responses_from_form(a, fields, "i1") == {"RESPONSE": "B"}
    assert responses_from_form(b, fields, "i2") == {"RESPONSE": "2.5"}


def test_placement_hints_and_input_modes() -> None:
    inline = str(render_item_html(candidate_view(_native("inline_choice")), responses={"RESPONSE_temp": "p50"}))
    assert inline.index("Water is <select") < inline.index("> at <select")
    assert 'aria-label="Answer 1"' in inline and '<option value="p50" selected>50</option>' in inline
    numeric = str(render_item_html(candidate_view(_native("numeric")), responses={"RESPONSE": 2.5}))
    assert 'inputmode="decimal"' in numeric and 'value="2.5"' in numeric
    assert "inputmode" not in str(render_item_html(candidate_view(_native("short_text"))))
    essay = str(render_item_html(candidate_view(_native("essay"))))
    assert 'rows="12"' in essay and '<label for="r-RESPONSE">Your answer</label>' in essay
    single = str(render_item_html(candidate_view(_native("single_choice"))))
    assert "<legend>Choose one answer</legend>" in single
    # a block interaction with no placeholder comes after the stem
    assert single.index("Question?") < single.index("<fieldset")
    view = candidate_view(_native("multiple_response"))
    view["interactions"][0]["max_choices"] = 2
    assert "Choose up to 2 answers" in render_item_html(view)


def test_disabled_review_renders_read_only_and_posts_nothing_from_choices() -> None:
    view = candidate_view(_native("single_choice"))
    markup = str(render_item_html(view, responses={"RESPONSE": "B"}, disabled=True))
    assert markup.count(" disabled") == 3 and "checked disabled" in markup
    essay = str(render_item_html(candidate_view(_native("essay")), responses={"RESPONSE": "x"}, disabled=True))
    assert " readonly" in essay and " disabled" not in essay


def test_text_survives_the_round_trip_exactly() -> None:
    view = candidate_view(_native("essay"))
    text = '\nFirst line </textarea><b>&amp;\n\n  indented "quoted"'
    root = formdom.parse(str(render_item_html(view, responses={"RESPONSE": text})))
    assert responses_from_form(view, formdom.submitted(root)) == {"RESPONSE": text}
    crlf = text.replace("\n", "\r\n")
    assert responses_from_form(view, [("r.RESPONSE", crlf)]) == {"RESPONSE": text}
    short = candidate_view(_native("short_text"))
    assert responses_from_form(short, [("r.RESPONSE", "  Amsterdam ")]) == {"RESPONSE": "Amsterdam"}
    assert responses_from_form(short, [("r.RESPONSE", "   ")]) == {"RESPONSE": None}


def test_tampered_or_odd_submissions_keep_only_what_the_item_offers() -> None:
    choice = candidate_view(_native("multiple_response"))
    assert responses_from_form(choice, [("r.RESPONSE", "A"), ("r.RESPONSE", "Z"), ("r.RESPONSE", "A")]) == {
        "RESPONSE": ["A"]
    }
    single = candidate_view(_native("single_choice"))
    assert responses_from_form(single, [("r.RESPONSE", "C"), ("r.RESPONSE", "A")]) == {"RESPONSE": "C"}
    order = candidate_view(_native("ordering"))
    fields = [("r.RESPONSE", "c 1"), ("r.RESPONSE", "a 9"), ("r.RESPONSE", "b 1"), ("r.RESPONSE", "")]
    assert responses_from_form(order, fields) == {"RESPONSE": ["c", "b"]}
    match = candidate_view(_native("matching"))
    fields = [("r.RESPONSE", "L1 R2"), ("r.RESPONSE", "R2 L1"), ("r.RESPONSE", "L2 L1"), ("r.RESPONSE", "L1 R2")]
    assert responses_from_form(match, fields) == {"RESPONSE": ["L1 R2"]}
    assert " selected" not in render_item_html(match, responses={"RESPONSE": ["R2 L1"]}), "a match pair has a direction"


def test_associate_pairs_have_no_direction_and_gaps_hold_one_text() -> None:
    associate = {
        "interactions": [
            {
                "response_identifier": "R",
                "kind": "associate",
                "cardinality": "multiple",
                "options": [{"identifier": x, "html": x, "match_max": 1} for x in "ABCD"],
            }
        ],
        "stem": "",
    }
    fields = [("r.R", "A B"), ("r.R", "B A"), ("r.R", "C D"), ("r.R", "C C")]
    assert responses_from_form(associate, fields) == {"R": ["A B", "C D"]}
    # "B A" is shown in A's row, or in B's when A's select already holds a pair
    markup = str(render_item_html(associate, responses={"R": ["A C", "B A"]}))
    assert '<option value="A C" selected>' in markup and '<option value="B A" selected>' in markup
    gap = {
        "interactions": [
            {
                "response_identifier": "G",
                "kind": "gapMatch",
                "cardinality": "multiple",
                "options": [{"identifier": "W", "html": "w"}, {"identifier": "S", "html": "s"}],
                "targets": [{"identifier": "G1", "html": ""}],
                "content": '<p>a <span data-gap="G1"></span> b <span data-gap="G9"></span></p>',
            }
        ],
        "stem": "",
    }
    assert responses_from_form(gap, [("r.G", "W G1"), ("r.G", "S G1"), ("r.G", "W G9")]) == {"G": ["W G1"]}
    assert str(render_item_html(gap)).count("<select") == 1


def test_match_sources_that_take_several_targets_get_checkboxes() -> None:
    view = {
        "stem": '<div data-interaction="M"></div>',
        "interactions": [
            {
                "response_identifier": "M",
                "kind": "match",
                "cardinality": "multiple",
                "options": [{"identifier": "S1", "html": "<i>one</i>", "match_max": 0}],
                "targets": [{"identifier": "T1", "html": "t1"}, {"identifier": "T2", "html": "<b>t2</b>"}],
            }
        ],
    }
    root = _check_markup(str(render_item_html(view, responses={"M": ["S1 T1", "S1 T2"]})), view)
    assert formdom.submitted(root) == [("r.M", "S1 T1"), ("r.M", "S1 T2")]
    assert responses_from_form(view, formdom.submitted(root)) == {"M": ["S1 T1", "S1 T2"]}


def test_options_in_selects_read_as_text_math_and_images_included() -> None:
    view = {
        "stem": '<p>x <span data-interaction="I"></span></p>',
        "interactions": [
            {
                "response_identifier": "I",
                "kind": "inlineChoice",
                "cardinality": "single",
                "options": [
                    {
                        "identifier": "a",
                        "html": '<math><msup><mn>12</mn><mn>2</mn></msup><annotation encoding="latex">'
                        "12^2</annotation></math>",
                    },
                    {"identifier": "b", "html": '<img src="c.png" alt="a cat"> <b>&lt;tag&gt;</b>'},
                    {"identifier": "c", "html": ""},
                ],
            }
        ],
    }
    markup = str(render_item_html(view))
    assert ">12^2</option>" in markup and ">a cat &lt;tag&gt;</option>" in markup and ">Option 3</option>" in markup


def test_several_strings_get_several_labelled_boxes_and_odd_prefixes_stay_valid() -> None:
    view = {
        "stem": "<p>Name three rivers.</p>",
        "interactions": [
            {"response_identifier": "RIVERS", "kind": "extendedText", "cardinality": "multiple", "max_strings": 3}
        ],
    }
    markup = str(render_item_html(view, responses={"RIVERS": ["Rhine", "Meuse"]}, name_prefix="7 q.3"))
    root = _check_markup(markup, view, "7 q.3")
    assert markup.count("<textarea") == 3 and 'id="r-7-q-3-RIVERS-1"' in markup
    fields = formdom.submitted(root)
    assert fields == [("7 q.3.RIVERS", "Rhine"), ("7 q.3.RIVERS", "Meuse"), ("7 q.3.RIVERS", "")]
    assert responses_from_form(view, fields, "7 q.3") == {"RIVERS": ["Rhine", "Meuse"]}


def test_an_essay_box_is_described_by_its_count_and_the_items_expected_length() -> None:
    """The essay's count line below the box (the exam page's script writes the live word count into it) carries the
    item's expected length when the item has one, and nothing claims a length it does not have."""
    view = {"interactions": [{"response_identifier": "RESPONSE", "kind": "extendedText", "expected_length": 400}]}
    root = formdom.parse(str(render_item_html(view)))
    box = next(n for n in root.walk() if n.tag == "textarea")
    count = next(n for n in root.walk() if n.attrs.get("id") == box.attrs["aria-describedby"])
    assert count.tag == "p" and "About 400 characters expected." in str(render_item_html(view))
    view["interactions"][0].pop("expected_length")
    assert "characters expected" not in str(render_item_html(view))


@pytest.mark.parametrize("kind", sorted(NATIVE))
def test_the_item_macros_escape_every_value_that_is_not_author_markup(kind: str) -> None:
    """Names, values, typed answers and option texts reach templates/items/_interactions.html as plain strings:
    its environment escapes them (autoescape on), so none can open an element, whatever the prefix or answer."""
    hostile = '"><x y="1"></x><script>alert(1)</script>'
    view = candidate_view(_native(kind))
    responses: dict[str, RawResponse] = {i["response_identifier"]: [hostile] for i in view["interactions"]}
    for disabled in (False, True):
        markup = str(render_item_html(view, responses=responses, name_prefix=hostile, disabled=disabled))
        tags = {node.tag for node in formdom.parse(markup).walk()}
        assert not tags & {"x", "script"}, markup
        assert "<script" not in markup and "<x " not in markup
        names = {n.attrs.get("name") for n in formdom.controls(formdom.parse(markup))}
        assert names == {f"{hostile}.{rid}" for rid in responses}


@pytest.mark.parametrize("content", ITEMS)
def test_the_stem_parsed_once_gives_exactly_the_markup_of_a_full_parse(
    content: ItemContent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """render_item_html cuts each stem at its placeholders once (placeholder_split) and then renders only the
    controls: byte for byte what parsing the stem on every call gives, with and without an answer."""
    view = _shuffled_view(content, 3)
    key = _key(content) or {}
    fast = [str(render_item_html(view, responses=r, disabled=d)) for r in ({}, key) for d in (False, True)]
    monkeypatch.setattr("itembank.html.placeholder_split", lambda markup, attribute: None)
    assert fast == [str(render_item_html(view, responses=r, disabled=d)) for r in ({}, key) for d in (False, True)]


def test_a_stem_with_the_cut_character_unknown_and_repeated_placeholders_renders_as_before() -> None:
    from itembank.html.markup import placeholder_split

    content = _native("single_choice")
    stem = (
        '<p>Pick \ue000 one:</p><div data-interaction="RESPONSE"><p>dropped</p></div><div data-interaction="X"></div>'
    )
    assert placeholder_split(stem, "data-interaction") is None
    view = {**candidate_view(content), "stem": stem}
    markup = str(render_item_html(view))
    assert "dropped" not in markup and markup.count('type="radio"') == len(view["interactions"][0]["options"])
    repeated = {**view, "stem": '<div data-interaction="RESPONSE"></div><p>and</p><div data-interaction="RESPONSE"/>'}
    parts = placeholder_split(repeated["stem"], "data-interaction")
    assert parts is not None and parts[1] == ("RESPONSE", "RESPONSE")
    again = str(render_item_html(repeated))
    assert again.count('type="radio"') == len(view["interactions"][0]["options"]) and "<p>and</p>" in again
