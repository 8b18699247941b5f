"""What a scheme may hold, by kind (ICE 1100 and the NCCA standards tell the three apart): the checks a new scheme
passes before it is stored. Pure functions of the input: no database here.

- A professional certification is independent of any course, has a cycle and may be renewed (recertification).
- An assessment-based certificate assesses the intended outcomes of one course; it may carry a cycle as a term of
  validity but is never recertified.
- A certificate of attendance is issued for attending an event: no exam, no eligibility pathways, no cycle.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from examengine.errors import InvalidInput
from examengine.programs import durations
from examengine.programs.models import SchemeKind

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
EVIDENCE_KINDS = ("file", "attestation")
MAX_ATTEMPTS = 100
MAX_HANDBOOK = 200_000
KIND_WORDS = {
    SchemeKind.CERTIFICATION: "professional certification",
    SchemeKind.ASSESSMENT_BASED_CERTIFICATE: "assessment-based certificate",
    SchemeKind.CERTIFICATE_OF_ATTENDANCE: "certificate of attendance",
}


@dataclass(frozen=True)
class Requirement:
    code: str
    title: str
    evidence: str  # "file" | "attestation"


@dataclass(frozen=True)
class Pathway:
    code: str
    title: str
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class Course:
    title: str
    url: str | None = None


@dataclass(frozen=True)
class Recertification:
    by_exam: bool
    ce_credits: float
    ce_categories: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Handbook:
    version: str
    text: str


@dataclass(frozen=True)
class SchemeInput:
    code: str
    title: str
    kind: str
    handbook: Handbook
    exam_ids: tuple[str, ...] = ()
    designation: str | None = None
    course: Course | None = None
    pathways: tuple[Pathway, ...] = ()
    authorization_period: str | None = None
    attempts_per_authorization: int = 1
    cycle: str | None = None
    grace_period: str | None = None
    reinstatement_period: str | None = None
    recertification: Recertification | None = None
    appeal_period: str = "P30D"


def refuse(field_name: str, message: str, code: str) -> InvalidInput:
    """A refusal naming the field it is about (pages show it beside that field)."""
    return InvalidInput(f"{field_name}: {message}", code=code, details={"field": field_name})


def checked_duration(field_name: str, text: str) -> str:
    """The duration as stored (upper case, trimmed); InvalidInput naming the field when it is not a positive one."""
    try:
        parsed = durations.parse(text)
    except InvalidInput as error:
        raise refuse(field_name, error.message, "invalid_duration") from None
    if parsed.months == 0 and not parsed.exact:
        raise refuse(field_name, "the duration must be longer than zero.", "invalid_duration")
    return parsed.text


def checked_code(field_name: str, code: str) -> str:
    code = code.strip()
    if not CODE.fullmatch(code):
        raise refuse(
            field_name,
            f"{code[:40]!r} is not a code: up to 40 letters, digits, '-', '_' or '.', starting with a letter or digit.",
            "invalid_code",
        )
    return code


def checked_text(field_name: str, text: str, *, limit: int) -> str:
    text = text.strip()
    if not text:
        raise refuse(field_name, "this is required.", "required")
    if len(text) > limit or "\x00" in text:
        raise refuse(field_name, f"at most {limit} characters, no NUL.", "invalid_text")
    return text


def checked_kind(kind: str) -> SchemeKind:
    try:
        return SchemeKind(kind)
    except ValueError:
        names = ", ".join(k.value for k in SchemeKind)
        raise refuse("kind", f"{kind[:40]!r} is not a kind of scheme; use one of {names}.", "invalid_kind") from None


def checked_handbook(handbook: Handbook) -> Handbook:
    return Handbook(
        checked_text("handbook.version", handbook.version, limit=40),
        checked_text("handbook.text", handbook.text, limit=MAX_HANDBOOK),
    )


def checked_pathways(pathways: Sequence[Pathway]) -> list[dict[str, Any]]:
    stored: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, pathway in enumerate(pathways):
        where = f"pathways[{index}]"
        code = checked_code(f"{where}.code", pathway.code)
        if code in seen:
            raise refuse(f"{where}.code", f"the pathway code {code} is used twice.", "duplicate_pathway")
        seen.add(code)
        requirements: list[dict[str, str]] = []
        for number, requirement in enumerate(pathway.requirements):
            inner = f"{where}.requirements[{number}]"
            req_code = checked_code(f"{inner}.code", requirement.code)
            if any(r["code"] == req_code for r in requirements):
                raise refuse(
                    f"{inner}.code",
                    f"the requirement code {req_code} is used twice in {code}.",
                    "duplicate_requirement",
                )
            if requirement.evidence not in EVIDENCE_KINDS:
                raise refuse(f"{inner}.evidence", "evidence is proved by a file or an attestation.", "invalid_evidence")
            title = checked_text(f"{inner}.title", requirement.title, limit=300)
            requirements.append({"code": req_code, "title": title, "evidence": requirement.evidence})
        stored.append(
            {
                "code": code,
                "title": checked_text(f"{where}.title", pathway.title, limit=300),
                "requirements": requirements,
            }
        )
    return stored


def checked_recertification(recertification: Recertification) -> dict[str, Any]:
    if recertification.ce_credits < 0:
        raise refuse("recertification.ce_credits", "credits cannot be negative.", "invalid_recertification")
    categories: dict[str, float] = {}
    for name, minimum in recertification.ce_categories.items():
        label = checked_text("recertification.ce_categories", name, limit=100)
        if minimum < 0:
            raise refuse(
                "recertification.ce_categories", f"{label}: credits cannot be negative.", "invalid_recertification"
            )
        categories[label] = minimum
    if sum(categories.values()) > recertification.ce_credits:
        raise refuse(
            "recertification.ce_categories",
            "the category minimums count within ce_credits, so together they cannot exceed it.",
            "invalid_recertification",
        )
    return {"by_exam": recertification.by_exam, "ce_credits": recertification.ce_credits, "ce_categories": categories}


def checked_course(course: Course) -> tuple[str, str | None]:
    title = checked_text("course.title", course.title, limit=300)
    url = (course.url or "").strip() or None
    if url is not None and (len(url) > 2000 or not re.fullmatch(r"https?://[^\s<>\"']+", url)):
        raise refuse("course.url", "give the course's address as an http or https URL.", "invalid_url")
    return title, url


def check_kind_rules(scheme: SchemeInput, kind: SchemeKind) -> None:
    """The fields a kind may not carry or must carry; InvalidInput naming the first field out of place."""
    if kind is SchemeKind.CERTIFICATE_OF_ATTENDANCE:
        given = {
            "exam_ids": bool(scheme.exam_ids),
            "pathways": bool(scheme.pathways),
            "cycle": scheme.cycle is not None,
            "grace_period": scheme.grace_period is not None,
            "reinstatement_period": scheme.reinstatement_period is not None,
            "recertification": scheme.recertification is not None,
            "course": scheme.course is not None,
        }
        for name, present in given.items():
            if present:
                raise refuse(
                    name,
                    "a certificate of attendance is issued for attending an event: it has no exams, eligibility "
                    "pathways, course, cycle or recertification.",
                    "not_for_attendance",
                )
        return
    if scheme.authorization_period is None:
        raise refuse(
            "authorization_period", "a scheme with exams needs the length of an authorization to test.", "required"
        )
    if kind is SchemeKind.CERTIFICATION:
        if scheme.cycle is None:
            raise refuse(
                "cycle", "a certification needs a cycle (for instance P3Y) after which it is renewed.", "cycle_required"
            )
        if scheme.course is not None:
            raise refuse(
                "course",
                "a certification is independent of any course; only an assessment-based certificate names one.",
                "course_not_allowed",
            )
        return
    if scheme.recertification is not None:
        raise refuse(
            "recertification",
            "only a certification is renewed by recertification; an assessment-based certificate's cycle is a term.",
            "recertification_not_allowed",
        )
    if scheme.cycle is None:
        for name in ("grace_period", "reinstatement_period"):
            if getattr(scheme, name) is not None:
                raise refuse(
                    name,
                    "a grace or reinstatement period follows the end of a cycle: give the cycle too.",
                    "cycle_required",
                )
