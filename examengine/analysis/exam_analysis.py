"""Item and test analysis of an exam version's scored attempts, by the classical statistics of analysis.stats.

Two kinds of empty cell are kept apart. An item that was not on an attempt's form (LOFT) says nothing about the
candidate: it is left out of that item's statistics. An item that was on the form but not answered is wrong by
default (score 0), or left out under MissingRule.EXCLUDE. Totals are always the attempts' raw scores.

Reliability needs everyone to have taken the same items. With one form (a fixed form, or a LOFT exam that happened
to give everyone the same items) KR-20 / alpha, SEM and alpha-if-deleted come from the whole matrix. When the forms
differ, one coefficient over all attempts is not defined (the totals are sums over different items), so the
test-level reliability is left empty with the reason, and it is given per form for every form taken at least
MIN_FORM_ATTEMPTS times.
"""

from __future__ import annotations

import math
from collections import Counter

from sqlmodel import Session

from examengine.analysis.exam_responses import Cell, ExamResponses, Filters, ItemColumn, load_responses
from examengine.analysis.exam_results import (
    ExamAnalysis,
    FormReliability,
    ItemAnalysis,
    OptionShare,
    TestSummary,
)
from examengine.analysis.flags import OptionEvidence, item_flags
from examengine.analysis.matrix import MissingRule, is_dichotomous
from examengine.analysis.numeric import mean, pearson, variance
from examengine.analysis.reliability import (
    AlphaMissing,
    AlphaResult,
    cronbach_alpha,
    kr20,
    standard_error_of_measurement,
)
from examengine.analysis.stats import DEFAULT_THRESHOLDS
from examengine.scoring.scale import raw_cut

MIN_FORM_ATTEMPTS = 2
FORMS_SHOWN = 20


def analyze_exam(
    *, session: Session, exam_id: str, filters: Filters, missing_rule: MissingRule = MissingRule.WRONG
) -> ExamAnalysis:
    """Item and test statistics of an exam version's scored attempts (see the module for the rules).
    Raises what load_responses raises."""
    return analyze_responses(load_responses(session=session, exam_id=exam_id, filters=filters), missing_rule)


def analyze_responses(responses: ExamResponses, missing_rule: MissingRule = MissingRule.WRONG) -> ExamAnalysis:
    totals = tuple(attempt.raw_score for attempt in responses.attempts)
    scores = [[_score(cell, missing_rule) for cell in row] for row in responses.cells]
    row_forms = [_form_of(row) for row in responses.cells]
    forms = Counter(row_forms)
    max_scores = {attempt.max_score for attempt in responses.attempts}
    max_score = max_scores.pop() if len(max_scores) == 1 else None
    if not responses.attempts or not responses.items:
        return ExamAnalysis(responses, missing_rule, totals, (), _empty_test(responses, max_score))
    single_form = len(forms) == 1
    if_deleted: list[float | None] = [None] * len(responses.items)
    shown: tuple[FormReliability, ...] = ()
    kr = alpha = sem = None
    if single_form:
        form = next(iter(forms))
        reliability, alpha_result = _form_reliability(responses, scores, row_forms, form, len(totals))
        kr, alpha, sem = reliability.kr20, reliability.cronbach_alpha, reliability.sem
        for position, j in enumerate(form):
            if_deleted[j] = alpha_result.alpha_if_deleted[position]
        basis, note = "single_form", "Every attempt had the same items: reliability over all attempts."
    else:
        shown = tuple(
            _form_reliability(responses, scores, row_forms, form, count)[0]
            for form, count in forms.most_common(FORMS_SHOWN)
            if count >= MIN_FORM_ATTEMPTS
        )
        basis = "per_form" if shown else "none"
        single = sum(count for count in forms.values() if count < MIN_FORM_ATTEMPTS)
        note = (
            f"The attempts had {len(forms)} different forms, so one KR-20 or alpha over all attempts is not "
            "defined (their totals add up different items). It is given per form for each form taken at least "
            f"{MIN_FORM_ATTEMPTS} times ({len(shown)} shown); {single} attempt(s) had a form nobody else had."
        )
    items = tuple(_item(responses, j, totals, scores, if_deleted[j]) for j in range(len(responses.items)))
    test = TestSummary(
        n=len(totals),
        mean=mean(totals),
        sd=math.sqrt(variance(totals, ddof=1)) if len(totals) > 1 else None,
        kr20=kr,
        cronbach_alpha=alpha,
        sem=sem,
        n_items=len(responses.items),
        max_score=max_score,
        cut_score_raw=raw_cut(responses.definition.cut_score, max_score) if max_score is not None else None,
        forms_count=len(forms),
        reliability_basis=basis,
        reliability_note=note,
        forms=shown,
        distribution=_distribution(totals, max_score),
    )
    return ExamAnalysis(responses, missing_rule, totals, items, test)


