"""Running a standard setting study: the admin names judges and opens and closes rounds; judges rate; the
recommended cut follows from analysis.standard_setting over the judges who completed the round.

A study's items are the item versions its exam version pinned when it was published. Only a judge of the study
may rate it or see its feedback: anyone else is told there is no such study, so its existence does not leak.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session, col

from examengine.accounts.models import User
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.exams import service as exams
from examengine.exams.models import ExamPoolEntry, ExamStatus
from examengine.scoring.models import AttemptResult, ResultStatus
from examengine.standards.models import AngoffRatingRow, HofsteeRow, Judge, Method, Study, StudyStatus
from itembank.models import ItemVersion, item_code

MAX_OBSERVED = 20_000


@dataclass(frozen=True)
class StudyItem:
    item_id: str
    version: int
    code: str
    title: str


def _study(session: Session, study_id: str) -> Study:
    study = session.get(Study, study_id) if len(study_id) <= 32 else None
    if study is None:
        raise NotFound("No such standard setting study.", code="study_not_found")
    return study


def get_study(*, session: Session, study_id: str) -> Study:
    return _study(session, study_id)


def create_study(
    *, session: Session, exam_id: str, version: int, method: Method, title: str, actor_id: str, now: datetime
) -> Study:
    """A study of a published exam version (its items are pinned). Raises NotFound for an unknown exam or version
    and InvalidInput for a draft version or an empty title."""
    view = exams.get_version(session=session, exam_id=exam_id, version=version)
    if view.status == ExamStatus.DRAFT:
        raise InvalidInput(
            f"Version {version} is a draft: publish it first, so the items judges rate are pinned.",
            code="exam_version_draft",
        )
    if not title.strip() or len(title) > 200:
        raise InvalidInput("Give the study a title of at most 200 characters.", code="bad_title")
    study = Study(
        exam_id=exam_id,
        exam_version=version,
        method=method,
        title=title.strip(),
        status=StudyStatus.SETUP,
        created_at=now,
        created_by=actor_id,
        changed_at=now,
        changed_by=actor_id,
    )
    session.add(study)
    session.flush()
    return study


def list_studies(*, session: Session, exam_id: str) -> list[Study]:
    return list(
        session.scalars(
            select(Study).where(col(Study.exam_id) == exam_id).order_by(col(Study.created_at).desc()).limit(200)
        )
    )


def study_items(*, session: Session, study: Study) -> list[StudyItem]:
    pinned = session.execute(
        select(col(ExamPoolEntry.item_id), col(ExamPoolEntry.item_version))
        .where(col(ExamPoolEntry.exam_id) == study.exam_id, col(ExamPoolEntry.exam_version) == study.exam_version)
        .distinct()
    ).all()
    items = []
    for item_id, version in pinned:
        row = session.get(ItemVersion, (item_id, version))
        if row is not None:
            items.append(StudyItem(item_id, version, item_code(row.item_number), row.title))
    return sorted(items, key=lambda item: item.code)


def judges(*, session: Session, study_id: str) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(Judge, col(Judge.user_id) == col(User.id))
            .where(col(Judge.study_id) == study_id)
            .order_by(col(User.name))
        )
    )


def add_judge(*, session: Session, study_id: str, email: str, actor_id: str, now: datetime) -> User:
    """Name a signed-in user (any role) as a judge. Raises InvalidInput for an unknown or disabled account,
    Conflict when they are already a judge or the study is closed."""
    study = _study(session, study_id)
    if study.status == StudyStatus.CLOSED:
        raise Conflict("The study is closed.", code="study_closed")
    user = session.scalars(select(User).where(col(User.email) == email.strip().lower())).first()
    if user is None or user.disabled_at is not None:
        raise InvalidInput(f"No active account has the email {email.strip()!r}.", code="judge_unknown")
    if session.get(Judge, (study_id, user.id)) is not None:
        raise Conflict(f"{user.name} is already a judge of this study.", code="judge_exists")
    session.add(Judge(study_id=study_id, user_id=user.id, added_at=now, added_by=actor_id))
    _changed(study, actor_id, now)
    session.flush()
    return user


def _changed(study: Study, actor_id: str, now: datetime) -> None:
    study.changed_at, study.changed_by = now, actor_id


TRANSITIONS: dict[str, tuple[frozenset[StudyStatus], StudyStatus]] = {
    "open": (frozenset({StudyStatus.SETUP, StudyStatus.REVIEW}), StudyStatus.RATING),
    "close": (frozenset({StudyStatus.RATING}), StudyStatus.REVIEW),
    "finish": (frozenset({StudyStatus.REVIEW}), StudyStatus.CLOSED),
}


def advance(*, session: Session, study_id: str, action: str, actor_id: str, now: datetime) -> Study:
    """open (a new round), close (the open round: its results are shown) or finish (the study). Raises
    InvalidInput for an unknown action, Conflict for a move the study's status does not allow or a round
    opened without judges."""
    study = _study(session, study_id)
    if action not in TRANSITIONS:
        raise InvalidInput("Choose open, close or finish.", code="bad_action")
    allowed, target = TRANSITIONS[action]
    if study.status not in allowed:
        raise Conflict(f"A study that is {study.status} cannot {action} a round.", code="study_state")
    if action == "open":
        if not judges(session=session, study_id=study_id):
            raise Conflict("Name at least one judge before opening a round.", code="no_judges")
        study.current_round += 1
    study.status = target
    _changed(study, actor_id, now)
    session.flush()
    return study


def judge_study(*, session: Session, study_id: str, user_id: str) -> Study:
    """The study if the user is one of its judges; NotFound otherwise (its existence is not revealed)."""
    study = _study(session, study_id)
    if session.get(Judge, (study.id, user_id)) is None:
        raise NotFound("No such standard setting study.", code="study_not_found")
    return study


def studies_of_judge(*, session: Session, user_id: str) -> list[Study]:
    return list(
        session.scalars(
            select(Study)
            .join(Judge, col(Judge.study_id) == col(Study.id))
            .where(col(Judge.user_id) == user_id)
            .order_by(col(Study.changed_at).desc())
            .limit(200)
        )
    )


def _open_for(session: Session, study_id: str, user_id: str) -> Study:
    study = judge_study(session=session, study_id=study_id, user_id=user_id)
    if study.status != StudyStatus.RATING:
        raise Conflict("No round is open for ratings now.", code="round_not_open")
    return study


def rate_angoff(*, session: Session, study_id: str, user_id: str, ratings: Mapping[str, float], now: datetime) -> int:
    """Store (or replace) a judge's ratings in the open round: item_id -> probability in [0, 1]. Raises NotFound
    for a non-judge, Conflict when no round is open, InvalidInput for a rating out of range or an item not in
    the study (nothing is stored then)."""
    study = _open_for(session, study_id, user_id)
    if study.method != Method.ANGOFF:
        raise InvalidInput("This study uses the Hofstee method.", code="wrong_method")
    items = {item.item_id: item for item in study_items(session=session, study=study)}
    for item_id, rating in ratings.items():
        if item_id not in items:
            raise InvalidInput("A rating names an item that is not in this study.", code="unknown_item")
        if not 0.0 <= rating <= 1.0:
            raise InvalidInput(f"{items[item_id].code}: a rating is a probability from 0 to 1.", code="bad_rating")
    session.execute(
        delete(AngoffRatingRow).where(
            col(AngoffRatingRow.study_id) == study.id,
            col(AngoffRatingRow.round) == study.current_round,
            col(AngoffRatingRow.judge_id) == user_id,
            col(AngoffRatingRow.item_id).in_(list(ratings)),
        )
    )
    for item_id, rating in ratings.items():
        session.add(
            AngoffRatingRow(
                study_id=study.id,
                round=study.current_round,
                judge_id=user_id,
                item_id=item_id,
                item_version=items[item_id].version,
                rating=rating,
                rated_at=now,
            )
        )
    session.flush()
    return len(ratings)


def rate_hofstee(
    *, session: Session, study_id: str, user_id: str, answers: Mapping[str, float], now: datetime
) -> HofsteeRow:
    """Store (or replace) a judge's four Hofstee answers (percent) in the open round. Raises as rate_angoff, and
    InvalidInput for a value outside 0-100 or a minimum above its maximum."""
    study = _open_for(session, study_id, user_id)
    if study.method != Method.HOFSTEE:
        raise InvalidInput("This study uses the Angoff method.", code="wrong_method")
    values = {name: answers[name] for name in ("min_cut", "max_cut", "min_fail", "max_fail")}
    if not all(0.0 <= value <= 100.0 for value in values.values()):
        raise InvalidInput("Every answer is a percentage from 0 to 100.", code="bad_rating")
    if values["min_cut"] > values["max_cut"] or values["min_fail"] > values["max_fail"]:
        raise InvalidInput("A minimum is above its maximum.", code="bad_rating")
    row = session.get(HofsteeRow, (study.id, study.current_round, user_id))
    if row is None:
        row = HofsteeRow(study_id=study.id, round=study.current_round, judge_id=user_id, **values, rated_at=now)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
        row.rated_at = now
    session.flush()
    return row


def angoff_rows(*, session: Session, study_id: str) -> list[AngoffRatingRow]:
    return list(
        session.scalars(
            select(AngoffRatingRow)
            .where(col(AngoffRatingRow.study_id) == study_id)
            .order_by(col(AngoffRatingRow.round), col(AngoffRatingRow.judge_id))
        )
    )


def hofstee_rows(*, session: Session, study_id: str) -> list[HofsteeRow]:
    return list(
        session.scalars(select(HofsteeRow).where(col(HofsteeRow.study_id) == study_id).order_by(col(HofsteeRow.round)))
    )


def observed_percents(*, session: Session, study: Study) -> list[float]:
    """The percent scores of the exam version's scored attempts (the newest MAX_OBSERVED), for Hofstee."""
    return [
        percent
        for percent in session.scalars(
            select(col(AttemptResult.percent))
            .where(
                col(AttemptResult.exam_id) == study.exam_id,
                col(AttemptResult.exam_version) == study.exam_version,
                col(AttemptResult.status) == ResultStatus.SCORED.value,
            )
            .order_by(col(AttemptResult.scored_at).desc())
            .limit(MAX_OBSERVED)
        )
        if percent is not None
    ]
