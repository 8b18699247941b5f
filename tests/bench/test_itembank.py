"""The item bank benchmark runs end to end at a tiny size and reports every figure (no timing thresholds here)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bench import itembank
from bench.items import Vocabulary, native_document, native_item
from itembank import importing


def test_benchmark_reports_import_and_search_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    args = ["--items", "50", "--bank", "300", "--searches", "30", "--database-url", url, "--json"]

    assert itembank.main(args) == 0

    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert set(report) == {"config", "import", "bank", "search"}
    imported = report["import"]
    assert imported["items"] == 50
    for key in ("parse_items_per_s", "store_items_per_s", "total_items_per_s"):
        assert imported[key] > 0
    assert report["bank"]["versions"] == 300
    assert report["bank"]["extra_versions"] > 0
    assert set(report["bank"]["latest_status"]) == {"draft", "review", "approved", "retired"}
    search = report["search"]
    assert search["searches"] == 30 == search["overall"]["n"]
    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms"):
        assert search["overall"][key] > 0
    assert set(search["shapes"]) <= set(itembank.SHAPES)
    assert sum(shape["n"] for shape in search["shapes"].values()) == 30
    assert all(search["query_plans"][shape] for shape in search["shapes"])
    assert "Import of 50 native items" in captured.err and "searches through list_items" in captured.err


def test_generated_items_are_deterministic_and_valid() -> None:
    def generate() -> list[dict[str, object]]:
        rng = random.Random(7)
        vocab = Vocabulary.build(rng)
        return [native_item(rng, vocab, n) for n in range(40)]

    items = generate()
    assert items == generate()
    result = importing.read_upload("bench.json", native_document(items), "native")
    assert not result.errors and len(result.items) == 40
    assert {item["kind"] for item in items} >= {"single_choice", "multiple_response", "true_false"}
