"""Statistics on real data against the figures their packages' documentation prints."""

from __future__ import annotations

import csv
import math
import statistics
from pathlib import Path

import pytest

from examengine.analysis.loaders import load_key, load_responses, parse_long_responses, with_key
from examengine.analysis.matrix import MissingRule
from examengine.analysis.reliability import AlphaMissing, cronbach_alpha, feldt_interval, kr20
from examengine.analysis.stats import analyze_matrix


def test_ltm_lsat_matches_descript_in_the_jss_paper(refdata: Path) -> None:
    analysis = analyze_matrix(load_responses(refdata / "ltm_LSAT.csv"))
    n = analysis.test.n
    assert (n, analysis.test.n_items) == (1000, 5)
    # descript(LSAT), Rizopoulos (2006): proportions correct.
    assert [round(item.p_value or 0, 3) for item in analysis.items] == [0.924, 0.709, 0.553, 0.763, 0.870]
    # Frequencies of total scores 0..5.
    assert [count for _, count in analysis.test.distribution] == [3, 20, 85, 237, 357, 298]
    # Point-biserial with the total (item included). ltm then divided by sd(x), the n - 1 SD, so its figures are
    # Pearson's r times sqrt((n - 1) / n): 0.5668 -> 0.5665 for item 2, printed 0.566 where Pearson rounds to 0.567.
    published = [0.362, 0.566, 0.618, 0.534, 0.435]
    ltm_2006 = [round((item.point_biserial or 0) * math.sqrt((n - 1) / n), 3) for item in analysis.items]
    assert ltm_2006 == published
    for item, figure in zip(analysis.items, published, strict=True):
        assert item.point_biserial == pytest.approx(figure, abs=0.0015)
    # Cronbach's alpha, all items.
    assert round(analysis.test.cronbach_alpha or 0, 3) == 0.295
    assert analysis.test.kr20 == pytest.approx(analysis.test.cronbach_alpha, abs=1e-12)


def test_ltm_lsat_alpha_if_deleted_is_alpha_of_the_other_items(refdata: Path) -> None:
    matrix = load_responses(refdata / "ltm_LSAT.csv")
    analysis = analyze_matrix(matrix)
    scores = matrix.scored()
    for j, item in enumerate(analysis.items):
        rest = [[cell for i, cell in enumerate(row) if i != j] for row in scores]
        assert item.alpha_if_deleted == pytest.approx(cronbach_alpha(rest).alpha, abs=1e-12)
    assert [round(item.alpha_if_deleted or 0, 4) for item in analysis.items] == [0.2754, 0.2376, 0.2168, 0.2459, 0.2663]


def _iqitems(refdata: Path, *, missing_codes: set[str]) -> tuple[list[str], list[tuple[float | None, ...]]]:
    matrix = load_responses(refdata / "psych_iqitems_raw.csv", missing_codes=missing_codes)
    matrix = with_key(matrix, load_key(refdata / "psych_iqitems_key.txt", matrix.item_ids))
    return list(matrix.item_ids), list(matrix.scored())


def test_psych_iqitems_difficulties_and_alpha_as_the_overview_vignette_prints(refdata: Path) -> None:
    # psych's score.multiple.choice: only NA is missing (a 0 is a wrong answer), difficulty is the mean over the
    # examinees who answered (missing excluded), alpha from the covariances after median imputation.
    matrix = load_responses(refdata / "psych_iqitems_raw.csv")
    matrix = with_key(matrix, load_key(refdata / "psych_iqitems_key.txt", matrix.item_ids))
    analysis = analyze_matrix(matrix, missing_rule=MissingRule.EXCLUDE)
    published = {
        "reason.4": 0.64, "reason.16": 0.70, "reason.17": 0.70, "reason.19": 0.62,
        "letter.7": 0.60, "letter.33": 0.57, "letter.34": 0.61, "letter.58": 0.44,
        "matrix.45": 0.53, "matrix.46": 0.55, "matrix.47": 0.61, "matrix.55": 0.37,
        "rotate.3": 0.19, "rotate.4": 0.21, "rotate.6": 0.30, "rotate.8": 0.19,
    }  # fmt: skip
    assert {item.item_id: round(item.p_value or 0, 2) for item in analysis.items} == published
    assert analysis.test.n == 1525
    assert round(analysis.test.cronbach_alpha or 0, 2) == 0.84
    # Only 25 cells are NA, so scoring them wrong leaves alpha at 0.84 too.
    assert round(analyze_matrix(matrix).test.cronbach_alpha or 0, 2) == 0.84


