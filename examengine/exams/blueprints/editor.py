"""The structured blueprint editor's form: flat named fields to and from the blueprint that parse_definition checks.

Field names spell the definition's path with hyphens (`retake_policy-max_attempts`, `sections-0-draw-1-count`), so
a validation error's location names the field it concerns. Values stay strings as they were entered: parsing them
is pydantic's job on the one validation path the YAML editor and the API share.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from examengine.errors import InvalidInput
from examengine.exams.definition import ExamDefinition, Section

# (form name, kind): "text" is always sent, "number" and "moment" are left out when blank (the default applies),
# "check" is a checkbox. A group whose number fields are all blank is left out (cut_score, scale).
TOP_FIELDS: tuple[tuple[str, str], ...] = (
    ("code", "text"),
    ("title", "text"),
    ("instructions", "text"),
    ("time_limit_minutes", "number"),
    ("assembly", "text"),
    ("forms", "number"),
    ("navigation-mode", "text"),
    ("navigation-allow_review", "check"),
    ("navigation-allow_flagging", "check"),
    ("cut_score-type", "number"),
    ("cut_score-value", "number"),
    ("scale-min", "number"),
    ("scale-max", "number"),
    ("scale-cut", "number"),
    ("retake_policy-max_attempts", "number"),
    ("retake_policy-wait_days_after_fail", "number"),
    ("retake_policy-allow_after_pass", "check"),
    ("retake_policy-period_days", "number"),
    ("retake_policy-max_attempts_in_period", "number"),
    ("retake_policy-require_different_form", "check"),
    ("result_release", "text"),
    ("release_at", "moment"),
    ("certificate_valid_days", "number"),
    ("marking-double", "check"),
    ("marking-max_difference", "number"),
    ("marking-resolution", "text"),
    ("marking-round_to", "number"),
    ("difficulty_target", "number"),
    ("difficulty_tolerance", "number"),
    ("max_exposure", "number"),
    ("incident_credit_cap_minutes", "number"),
)
SECTION_FIELDS: tuple[tuple[str, str], ...] = (
    ("title", "text"),
    ("time_limit_minutes", "number"),
    ("shuffle_items", "check"),
    ("shuffle_options", "check"),
)
ITEM_FIELDS = ("item_id", "version")
DRAW_FIELDS = ("count", "domain", "tag")
OPTIONAL_GROUPS = ("cut_score", "scale")
MAX_SECTIONS = 50
MAX_ROWS = 500
CHECKED = "on"

# The blueprint-wide checks of definition.py have no location of their own: the field each one concerns.
_WHOLE_BLUEPRINT_CHECKS = (
    ("percent cut score", "cut_score-value"),
    ("scaled cut score needs a scale", "scale"),
    ("on_date needs release_at", "release_at"),
    ("listed twice among the fixed items", "sections"),
    ("a domain is named twice", "extra"),
)


@dataclass
class SectionForm:
    fields: dict[str, str]
    items: list[dict[str, str]] = field(default_factory=list)
    draw: list[dict[str, str]] = field(default_factory=list)
    extra: str = ""  # JSON of fields the form does not show, kept as they were


@dataclass
class BlueprintForm:
    fields: dict[str, str]
    sections: list[SectionForm]
    extra: str = ""

    def extra_names(self) -> list[str]:
        names = list(_extra_object(self.extra, "extra"))
        for section in self.sections:
            names += [f"{section.fields['title'] or 'section'}: {n}" for n in _extra_object(section.extra, "extra")]
        return names


def empty_section(number: int) -> SectionForm:
    return SectionForm(
        {"title": f"Part {number}", "time_limit_minutes": "", "shuffle_items": CHECKED, "shuffle_options": CHECKED},
        draw=[{"count": "", "domain": "", "tag": ""}],
    )


def blank_form() -> BlueprintForm:
    """A new blueprint: the definition's defaults, one section with one draw rule."""
    defaults = ExamDefinition.model_construct(code="", title="", sections=())
    values = _flatten_top(defaults.model_dump(mode="json", exclude={"sections"}))
    return BlueprintForm({**values, "code": "", "title": ""}, [empty_section(1)])


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return CHECKED if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _moment_text(value: Any) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(str(value))
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")


