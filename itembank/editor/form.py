"""The item editor's form: what an author sees and types, as strings, for every native kind.

`form_from_native` fills it from a stored native item, `form_from_fields` from a submitted HTML form (field names
below), and `editor.parse.native_from_form` turns it back into a native item. Nothing here knows about HTTP.

Field names: the item's own fields by name (`stem`, `points`, `answer`...), rows as `options-2-text`,
`answers-0-points`, `pairs-1-left`, `distractors-0-text`, `gaps-1-options-0-text`; the key of a single choice is the
radio `correct` (the row number), of a gap `gaps-N-correct`, of a multiple response `options-N-correct` checkboxes.
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS: dict[str, str] = {
    "single_choice": "Single choice",
    "multiple_response": "Multiple choice (several answers)",
    "true_false": "True or false",
    "numeric": "Number",
    "short_text": "Short text answer",
    "ordering": "Put in order",
    "matching": "Matching pairs",
    "inline_choice": "Choices in the text (drop-downs)",
    "essay": "Essay (marked by a person)",
}
SPARE_ROWS = 2  # empty rows under the filled ones, so a form without JavaScript can grow


def number_text(value: Any) -> str:
    """A stored number as an author reads it: 2 rather than 2.0."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


@dataclass
class OptionRow:
    id: str = ""
    text: str = ""
    correct: bool = False
    weight: str = ""
    fixed: bool = False
    feedback: str = ""

    @property
    def blank(self) -> bool:
        return not (self.text.strip() or self.feedback.strip() or self.weight.strip())


@dataclass
class AnswerRow:
    text: str = ""
    points: str = ""


@dataclass
class PairRow:
    left: str = ""
    right: str = ""


@dataclass
class GapRow:
    id: str = ""
    options: list[OptionRow] = field(default_factory=list)


@dataclass
class EditorForm:
    kind: str
    ref: str = ""
    title: str = ""
    stem: str = ""
    points: str = "1"
    rationale: str = ""
    shuffle: bool = True
    options: list[OptionRow] = field(default_factory=list)
    answer: str = ""
    tolerance: str = "0"
    tolerance_mode: str = "absolute"
    floor: str = "0"
    ceiling: str = ""
    answers: list[AnswerRow] = field(default_factory=list)
    case_sensitive: bool = False
    normalize_whitespace: bool = True
    pairs: list[PairRow] = field(default_factory=list)
    distractors: list[str] = field(default_factory=list)
    gaps: list[GapRow] = field(default_factory=list)
    expected_lines: str = ""
    word_limit: str = ""
    rubric: str = ""
    domain: str = ""
    tags: str = ""
    enemy_groups: str = ""
    language: str = ""
    expected_seconds: str = ""
    source: str = ""

    def with_spare_rows(self) -> EditorForm:
        """This form with empty rows added after the filled ones (what the page shows)."""
        spare = EditorForm(**{**self.__dict__})
        minimum = {"single_choice": 4, "multiple_response": 4, "ordering": 3}.get(self.kind, 0)
        rows = max(SPARE_ROWS, minimum - len(self.options))
        spare.options = with_ids(self.options + [OptionRow() for _ in range(rows)])
        spare.answers = self.answers + [AnswerRow() for _ in range(SPARE_ROWS)]
        spare.pairs = self.pairs + [PairRow() for _ in range(SPARE_ROWS)]
        spare.distractors = self.distractors + ["" for _ in range(SPARE_ROWS)]
        spare.gaps = [GapRow(g.id, with_ids(g.options + [OptionRow() for _ in range(SPARE_ROWS)])) for g in self.gaps]
        spare.gaps += [GapRow(options=with_ids([OptionRow() for _ in range(3)])) for _ in range(1 if self.gaps else 2)]
        return spare


