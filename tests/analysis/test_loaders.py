from __future__ import annotations

from pathlib import Path

import pytest

from examengine.analysis.loaders import load_responses, parse_key, parse_long_responses, parse_responses
from examengine.analysis.matrix import MatrixError, ResponseMatrix


def test_header_is_detected_and_missing_cells_become_none() -> None:
    matrix = parse_responses("Q1,Q2,Q3\nA,B,\nC,NA,D\n")
    assert matrix.item_ids == ("Q1", "Q2", "Q3")
    assert matrix.responses == (("A", "B", None), ("C", None, "D"))
    assert matrix.line_numbers == (2, 3)


def test_a_first_row_of_responses_is_not_a_header() -> None:
    matrix = parse_responses("1,0,1\n0,0,1\n1,1,0\n")
    assert matrix.item_ids == ("item_1", "item_2", "item_3")
    assert matrix.n_examinees == 3


def test_header_can_be_forced_either_way() -> None:
    assert parse_responses("A,B\nA,B\n", header=True).item_ids == ("A", "B")
    assert parse_responses("Q1,Q2\nA,B\n", header=False).n_examinees == 2


def test_missing_codes_and_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("\ufeffQ1,Q2\n1,8\n8,3\n", encoding="utf-8")
    matrix = load_responses(path, missing_codes={"8"})
    assert matrix.item_ids == ("Q1", "Q2")
    assert matrix.responses == (("1", None), (None, "3"))


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "empty"),
        ("\n\n", None, "empty"),
        ("Q1,Q2\n", None, "no examinee rows"),
        ("Q1,Q2\nA,B\nA\n", 3, "1 cells but there are 2 items"),
        ("Q1,Q2\nA,B\n\nA,B,C\n", 4, "3 cells"),
    ],
)
def test_bad_responses_name_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(MatrixError, match=message) as caught:
        parse_responses(text, source="r.csv")
    assert caught.value.line == line
    if line is not None:
        assert f"r.csv, line {line}:" in str(caught.value)


def test_non_numeric_cell_without_a_key_names_line_and_item() -> None:
    matrix = parse_responses("Q1,Q2\n1,0\n0,B\n", source="r.csv")
    with pytest.raises(MatrixError, match="item 'Q2' has 'B'") as caught:
        matrix.scored()
    assert caught.value.line == 3


def test_key_in_item_order_and_as_item_key_pairs() -> None:
    assert parse_key("A, C ,B\n", ["Q1", "Q2", "Q3"]) == ("A", "C", "B")
    assert parse_key("item,key\nQ3,B\nQ1,A\nQ2,C\n", ["Q1", "Q2", "Q3"]) == ("A", "C", "B")
    assert parse_key("Q2,C\nQ1,A\n", ["Q1", "Q2"]) == ("A", "C")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("", None, "empty"),
        ("A,B\n", 1, "the key has 2 entries but the responses have 3 items"),
        ("A,,C\n", 1, "key for item 'Q2' is empty"),
        ("Q1,A\nQ9,B\nQ3,C\n", 2, "item 'Q9' is not among"),
        ("Q1,A\nQ1,B\nQ3,C\n", 2, "second key"),
        ("Q1,A\nQ2,B\n", None, "no key for 1 item"),
        ("Q1,A\nQ2,B,C\n", 2, "expected two columns"),
    ],
)
def test_bad_keys_name_the_line(text: str, line: int | None, message: str) -> None:
    with pytest.raises(MatrixError, match=message) as caught:
        parse_key(text, ["Q1", "Q2", "Q3"], source="key.csv")
    assert caught.value.line == line


def test_long_format_becomes_a_matrix() -> None:
    text = "who,item,score\np1,Q1,1\np1,Q2,0\np2,Q2,1\n"
    matrix = parse_long_responses(text, person_column="who", item_column="item", value_column="score")
    assert matrix.item_ids == ("Q1", "Q2")
    assert matrix.responses == (("1", "0"), (None, "1"))
    with pytest.raises(MatrixError, match="second value") as caught:
        parse_long_responses(text + "p1,Q1,0\n", person_column="who", item_column="item", value_column="score")
    assert caught.value.line == 5
    with pytest.raises(MatrixError, match="no column 'points'"):
        parse_long_responses(text, person_column="who", item_column="item", value_column="points")


def test_matrix_rejects_inconsistent_shapes() -> None:
    with pytest.raises(MatrixError, match="duplicate item ids: Q1"):
        ResponseMatrix(item_ids=("Q1", "Q1"), responses=())
    with pytest.raises(MatrixError, match="the key has 1 entries but there are 2 items"):
        ResponseMatrix(item_ids=("Q1", "Q2"), responses=(), key=("A",))
