"""A study's results from its stored ratings, by analysis.standard_setting: the rounds whose ratings are final
(closed rounds), each over the judges who rated every item in it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from examengine.analysis.standard_setting import (
    AngoffRating,
    AngoffResult,
    HofsteeJudgement,
    HofsteeResult,
    hofstee,
    modified_angoff,
)
from examengine.standards.models import AngoffRatingRow, HofsteeRow, Study, StudyStatus
from examengine.standards.service import StudyItem


@dataclass(frozen=True)
class AngoffOutcome:
    result: AngoffResult | None
    left_out: dict[int, tuple[str, ...]]  # round -> judges who did not rate every item, left out of it


@dataclass(frozen=True)
class HofsteeOutcome:
    result: HofsteeResult | None
    round: int | None
    judges: int
    observed: int
    reason: str | None


def closed_rounds(study: Study) -> list[int]:
    last = study.current_round if study.status in (StudyStatus.REVIEW, StudyStatus.CLOSED) else study.current_round - 1
    return list(range(1, last + 1))


def angoff_outcome(study: Study, rows: Sequence[AngoffRatingRow], items: Sequence[StudyItem]) -> AngoffOutcome:
    wanted = {item.item_id for item in items}
    ratings: list[AngoffRating] = []
    left_out: dict[int, tuple[str, ...]] = {}
    for number in closed_rounds(study):
        by_judge: dict[str, dict[str, float]] = {}
        for row in rows:
            if row.round == number and row.item_id in wanted:
                by_judge.setdefault(row.judge_id, {})[row.item_id] = row.rating
        complete = {judge: cells for judge, cells in by_judge.items() if set(cells) == wanted}
        left_out[number] = tuple(sorted(set(by_judge) - set(complete)))
        ratings.extend(
            AngoffRating(number, judge, item_id, rating)
            for judge, cells in complete.items()
            for item_id, rating in cells.items()
        )
    rated_rounds = {rating.round for rating in ratings}
    # A round where nobody finished rating contributes nothing; the library wants only complete rounds.
    return AngoffOutcome(modified_angoff(ratings) if rated_rounds and wanted else None, left_out)


def own_ratings(rows: Sequence[AngoffRatingRow], judge_id: str, round_number: int) -> dict[str, float]:
    return {row.item_id: row.rating for row in rows if row.judge_id == judge_id and row.round == round_number}


def hofstee_outcome(study: Study, rows: Sequence[HofsteeRow], observed: Sequence[float]) -> HofsteeOutcome:
    rounds = closed_rounds(study)
    final = [row for row in rows if rounds and row.round == rounds[-1]]
    if not final:
        return HofsteeOutcome(
            None, rounds[-1] if rounds else None, 0, len(observed), "No closed round has answers yet."
        )
    if not observed:
        return HofsteeOutcome(
            None, rounds[-1], len(final), 0, "No scored attempts yet: the observed fail rates are needed."
        )
    judgements = [HofsteeJudgement(r.judge_id, r.min_cut, r.max_cut, r.min_fail, r.max_fail) for r in final]
    # Scores in percent with a maximum of 100: the cut comes out in percent, as the exam's cut score is set.
    return HofsteeOutcome(hofstee(judgements, observed, 100), rounds[-1], len(final), len(observed), None)
