"""The new-scheme form as fields a person types: reading it into the service's input, and placing a refusal beside
the field it names. Pathways are one line per requirement:
`PATHWAY-CODE | pathway title | REQ-CODE | requirement title | file|attestation`."""

from __future__ import annotations

from starlette.datastructures import FormData

from examengine.errors import InvalidInput
from examengine.programs import scheme_rules as rules
from examengine.web.forms import list_field, text_field

TEXT_FIELDS = (
    "code",
    "title",
    "kind",
    "designation",
    "course_title",
    "course_url",
    "authorization_period",
    "attempts_per_authorization",
    "cycle",
    "grace_period",
    "reinstatement_period",
    "recert_ce_credits",
    "recert_ce_categories",
    "appeal_period",
    "pathways",
    "handbook_version",
    "handbook_text",
)
# where a refusal about a field of the service's input is shown on the form
FORM_FIELD = {
    "course.title": "course_title",
    "course.url": "course_url",
    "recertification": "recert_ce_credits",
    "recertification.ce_credits": "recert_ce_credits",
    "recertification.ce_categories": "recert_ce_categories",
    "handbook.version": "handbook_version",
    "handbook.text": "handbook_text",
}


def form_field(field: str) -> str:
    if field.startswith("pathways"):
        return "pathways"
    return FORM_FIELD.get(field, field)


def values_of(form: FormData) -> dict[str, object]:
    """What was typed, to show again beside an error."""
    values: dict[str, object] = {name: text_field(form, name) for name in TEXT_FIELDS}
    values["exam_ids"] = list_field(form, "exam_ids")
    values["recert_by_exam"] = form.get("recert_by_exam") == "yes"
    return values


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, code="invalid_form", details={"field": field})


def parse_pathways(text: str) -> tuple[rules.Pathway, ...]:
    """The pathways textarea: `PATHWAY | title | REQ | requirement title | file|attestation` a line (a pathway
    with no requirements is `PATHWAY | title`); lines of one pathway keep its title."""
    pathways: dict[str, tuple[str, list[rules.Requirement]]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (2, 5):
            raise _refuse(
                "pathways",
                f"Line {number}: write PATHWAY-CODE | pathway title | REQ-CODE | requirement title | file or "
                "attestation (or PATHWAY-CODE | pathway title alone).",
            )
        code, title = parts[0], parts[1]
        known = pathways.setdefault(code, (title, []))
        if known[0] != title:
            raise _refuse("pathways", f"Line {number}: pathway {code} was called “{known[0]}” above.")
        if len(parts) == 5:
            evidence = parts[4].lower()
            known[1].append(rules.Requirement(parts[2], parts[3], evidence))
    return tuple(rules.Pathway(code, title, tuple(reqs)) for code, (title, reqs) in pathways.items())


def _number(field: str, text: str, *, integer: bool = False) -> float:
    try:
        return int(text) if integer else float(text)
    except ValueError:
        raise _refuse(field, f"“{text[:20]}” is not a {'whole ' if integer else ''}number.") from None


def _categories(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, credits = line.partition("=")
        if not sep or not name.strip():
            raise _refuse(
                "recert_ce_categories", f"Line {number}: write a category = its minimum credits, e.g. ethics = 3."
            )
        found[name.strip()] = _number("recert_ce_categories", credits.strip())
    return found


def _optional(values: dict[str, object], name: str) -> str | None:
    text = str(values[name]).strip()
    return text or None


def scheme_input(values: dict[str, object]) -> rules.SchemeInput:
    """The service's input from the typed values; InvalidInput naming the form field when a line cannot be read."""
    credits_text = str(values["recert_ce_credits"]).strip()
    categories = _categories(str(values["recert_ce_categories"]))
    by_exam = bool(values["recert_by_exam"])
    recertification = (
        rules.Recertification(by_exam, _number("recert_ce_credits", credits_text or "0"), categories)
        if by_exam or credits_text or categories
        else None
    )
    course_title = _optional(values, "course_title")
    course_url = _optional(values, "course_url")
    course = rules.Course(course_title or "", course_url) if course_title or course_url else None
    attempts = str(values["attempts_per_authorization"]).strip() or "1"
    exam_ids = values["exam_ids"]
    return rules.SchemeInput(
        code=str(values["code"]),
        title=str(values["title"]),
        kind=str(values["kind"]),
        handbook=rules.Handbook(str(values["handbook_version"]), str(values["handbook_text"])),
        exam_ids=tuple(exam_ids) if isinstance(exam_ids, list) else (),
        designation=_optional(values, "designation"),
        course=course,
        pathways=parse_pathways(str(values["pathways"])),
        authorization_period=_optional(values, "authorization_period"),
        attempts_per_authorization=int(_number("attempts_per_authorization", attempts, integer=True)),
        cycle=_optional(values, "cycle"),
        grace_period=_optional(values, "grace_period"),
        reinstatement_period=_optional(values, "reinstatement_period"),
        recertification=recertification,
        appeal_period=_optional(values, "appeal_period") or "P30D",
    )