def test_scoring_iqitems_reproduces_psych_ability_cell_by_cell(refdata: Path) -> None:
    # psych's `ability` is iqitems scored with 0 (no response) and NA both missing.
    item_ids, scored = _iqitems(refdata, missing_codes={"0"})
    with (refdata / "psych_ability_scored.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == item_ids
    expected = [tuple(None if cell in ("", "NA") else float(cell) for cell in row) for row in rows[1:]]
    assert len(expected) == len(scored) == 1525
    mismatches = [(r, c) for r, row in enumerate(expected) for c, cell in enumerate(row) if scored[r][c] != cell]
    assert mismatches == []
    assert sum(cell is None for row in scored for cell in row) == 1143


def test_pingouin_long_format_example(refdata: Path) -> None:
    # pingouin docs: pg.cronbach_alpha(data, items='Items', scores='Scores', subject='Subj')
    # -> (0.5917188485995826, array([0.195, 0.84 ]))
    text = (refdata / "pingouin_cronbach_alpha.csv").read_text(encoding="utf-8-sig")
    matrix = parse_long_responses(text, person_column="Subj", item_column="Items", value_column="Scores")
    assert (matrix.n_examinees, matrix.n_items) == (15, 10)
    result = cronbach_alpha(matrix.scored())
    assert result.alpha == pytest.approx(0.5917188485995826, abs=1e-12)
    assert (round(result.ci_lower or 0, 3), round(result.ci_upper or 0, 3)) == (0.195, 0.840)


def test_pingouin_wide_missing_example(refdata: Path) -> None:
    scores = load_responses(refdata / "pingouin_cronbach_wide_missing.csv").scored()
    assert len(scores) == 12
    # pg.cronbach_alpha(data) (nan_policy='pairwise', the default) -> (0.732661, array([0.435, 0.909]))
    pairwise = cronbach_alpha(scores, missing=AlphaMissing.PAIRWISE)
    assert pairwise.alpha == pytest.approx(0.732660835214447, abs=1e-12)
    assert (round(pairwise.ci_lower or 0, 3), round(pairwise.ci_upper or 0, 3)) == (0.435, 0.909)
    # nan_policy='listwise' -> (0.801695, array([0.581, 0.933])). Pingouin's interval uses the 12 rows it had
    # before dropping 3; ours uses the 9 complete rows it computed alpha from, so only the formula is compared.
    listwise = cronbach_alpha(scores, missing=AlphaMissing.LISTWISE)
    assert listwise.alpha == pytest.approx(0.8016949152542373, abs=1e-12)
    assert listwise.n == 9
    lower, upper = feldt_interval(listwise.alpha or 0, 12, 11)
    assert (round(lower or 0, 3), round(upper or 0, 3)) == (0.581, 0.933)
    # data.fillna(data.median()) -> 0.7380191693290734
    medians = [statistics.median([cell for row in scores if (cell := row[j]) is not None]) for j in range(11)]
    imputed = [tuple(medians[j] if cell is None else cell for j, cell in enumerate(row)) for row in scores]
    assert cronbach_alpha(imputed).alpha == pytest.approx(0.7380191693290734, abs=1e-12)


def test_mirt_sat12_raw_options_with_omit_code(refdata: Path) -> None:
    matrix = load_responses(refdata / "mirt_SAT12_raw.csv", missing_codes={"8"})
    matrix = with_key(matrix, load_key(refdata / "mirt_SAT12_key.txt", matrix.item_ids))
    analysis = analyze_matrix(matrix)
    assert (analysis.test.n, analysis.test.n_items) == (600, 32)
    assert analysis.test.kr20 == pytest.approx(analysis.test.cronbach_alpha, abs=1e-12)
    assert kr20([[cell or 0.0 for cell in row] for row in matrix.scored()]) == analysis.test.kr20
    assert round(sum(item.omit_rate for item in analysis.items) * 600) == 69
    for item in analysis.items:
        assert item.p_value is not None and 0.0 <= item.p_value <= 1.0
        assert math.fsum(option.proportion for option in item.options) + item.omit_rate == pytest.approx(1.0)
        key_option = next(option for option in item.options if option.is_key)
        assert key_option.proportion == pytest.approx(item.p_value)
        assert key_option.point_biserial == pytest.approx(item.point_biserial)
        assert {option.option_id for option in item.options} <= {"1", "2", "3", "4", "5"}
    assert sum(count for _, count in analysis.test.distribution) == 600
    assert analysis.test.mean == pytest.approx(sum(item.p_value or 0 for item in analysis.items))
