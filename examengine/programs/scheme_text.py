"""A scheme in plain words for candidates: what its kind means and how long its periods are. The wording keeps a
certificate of attendance from ever reading like an assessed credential (ICE 1100)."""

from __future__ import annotations

import re

from examengine.programs.models import Scheme, SchemeKind

_UNITS = (("Y", "year"), ("M", "month"), ("W", "week"), ("D", "day"))
_TIME_UNITS = (("H", "hour"), ("M", "minute"), ("S", "second"))


def _count(number: str, unit: str) -> str:
    return f"{number} {unit}" + ("" if number in ("1", "1.0") else "s")


def duration_words(text: str | None) -> str:
    """ "P3Y" as "3 years", "P1Y6M" as "1 year and 6 months", "PT30S" as "30 seconds"; "" for None."""
    if not text:
        return ""
    date, _, time = text.upper().removeprefix("P").partition("T")
    parts: list[str] = []
    for part, units in ((date, _UNITS), (time, _TIME_UNITS)):
        found = dict((unit, number) for number, unit in re.findall(r"(\d+(?:\.\d+)?)([A-Z])", part))
        parts += [_count(found[letter], word) for letter, word in units if letter in found]
    if not parts:
        return text
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


KIND_NAMES = {
    SchemeKind.CERTIFICATION: "Professional certification",
    SchemeKind.ASSESSMENT_BASED_CERTIFICATE: "Assessment-based certificate",
    SchemeKind.CERTIFICATE_OF_ATTENDANCE: "Certificate of attendance (not assessed)",
}


def kind_name(scheme: Scheme) -> str:
    return KIND_NAMES[SchemeKind(scheme.kind)]


def kind_explanation(scheme: Scheme) -> str:
    """What holding this credential means, in a sentence or two."""
    kind = SchemeKind(scheme.kind)
    if kind is SchemeKind.CERTIFICATE_OF_ATTENDANCE:
        return (
            "A certificate of attendance records that you attended an event. There is no exam: it does not show "
            "that your knowledge or skills were assessed, and it is not a certification."
        )
    if kind is SchemeKind.ASSESSMENT_BASED_CERTIFICATE:
        course = f"the course “{scheme.course_title}”" if scheme.course_title else "its course"
        term = f" It is valid for {duration_words(scheme.cycle)}." if scheme.cycle else ""
        return (
            f"An assessment-based certificate shows that you learned the intended outcomes of {course}, as assessed "
            f"by an exam. It is not a professional certification and is not renewed by recertification.{term}"
        )
    cycle = f" It is valid for {duration_words(scheme.cycle)}" if scheme.cycle else " It is valid for a cycle"
    return (
        "A professional certification shows that you meet the standard of competence it sets, independent of any "
        f"course; you earn it by passing its exam.{cycle} and is then renewed by recertification."
    )


def recertification_words(scheme: Scheme) -> list[str]:
    """How a certification is renewed, one rule a line; empty when it has no recertification rule."""
    rule = scheme.recertification or {}
    if not rule:
        return []
    lines = []
    credits = rule.get("ce_credits") or 0
    if credits:
        lines.append(f"Earn {credits:g} continuing-education credits within the cycle.")
    for category, minimum in (rule.get("ce_categories") or {}).items():
        lines.append(f"Of these, at least {minimum:g} in {category}.")
    if rule.get("by_exam"):
        lines.append(f"{'Or p' if credits else 'P'}ass the exam again while the certification is active or in grace.")
    return lines
