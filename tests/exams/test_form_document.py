"""The typed form document reads and writes the stored JSON unchanged, documents written before it included."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, select, type_coerce
from sqlmodel import Session, col

from examengine.delivery.models import Attempt
from examengine.exams.form_document import FormDocument, FormSection, FormSlot
from tests.scoring.conftest import Program, program  # noqa: F401 - the fixture

EARLIER = {  # as attempts stored it before navigation rules, presentation keys and timed sections
    "sections": [{"title": "A", "time_limit_minutes": None, "slots": [1, 2]}],
    "slots": {
        "1": {"item_id": "i1", "version": 1, "section": 0, "option_orders": {"RESPONSE": ["B", "A"]}},
        "2": {"item_id": "i2", "version": 3, "section": 0, "option_orders": {}},
    },
    "assembly": {"repeats_forced": [], "exposure_cap_relaxed": False, "notes": ["n"], "prepared_at": "2026-01-01"},
}


def test_a_document_written_earlier_reads_with_the_defaults_and_writes_back_the_same() -> None:
    document = FormDocument.from_json(EARLIER)
    assert document.to_json() == EARLIER
    assert document.slots[1] == FormSlot("i1", 1, 0, {"RESPONSE": ["B", "A"]})
    assert document.sections == (FormSection("A", None, (1, 2)),) and document.slot_numbers() == [1, 2]
    assert (document.allow_review, document.allow_flagging, document.presentation_key) == (True, True, None)
    assert document.section_allowances() == (None,) and document.item_ids == ["i1", "i2"]
    timed = document.for_attempt(allowances=[600], navigation={"allow_flagging": False}, presentation_key="k")
    stored = timed.to_json()
    assert stored["sections"][0]["allowed_seconds"] == 600 and stored["presentation_key"] == "k"
    assert FormDocument.from_json(stored) == timed and not timed.allow_flagging and timed.allow_review


def test_an_attempts_stored_json_is_what_the_document_writes(program: Program) -> None:  # noqa: F811
    _, sitting_id = program.exam()
    attempt_id = program.begin(sitting_id, program.candidates[0], {})

    def stored(*, session: Session) -> tuple[Any, FormDocument]:
        raw = session.scalar(select(type_coerce(col(Attempt.form), JSON)).where(col(Attempt.id) == attempt_id))
        attempt = session.get(Attempt, attempt_id)
        assert attempt is not None
        return raw, attempt.form

    raw, document = program.call(stored)
    assert isinstance(document, FormDocument) and document.to_json() == raw
    assert set(raw) == {"sections", "slots", "assembly", "navigation", "presentation_key", "form_index", "form_name"}
    assert [section["slots"] for section in raw["sections"]] == [[1, 2, 3], [4, 5]]
    assert set(raw["slots"]["1"]) == {"item_id", "version", "section", "option_orders"}