def _score(cell: Cell | None, rule: MissingRule) -> float | None:
    if cell is None or (rule is MissingRule.EXCLUDE and not cell.answered):
        return None
    return cell.score


def _form_of(row: tuple[Cell | None, ...]) -> tuple[int, ...]:
    return tuple(j for j, cell in enumerate(row) if cell is not None)


def _item(
    responses: ExamResponses,
    j: int,
    totals: tuple[float, ...],
    scores: list[list[float | None]],
    alpha_if_deleted: float | None,
) -> ItemAnalysis:
    column = responses.items[j]
    given = [(row[j], total) for row, total in zip(responses.cells, totals, strict=True) if row[j] is not None]
    used = [(s, total) for row, total in zip(scores, totals, strict=True) if (s := row[j]) is not None]
    item_scores = [s for s, _ in used]
    mean_score = mean(item_scores) if used else None
    p_value = None if mean_score is None else (mean_score / column.max_score if column.max_score > 0 else None)
    # Correlations over the attempts counted for the item, against their raw totals with and without the item.
    point_biserial = pearson(item_scores, [total for _, total in used])
    corrected = pearson(item_scores, [total - s for s, total in used])
    options = _options(column, given)
    flags = item_flags(
        n=len(used),
        p_value=p_value,
        corrected_point_biserial=corrected,
        options=[OptionEvidence(o.option_id, o.is_key, o.count, o.point_biserial) for o in options],
        thresholds=DEFAULT_THRESHOLDS,
    )
    return ItemAnalysis(
        column=column,
        n=len(used),
        given=len(given),
        p_value=p_value,
        mean_score=mean_score,
        point_biserial=point_biserial,
        corrected_point_biserial=corrected,
        omit_rate=sum(1 for cell, _ in given if cell and not cell.answered) / len(given) if given else None,
        alpha_if_deleted=alpha_if_deleted,
        options=options,
        flags=flags,
    )


def _options(column: ItemColumn, given: list[tuple[Cell | None, float]]) -> tuple[OptionShare, ...]:
    if not column.options or not given:
        return ()
    totals = [total for _, total in given]
    shares = []
    for option in column.options:
        chose = [1.0 if cell and cell.chosen and option in cell.chosen else 0.0 for cell, _ in given]
        count = int(sum(chose))
        shares.append(OptionShare(option, option in column.key, count, count / len(given), pearson(chose, totals)))
    return tuple(shares)


def _form_reliability(
    responses: ExamResponses,
    scores: list[list[float | None]],
    row_forms: list[tuple[int, ...]],
    form: tuple[int, ...],
    count: int,
) -> tuple[FormReliability, AlphaResult]:
    """KR-20 (0/1 items), alpha with alpha-if-deleted, and SEM over the attempts that had exactly this form's items.
    Without blanks left out alpha uses every attempt (listwise); otherwise pairwise-complete covariances."""
    rows = [[row[j] for j in form] for row, row_form in zip(scores, row_forms, strict=True) if row_form == form]
    totals = [math.fsum(s or 0.0 for s in row) for row in rows]
    sd = math.sqrt(variance(totals, ddof=1)) if count > 1 else None
    dichotomous = is_dichotomous(rows)
    if all(s is not None for row in rows for s in row):
        filled = [[s or 0.0 for s in row] for row in rows]
        alpha = cronbach_alpha(filled, missing=AlphaMissing.LISTWISE)
        kr = kr20(filled) if dichotomous else None
    else:
        alpha = cronbach_alpha(rows, missing=AlphaMissing.PAIRWISE)
        kr = alpha.alpha if dichotomous else None
    reliability = kr if dichotomous else alpha.alpha
    summary = FormReliability(
        items=tuple(responses.items[j].code for j in form),
        n=count,
        mean=mean(totals),
        sd=sd,
        kr20=kr,
        cronbach_alpha=alpha.alpha,
        sem=standard_error_of_measurement(sd, reliability) if sd is not None else None,
    )
    return summary, alpha


def _distribution(totals: tuple[float, ...], max_score: float | None) -> tuple[tuple[float, int], ...]:
    counts = Counter(totals)
    if max_score is not None and float(max_score).is_integer() and all(t.is_integer() for t in totals):
        return tuple((float(score), counts.get(float(score), 0)) for score in range(int(max_score) + 1))
    return tuple(sorted(counts.items()))


def _empty_test(responses: ExamResponses, max_score: float | None) -> TestSummary:
    return TestSummary(
        n=0,
        mean=None,
        sd=None,
        kr20=None,
        cronbach_alpha=None,
        sem=None,
        n_items=0,
        max_score=max_score,
        cut_score_raw=None,
        forms_count=0,
        reliability_basis="none",
        reliability_note="No scored attempts match these filters, so there is nothing to analyse yet.",
        forms=(),
        distribution=(),
    )