def with_ids(options: list[OptionRow]) -> list[OptionRow]:
    """Rows without an id get the first free letter (A, B, ... then A2, B2, ...): an option keeps its id for life."""
    taken = {o.id for o in options if o.id}
    free = (f"{letter}{'' if n == 1 else n}" for n in range(1, 100) for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    for option in options:
        if not option.id:
            option.id = next(candidate for candidate in free if candidate not in taken)
            taken.add(option.id)
    return options


def blank_form(kind: str) -> EditorForm:
    """A new item of `kind`, as the "New item" page first shows it."""
    return EditorForm(kind=kind)  # its rows are the spare rows the page adds


def _option_row(option: Mapping[str, Any]) -> OptionRow:
    return OptionRow(
        id=str(option.get("id", "")),
        text=str(option.get("text", "")),
        correct=bool(option.get("correct", False)),
        weight=number_text(option.get("weight")),
        fixed=bool(option.get("fixed", False)),
        feedback=str(option.get("feedback") or ""),
    )


def _labels(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def form_from_native(native: Mapping[str, Any]) -> EditorForm:
    """The form showing a stored native item (a dict as `NativeItem` takes it)."""
    metadata = native.get("metadata") or {}
    answer = native.get("answer")
    return EditorForm(
        kind=str(native.get("kind", "")),
        ref=str(native.get("id", "")),
        title=str(native.get("title", "")),
        stem=str(native.get("stem", "")),
        points=number_text(native.get("points", 1)),
        rationale=str(native.get("rationale", "")),
        shuffle=bool(native.get("shuffle", True)),
        options=[_option_row(o) for o in native.get("options", [])],
        answer=("true" if answer else "false") if isinstance(answer, bool) else number_text(answer),
        tolerance=number_text(native.get("tolerance", 0)),
        tolerance_mode=str(native.get("tolerance_mode", "absolute")),
        floor=number_text(native.get("floor", 0.0)),
        ceiling=number_text(native.get("ceiling")),
        answers=[AnswerRow(str(a.get("text", "")), number_text(a.get("points"))) for a in native.get("answers", [])],
        case_sensitive=bool(native.get("case_sensitive", False)),
        normalize_whitespace=bool(native.get("normalize_whitespace", True)),
        pairs=[PairRow(str(p.get("left", "")), str(p.get("right", ""))) for p in native.get("pairs", [])],
        distractors=[str(d) for d in native.get("distractors", [])],
        gaps=[
            GapRow(str(g.get("id", "")), [_option_row(o) for o in g.get("options", [])]) for g in native.get("gaps", [])
        ],
        expected_lines=number_text(native.get("expected_lines")),
        word_limit=number_text(native.get("word_limit")),
        rubric=str(native.get("rubric", "")),
        domain=str(metadata.get("domain") or ""),
        tags=_labels(metadata.get("tags", ())),
        enemy_groups=_labels(metadata.get("enemy_groups", ())),
        language=str(metadata.get("language") or ""),
        expected_seconds=number_text(metadata.get("expected_seconds")),
        source=str(metadata.get("source") or ""),
    )


_TAG = re.compile(r"<\s*([A-Za-z][\w-]*)")
# What the rich-text editor (Trix) can load and give back unchanged in meaning; other markup (tables, formulas,
# sub- and superscripts, audio) is edited as HTML instead, so that opening an item never loses any of it.
RICH_TEXT_TAGS = frozenset(
    [
        "div",
        "p",
        "br",
        "strong",
        "b",
        "em",
        "i",
        "del",
        "s",
        "strike",
        "a",
        "h1",
        "blockquote",
        "pre",
        "ul",
        "ol",
        "li",
        "figure",
        "figcaption",
        "img",
        "span",
    ]
)
MEDIA_URL = re.compile(r"/media/[0-9a-f]{64}")


def rich_text_keeps(html: str) -> bool:
    return all(tag.lower() in RICH_TEXT_TAGS for tag in _TAG.findall(html))


def add_image(form: EditorForm, url: str, alt: str) -> str | None:
    """Put an image from the media library at the end of the question; what is wrong, or None."""
    if not MEDIA_URL.fullmatch(url):
        return "Choose an image from the list."
    if not alt.strip():
        return "Say what the image shows, for candidates who cannot see it."
    form.stem += f'<div><img src="{url}" alt="{html.escape(alt.strip())}"></div>'
    return None


def with_stand_in_key(form: EditorForm) -> EditorForm:
    """A copy of `form` with a key wherever it has none, for the preview only: candidates never see the key, and the
    author marks it by clicking the preview, which must therefore show before the key is set."""
    stand_in = copy.deepcopy(form)
    if form.kind == "single_choice" and stand_in.options and not any(o.correct for o in stand_in.options):
        stand_in.options[0].correct = True
    if form.kind == "multiple_response" and stand_in.options and not any(o.correct for o in stand_in.options):
        stand_in.options[0].correct = True
    if form.kind == "true_false" and form.answer not in ("true", "false"):
        stand_in.answer = "true"
    if form.kind == "numeric" and not form.answer.strip():
        stand_in.answer = "0"
    if form.kind == "short_text" and not form.answers:
        stand_in.answers = [AnswerRow("?")]
    for gap in stand_in.gaps:
        if gap.options and not any(o.correct for o in gap.options):
            gap.options[0].correct = True
    return stand_in
