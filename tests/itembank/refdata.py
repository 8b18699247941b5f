"""Where the shared third-party reference data lives, and a reader for QTI assessmentResult files."""

from __future__ import annotations

from pathlib import Path

import pytest

from itembank.formats.qti_xml import split_tag
from itembank.safety import parse_xml
from tests.conftest import REFDATA as REFDATA

CITOLAB_SCORING = REFDATA / "qti" / "citolab-qti-scoring-engine"
IMS_ITEMS = REFDATA / "qti" / "oat-sa-qti-sdk" / "ims" / "items"
MOODLE = REFDATA / "moodle-qformat"

needs_refdata = pytest.mark.skipif(
    not REFDATA.is_dir(), reason=f"reference data folder {REFDATA} is absent (a fresh clone has no ../shared)"
)


def _local(tag: str) -> str:
    return split_tag(tag)[1]


class ItemResult:
    """The responses and outcomes recorded for one item in an assessmentResult file."""

    def __init__(self, identifier: str) -> None:
        self.identifier = identifier
        self.responses: dict[str, list[str]] = {}
        self.outcomes: dict[str, str] = {}
        self.external_outcomes: dict[str, str] = {}


def read_item_results(path: Path) -> list[ItemResult]:
    root = parse_xml(path.read_bytes(), what=path.name)
    results: list[ItemResult] = []
    for element in root:
        if _local(element.tag) != "itemResult":
            continue
        result = ItemResult(element.get("identifier", ""))
        for variable in element:
            name, identifier = _local(variable.tag), variable.get("identifier", "")
            if name == "responseVariable":
                values = [v.text or "" for c in variable if _local(c.tag) == "candidateResponse" for v in c]
                result.responses[identifier] = values
            elif name == "outcomeVariable":
                values = [v.text or "" for v in variable if _local(v.tag) == "value"]
                if values:
                    result.outcomes[identifier] = values[0]
                    # a human marker's score stands; anything else is recomputed
                    if (variable.get("externalScored") or variable.get("external-scored")) == "human":
                        result.external_outcomes[identifier] = values[0]
        results.append(result)
    return results


def item_result_for(path: Path, item_identifier: str) -> ItemResult:
    results = read_item_results(path)
    exact = [r for r in results if r.identifier == item_identifier]
    if exact:
        return exact[0]
    if len(results) == 1:
        return results[0]
    raise LookupError(f"{path.name} has no itemResult for {item_identifier!r}")
