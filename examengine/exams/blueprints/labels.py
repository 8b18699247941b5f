"""The structured blueprint editor's fields as the admin reads them, for the error summary at the top of the form."""

from __future__ import annotations

LABELS = {
    "form": "The blueprint",
    "extra": "Fields kept from the stored blueprint",
    "sections": "Sections",
    "code": "Code",
    "title": "Exam title",
    "instructions": "Instructions",
    "time_limit_minutes": "Time limit",
    "assembly": "Assembly",
    "forms": "Number of fixed forms",
    "navigation-mode": "Navigation",
    "navigation-allow_review": "Review allowed",
    "navigation-allow_flagging": "Flagging allowed",
    "cut_score": "Cut score",
    "cut_score-type": "Cut score type",
    "cut_score-value": "Cut score",
    "scale": "Scale",
    "scale-min": "Scale minimum",
    "scale-max": "Scale maximum",
    "scale-cut": "Scaled cut",
    "retake_policy": "Retake policy",
    "retake_policy-max_attempts": "Attempts allowed",
    "retake_policy-wait_days_after_fail": "Days to wait after a fail",
    "retake_policy-allow_after_pass": "Retake after a pass",
    "retake_policy-period_days": "Period",
    "retake_policy-max_attempts_in_period": "Attempts in the period",
    "retake_policy-require_different_form": "A retake gets a different form",
    "result_release": "Result release",
    "release_at": "Release date",
    "certificate_valid_days": "Certificate valid for",
    "marking": "Marking",
    "marking-double": "Double marking",
    "marking-max_difference": "Largest difference between markers",
    "marking-resolution": "When markers differ more",
    "marking-round_to": "Round averages to",
    "difficulty_target": "Target mean difficulty",
    "difficulty_tolerance": "Difficulty tolerance",
    "max_exposure": "Exposure cap",
    "incident_credit_cap_minutes": "Incident credit cap",
}
_ROW_LABELS = {"items": "fixed item", "draw": "draw rule"}
_SECTION_LABELS = {"title": "title", "time_limit_minutes": "time limit", "extra": "kept fields", "item_id": "item id"}


def field_label(name: str) -> str:
    """A field's name as the admin reads it, for the error summary ("Section 2, draw rule 1: count")."""
    if name in LABELS:
        return LABELS[name]
    parts = name.split("-")
    if parts[0] != "sections" or len(parts) < 2 or not parts[1].isdecimal():
        return name
    words = f"Section {int(parts[1]) + 1}"
    if len(parts) >= 4 and parts[2] in _ROW_LABELS and parts[3].isdecimal():
        words += f", {_ROW_LABELS[parts[2]]} {int(parts[3]) + 1}"
        parts = parts[4:]
    else:
        parts = parts[2:]
    if parts:
        words += ": " + " ".join(_SECTION_LABELS.get(p, p.replace("_", " ")) for p in parts)
    return words
