from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from examengine.analysis.distributions import f_cdf, f_quantile
from examengine.analysis.reliability import AlphaMissing, cronbach_alpha, kr20, standard_error_of_measurement


@st.composite
def score_matrices(draw: st.DrawFn, *, values: st.SearchStrategy[float]) -> list[list[float]]:
    k = draw(st.integers(min_value=3, max_value=7))
    n = draw(st.integers(min_value=3, max_value=25))
    return [[draw(values) for _ in range(k)] for _ in range(n)]


dichotomous = score_matrices(values=st.sampled_from([0.0, 1.0]))
polytomous = score_matrices(values=st.integers(min_value=0, max_value=4).map(float))


@given(dichotomous)
def test_kr20_equals_alpha_for_dichotomous_items(rows: list[list[float]]) -> None:
    alpha = cronbach_alpha(rows).alpha
    if alpha is None:
        assert kr20(rows) is None
    else:
        assert kr20(rows) == pytest.approx(alpha, abs=1e-9)


@given(polytomous, st.randoms(use_true_random=False))
def test_alpha_does_not_depend_on_item_order(rows: list[list[float]], rng: random.Random) -> None:
    order = list(range(len(rows[0])))
    rng.shuffle(order)
    shuffled = [[row[j] for j in order] for row in rows]
    before, after = cronbach_alpha(rows), cronbach_alpha(shuffled)
    if before.alpha is None:
        assert after.alpha is None
    else:
        assert after.alpha == pytest.approx(before.alpha, abs=1e-9)
        for j, deleted in enumerate(order):
            assert after.alpha_if_deleted[j] == pytest.approx(before.alpha_if_deleted[deleted], abs=1e-9)


@given(polytomous)
def test_alpha_if_deleted_is_alpha_without_the_item(rows: list[list[float]]) -> None:
    result = cronbach_alpha(rows)
    for j, value in enumerate(result.alpha_if_deleted):
        rest = cronbach_alpha([[cell for i, cell in enumerate(row) if i != j] for row in rows]).alpha
        assert value == pytest.approx(rest, abs=1e-9) if rest is not None else value is None


@given(polytomous)
def test_pairwise_and_listwise_agree_without_missing_cells(rows: list[list[float]]) -> None:
    listwise = cronbach_alpha(rows, missing=AlphaMissing.LISTWISE).alpha
    pairwise = cronbach_alpha(rows, missing=AlphaMissing.PAIRWISE).alpha
    assert pairwise == pytest.approx(listwise, abs=1e-9) if listwise is not None else pairwise is None


@given(polytomous, st.integers(min_value=-3, max_value=3))
def test_alpha_ignores_a_constant_added_to_an_item(rows: list[list[float]], shift: int) -> None:
    shifted = [[row[0] + shift, *row[1:]] for row in rows]
    before, after = cronbach_alpha(rows).alpha, cronbach_alpha(shifted).alpha
    assert after == pytest.approx(before, abs=1e-9) if before is not None else after is None


@given(score_matrices(values=st.sampled_from([0.0, 1.0, 2.0, None])))
def test_pairwise_covariances_match_a_direct_computation(rows: list[list[float | None]]) -> None:
    k = len(rows[0])
    covariances = []
    for i in range(k):
        row_values = []
        for j in range(k):
            pairs = [(r[i], r[j]) for r in rows if r[i] is not None and r[j] is not None]
            if len(pairs) < 2:
                return
            xs, ys = [float(x or 0) for x, _ in pairs], [float(y or 0) for _, y in pairs]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            row_values.append(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1))
        covariances.append(row_values)
    total = sum(map(sum, covariances))
    trace = sum(covariances[i][i] for i in range(k))
    result = cronbach_alpha(rows, missing=AlphaMissing.PAIRWISE).alpha
    if total > 1e-9:
        assert result == pytest.approx(k / (k - 1) * (1 - trace / total), abs=1e-9)


def test_listwise_drops_incomplete_examinees() -> None:
    rows: list[list[float | None]] = [[1.0, 1.0, 1.0], [0.0, None, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 0.0]]
    result = cronbach_alpha(rows, missing=AlphaMissing.LISTWISE)
    assert result.n == 3
    assert result.alpha == pytest.approx(cronbach_alpha([rows[0], rows[2], rows[3]]).alpha)


def test_alpha_is_undefined_without_total_variance() -> None:
    result = cronbach_alpha([[1.0, 1.0], [1.0, 1.0]])
    assert result.alpha is None and result.ci_lower is None


def test_kr20_refuses_other_scores() -> None:
    with pytest.raises(ValueError, match="0/1"):
        kr20([[1.0, 2.0], [0.0, 1.0]])


def test_sem() -> None:
    assert standard_error_of_measurement(5.0, 0.84) == pytest.approx(2.0)
    assert standard_error_of_measurement(5.0, None) is None


@pytest.mark.parametrize(
    ("probability", "df1", "df2", "expected"),
    # Printed F tables: F(0.95; 5, 10) = 3.3258, F(0.99; 2, 20) = 5.8489, F(0.975; 1, 1) = 647.79.
    [(0.95, 5, 10, 3.3258), (0.99, 2, 20, 5.8489), (0.975, 1, 1, 647.79)],
)
def test_f_quantiles_match_tables(probability: float, df1: int, df2: int, expected: float) -> None:
    assert f_quantile(probability, df1, df2) == pytest.approx(expected, rel=1e-4)


@settings(max_examples=50)
@given(
    st.floats(min_value=0.001, max_value=0.999),
    st.integers(min_value=1, max_value=3000),
    st.integers(min_value=1, max_value=100000),
)
def test_f_quantile_inverts_the_cdf(probability: float, df1: int, df2: int) -> None:
    assert f_cdf(f_quantile(probability, df1, df2), df1, df2) == pytest.approx(probability, abs=1e-9)