def _flatten_top(dumped: Mapping[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, kind in TOP_FIELDS:
        group, _, key = name.partition("-")
        raw = (dumped.get(group) or {}).get(key) if key else dumped.get(name)
        values[name] = _moment_text(raw) if kind == "moment" else _text(raw)
    return values


def _extra_json(dumped: Mapping[str, Any], known: set[str]) -> str:
    extra = {k: v for k, v in dumped.items() if k not in known}
    return json.dumps(extra, sort_keys=True) if extra else ""


def from_definition(definition: ExamDefinition) -> BlueprintForm:
    """The form showing a stored blueprint (fields the form does not show are carried along unchanged)."""
    dumped = definition.model_dump(mode="json")
    sections = []
    for section in dumped["sections"]:
        sections.append(
            SectionForm(
                {name: _text(section.get(name)) for name, _ in SECTION_FIELDS},
                [{k: _text(row.get(k)) for k in ITEM_FIELDS} for row in section["items"]],
                [{k: _text(row.get(k)) for k in DRAW_FIELDS} for row in section["draw"]],
                _extra_json(section, set(Section.model_fields)),
            )
        )
    # What the form does not show is carried along: undeclared fields and declared ones without a field (domains).
    shown = {name.partition("-")[0] for name, _ in TOP_FIELDS} | {"sections"}
    not_default = definition.model_dump(mode="json", exclude_defaults=True)
    return BlueprintForm(_flatten_top(dumped), sections, _extra_json(not_default, shown))


_ROW = re.compile(r"^sections-(\d{1,4})-(?:(items|draw)-(\d{1,4})-)?([a-z_]+)$")


def from_submission(submitted: Mapping[str, str]) -> BlueprintForm:
    """The form as submitted, rows renumbered in their order on the page (a removed row leaves a gap)."""
    values = {
        name: submitted.get(name, "").strip() if kind != "text" else submitted.get(name, "")
        for name, kind in TOP_FIELDS
    }
    for name, kind in TOP_FIELDS:
        if kind == "check":
            values[name] = CHECKED if submitted.get(name) else ""
    found: dict[int, dict[str, Any]] = {}
    for name, value in submitted.items():
        match = _ROW.match(name)
        if match is None:
            continue
        s_index, rows, r_index, key = match.groups()
        section = found.setdefault(int(s_index), {"fields": {}, "items": {}, "draw": {}})
        if rows:
            section[rows].setdefault(int(r_index), {})[key] = value.strip()
        else:
            section["fields"][key] = value
    if len(found) > MAX_SECTIONS:
        raise InvalidInput(f"A blueprint has at most {MAX_SECTIONS} sections.", code="too_many_sections")
    sections = []
    for index in sorted(found):
        raw = found[index]
        if len(raw["items"]) > MAX_ROWS or len(raw["draw"]) > MAX_ROWS:
            raise InvalidInput(f"A section has at most {MAX_ROWS} rows of each kind.", code="too_many_rows")
        fields = {name: raw["fields"].get(name, "") for name, _ in SECTION_FIELDS}
        for name, kind in SECTION_FIELDS:
            if kind == "check":
                fields[name] = CHECKED if raw["fields"].get(name) else ""
        sections.append(
            SectionForm(
                fields,
                [{k: row.get(k, "") for k in ITEM_FIELDS} for _, row in sorted(raw["items"].items())],
                [{k: row.get(k, "") for k in DRAW_FIELDS} for _, row in sorted(raw["draw"].items())],
                raw["fields"].get("extra", ""),
            )
        )
    return BlueprintForm(values, sections, submitted.get("extra", ""))


def _extra_object(raw: str, name: str) -> dict[str, Any]:
    if not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        raise InvalidInput(
            "The fields kept from the stored blueprint are damaged: reload the page.",
            code="invalid_exam",
            details={"problems": [{"field": name, "message": "not a JSON object"}]},
        )
    return parsed


def _value(raw: str, kind: str) -> Any:
    if kind == "check":
        return bool(raw)
    if kind == "moment" and raw and not re.search(r"(Z|[+-]\d\d:?\d\d)$", raw):
        return raw + "Z"  # the form asks for UTC
    return raw


def to_raw(form: BlueprintForm) -> dict[str, Any]:
    """The blueprint as a mapping for parse_definition: blanks left out so that defaults apply."""
    raw: dict[str, Any] = dict(_extra_object(form.extra, "extra"))
    for name, kind in TOP_FIELDS:
        value = form.fields.get(name, "")
        if kind in ("number", "moment") and not value.strip():
            continue
        group, _, key = name.partition("-")
        if key:
            raw.setdefault(group, {})[key] = _value(value, kind)
        else:
            raw[name] = _value(value, kind)
    for group in OPTIONAL_GROUPS:
        raw.setdefault(group, None)
    sections = []
    for index, section in enumerate(form.sections):
        body: dict[str, Any] = dict(_extra_object(section.extra, f"sections-{index}"))
        for name, kind in SECTION_FIELDS:
            value = section.fields.get(name, "")
            if kind == "number" and not value.strip():
                continue
            body[name] = _value(value, kind)
        body["items"] = [{k: v for k, v in row.items() if v} for row in section.items]
        body["draw"] = [{k: v for k, v in row.items() if v} for row in section.draw]
        sections.append(body)
    raw["sections"] = sections
    return raw


def field_errors(problems: list[Mapping[str, str]]) -> dict[str, str]:
    """parse_definition's problems by form field name (`sections.0.draw.1.count` -> `sections-0-draw-1-count`)."""
    errors: dict[str, str] = {}
    for problem in problems:
        name = problem["field"].replace(".", "-")
        message = problem["message"].removeprefix("Value error, ")
        if name == "(body)":
            name = next((f for text, f in _WHOLE_BLUEPRINT_CHECKS if text in message), "form")
        errors.setdefault(name, message)
    if any(name.startswith("sections-") for name in errors) and "after validation" in errors.get("sections", ""):
        del errors["sections"]  # pydantic's echo of a section that failed: the section's own errors say why
    return errors


def _move(rows: list[Any], index: int, step: int) -> None:
    target = index + step
    if 0 <= index < len(rows) and 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]


_EDIT = re.compile(r"^(add|remove|up|down)-(section|item|draw)((?:-\d{1,4}){0,2})$")


def apply_edit(form: BlueprintForm, action: str) -> str | None:
    """Apply a layout button (`add-section`, `add-draw-0`, `remove-draw-0-1`, `up-section-2`, …) and return the
    field to put the focus on afterwards; None when the action names nothing on the form."""
    match = _EDIT.match(action)
    if match is None:
        return None
    verb, target = match.group(1), match.group(2)
    numbers = [int(n) for n in match.group(3).split("-") if n]
    sections = form.sections
    if target == "section":
        if verb == "add" and not numbers and len(sections) < MAX_SECTIONS:
            sections.append(empty_section(len(sections) + 1))
            return f"sections-{len(sections) - 1}-title"
        if verb == "add" or len(numbers) != 1 or not 0 <= numbers[0] < len(sections):
            return None
        index = numbers[0]
        if verb == "remove":
            sections.pop(index)
            return f"sections-{min(index, len(sections) - 1)}-title" if sections else "add-section"
        moved = index + (-1 if verb == "up" else 1)
        _move(sections, index, moved - index)
        return f"sections-{max(0, min(moved, len(sections) - 1))}-title"
    if not numbers or not 0 <= numbers[0] < len(sections) or verb in ("up", "down"):
        return None
    index = numbers[0]
    kind = "items" if target == "item" else "draw"
    rows = sections[index].items if kind == "items" else sections[index].draw
    if verb == "add" and len(numbers) == 1 and len(rows) < MAX_ROWS:
        rows.append({"item_id": "", "version": "1"} if kind == "items" else {"count": "", "domain": "", "tag": ""})
        return f"sections-{index}-{kind}-{len(rows) - 1}-{'item_id' if kind == 'items' else 'count'}"
    if verb == "remove" and len(numbers) == 2 and 0 <= numbers[1] < len(rows):
        rows.pop(numbers[1])
        return f"add-{target}-{index}"
    return None
