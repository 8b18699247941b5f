"""What a marker sees of one answer: the question, the answer, the rubric and the maximum, under the script's
anonymous id. Nothing here names the attempt, its candidate or the sitting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from examengine.delivery.answers import pinned_content
from examengine.delivery.models import AttemptSlot
from examengine.errors import Conflict, NotFound
from examengine.exams import service as exams
from examengine.marking.marks import marks_of, previous_marks
from examengine.marking.queue import STAGE_NAMES, attempt_of_script, open_to, waiting_slots
from examengine.scoring.models import MarkingStage
from examengine.scoring.service import item_responses
from itembank.cleaning import CleanHtml, clean_html
from itembank.rendering import candidate_view
from itembank.scoring import ScoringError


@dataclass(frozen=True)
class EarlierMark:
    stage: str
    score: float
    comment: str


@dataclass(frozen=True)
class MarkingTask:
    script_id: str
    slot: int
    stage: MarkingStage
    stage_name: str
    exam_code: str
    exam_title: str
    item_title: str
    item_view: dict[str, Any]  # the candidate's view of the item: no key
    responses: dict[str, Any]  # response identifier -> the stored answer, to show in the item
    answer_text: str  # the answer as plain text (escaped when rendered)
    rubrics: tuple[CleanHtml, ...]  # HTML from the bank, cleaned again here since it is shown as markup
    guidance: CleanHtml  # the version's rationale (cleaned HTML): the scoring guidance of native items
    max_score: float
    claimed_until: datetime | None  # this marker's claim
    earlier_marks: tuple[EarlierMark, ...]  # for adjudication only: a second marker marks blind


def _as_text(response: Any) -> str:
    if response is None:
        return ""
    if isinstance(response, str):
        return response
    return json.dumps(response, ensure_ascii=False, indent=1)


def marking_task(*, session: Session, script_id: str, slot: int, marker_id: str, now: datetime) -> MarkingTask:
    """The answer for the marker's page. Raises NotFound (unknown script or no answer waiting at this slot) and
    Conflict (already_marked_by_you, claimed_by_other) when the marker cannot mark it now."""
    attempt_id = attempt_of_script(session, script_id)
    waiting = waiting_slots(session, attempt_id=attempt_id, slot=slot)
    if not waiting:
        raise NotFound(
            f"Script {script_id} has nothing waiting for a mark at item {slot}: it may have been marked already.",
            code="nothing_to_mark",
        )
    current = waiting[0]
    if marker_id in current.markers:
        raise Conflict(
            "You have already marked this answer; a different marker gives the next mark.",
            code="already_marked_by_you",
        )
    if not open_to(current, marker_id, now):
        raise Conflict(
            "Another marker is marking this answer now. Take the next script from the queue.",
            code="claimed_by_other",
        )
    attempt_slot = session.get(AttemptSlot, (attempt_id, slot))
    assert attempt_slot is not None  # the slot score's own slot
    content = pinned_content(session, current.item_id, current.item_version)
    try:
        responses = item_responses(content, attempt_slot.response)
    except ScoringError:  # a single value for an item with several responses: shown as text only
        responses = {}
    view = exams.get_version(session=session, exam_id=current.exam_id, version=current.exam_version)
    claim = current.claim
    return MarkingTask(
        script_id=script_id,
        slot=slot,
        stage=current.stage,
        stage_name=STAGE_NAMES[current.stage],
        exam_code=view.code,
        exam_title=view.title,
        item_title=content.title or f"Item {slot}",
        item_view=candidate_view(content),
        responses=responses,
        answer_text=_as_text(attempt_slot.response),
        rubrics=tuple(clean_html(r.html) for r in content.rubrics if not r.view or "scorer" in r.view),
        guidance=clean_html(content.rationale),
        max_score=current.max_score,
        claimed_until=claim.expires_at if claim is not None and claim.marker_id == marker_id else None,
        earlier_marks=tuple(
            EarlierMark(STAGE_NAMES[MarkingStage(m.stage)], m.score, m.comment)
            for m in previous_marks(marks_of(session, attempt_id, slot), current.stage)
        ),
    )
