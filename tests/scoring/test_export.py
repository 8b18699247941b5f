"""The results CSV: one row per scored attempt, rounded as reported, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlmodel import Session

from examengine.accounts.models import User
from examengine.clock import rfc3339
from examengine.delivery.models import Attempt
from examengine.errors import NotFound
from examengine.marking.slot_scores import mark_slot
from examengine.scoring.export import COLUMNS, results_csv
from tests.scoring.conftest import PERFECT, Program


def _finished_at(*, session: Session, attempt_id: str) -> datetime:
    attempt = session.get(Attempt, attempt_id)
    assert attempt is not None and attempt.finished_at is not None
    return attempt.finished_at


def test_one_row_per_scored_attempt(program: Program) -> None:
    exam_id, sitting_id = program.exam()
    cara, carl, cleo = program.candidates

    def rename(*, session: Session) -> None:
        session.execute(update(User).where(User.id == cleo.id).values(name="=HYPERLINK(1)"))  # type: ignore[arg-type]

    program.call(rename)
    passed = program.take(sitting_id, cara, PERFECT)
    essay = program.slot_of(passed, "essay")
    program.call(mark_slot, attempt_id=passed, slot=essay, score=1, marker_id=program.admin.id, now=datetime.now(UTC))
    pending = program.take(sitting_id, carl, {"q1": "A", "essay": "To be marked."})
    program.take(sitting_id, cleo, {"q1": "A", "q2": ["A"]})  # a blank essay scores 0: nothing to mark
    program.take(sitting_id, cleo, {}, score=False)  # not scored: no row
    text = program.call(results_csv, exam_id=exam_id)
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["email"] for r in rows] == ["cand0@example.org", "cand1@example.org", "cand2@example.org"]
    first = rows[0]
    finished = program.call(_finished_at, attempt_id=passed)
    assert first == {
        "email": "cand0@example.org",
        "name": "Candidate 0",
        "attempt_id": passed,
        "sitting_id": sitting_id,
        "exam_version": "1",
        "finished_at": rfc3339(finished),
        "raw_score": "7",
        "max_score": "10",
        "percent": "70",
        "scaled_score": "500",
        "passed": "true",
        "status": "scored",
    }
    assert rows[1]["attempt_id"] == pending
    assert (rows[1]["raw_score"], rows[1]["max_score"], rows[1]["percent"], rows[1]["passed"]) == ("", "10", "", "")
    assert rows[1]["status"] == "pending_marking"
    assert rows[2]["name"] == "'=HYPERLINK(1)"
    assert [rows[2][c] for c in ("raw_score", "percent", "scaled_score", "passed")] == ["2", "20", "286", "false"]


def test_an_exam_without_results_has_only_the_header_and_an_unknown_exam_is_refused(program: Program) -> None:
    exam_id, _ = program.exam()
    assert program.call(results_csv, exam_id=exam_id) == ",".join(COLUMNS) + "\r\n"
    with pytest.raises(NotFound):
        program.call(results_csv, exam_id="f" * 32)
