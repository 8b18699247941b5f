"""Which format an uploaded file is in, and one entry point that imports any of them."""

from __future__ import annotations

import re
from typing import Literal

from itembank.formats.aiken import import_aiken
from itembank.formats.common import ImportProblem, ImportResult
from itembank.formats.csv_format import import_csv
from itembank.formats.gift import import_gift
from itembank.formats.native import import_native
from itembank.formats.qti import import_item_xml, import_package
from itembank.safety import MAX_UPLOAD_BYTES

Format = Literal["qti_package", "qti_xml", "gift", "aiken", "csv", "native"]
_AIKEN_ANSWER = re.compile(rb"^ANSWER\s*:", re.MULTILINE | re.IGNORECASE)
_GIFT_MARKERS = re.compile(rb"(^::.+?::|^\$CATEGORY:|\{[^}]*[=~#][^}]*\}|\{\s*(T|F|TRUE|FALSE)?\s*\})", re.MULTILINE)


def detect_format(filename: str, data: bytes) -> Format | None:
    """The format of an upload, from its content first and its name second; None when it is none of ours."""
    name = filename.lower()
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if data[:4] == b"PK\x03\x04":
        return "qti_package"
    if head.startswith(b"<"):
        return "qti_xml"
    if name.endswith((".json", ".yaml", ".yml")) or head.startswith((b"{", b"[")):
        return "native"
    if name.endswith(".csv"):
        return "csv"
    if name.endswith(".gift") or _GIFT_MARKERS.search(data[:65536]):
        return "gift"
    if _AIKEN_ANSWER.search(data[:65536]):
        return "aiken"
    if name.endswith(".txt"):
        return None
    return None


def import_file(filename: str, data: bytes) -> ImportResult:
    """Detect the format and import; an undetectable or oversized file comes back as a single problem."""
    if len(data) > MAX_UPLOAD_BYTES:
        return ImportResult(
            problems=[
                ImportProblem(
                    filename,
                    None,
                    None,
                    f"the file is {len(data):,} bytes; the limit is {MAX_UPLOAD_BYTES:,}: split it",
                )
            ]
        )
    detected = detect_format(filename, data)
    importers = {
        "qti_package": import_package,
        "qti_xml": import_item_xml,
        "gift": import_gift,
        "aiken": import_aiken,
        "csv": import_csv,
        "native": import_native,
    }
    if detected is None:
        message = "the format was not recognised: upload QTI (.xml or .zip), GIFT, Aiken, CSV, or native JSON/YAML"
        return ImportResult(problems=[ImportProblem(filename, None, None, message)])
    return importers[detected](data, filename)
