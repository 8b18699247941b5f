"""A hostile-input corpus, generated at test time: each file is refused with a clear error, cheaply."""

from __future__ import annotations

import io
import json
import stat
import time
import tracemalloc
import zipfile
from pathlib import Path

import nh3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from itembank.cleaning import clean_markup
from itembank.formats import import_file
from itembank.formats.native import import_native
from itembank.formats.qti import import_item_xml, import_package
from itembank.safety import UnsafeInputError, ZipLimits, parse_xml, read_zip

ITEM_HEAD = '<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="x" title="x">'
MANIFEST = b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"><resources/></manifest>'


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    bomb = _zip({"imsmanifest.xml": MANIFEST, "bomb.xml": b"\0" * (50 * 1024 * 1024)})
    (tmp_path / "bomb.zip").write_bytes(bomb)
    assert len(bomb) < 200_000
    tracemalloc.start()
    result = import_package((tmp_path / "bomb.zip").read_bytes(), "bomb.zip")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.items == []
    assert "compression ratio" in result.problems[0].message and "zip bomb" in result.problems[0].message
    assert peak < 5 * 1024 * 1024


def test_total_uncompressed_size_and_entry_count_are_capped() -> None:
    many = _zip({f"f{i}.txt": b"x" for i in range(30)})
    with pytest.raises(UnsafeInputError, match="30 entries; the limit is 10"):
        read_zip(many, ZipLimits(max_entries=10))
    big = _zip({"a.bin": bytes(range(256)) * 4096}, zipfile.ZIP_STORED)
    with pytest.raises(UnsafeInputError, match="inflates to 1,048,576 bytes"):
        read_zip(big, ZipLimits(max_entry_bytes=1000))


def test_lying_central_directory_is_caught_while_reading() -> None:
    honest = _zip({"a.txt": b"A" * 1000}, zipfile.ZIP_STORED)
    # shrink the declared size in both headers: the reader must not return more than was declared
    liar = honest.replace((1000).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    with pytest.raises(UnsafeInputError):
        read_zip(liar)


@pytest.mark.parametrize("name", ["../evil.xml", "items/../../evil.xml", "/etc/passwd", "C:/evil.xml", "a\\..\\b.xml"])
def test_zip_slip_paths_are_refused(name: str) -> None:
    result = import_package(_zip({"imsmanifest.xml": MANIFEST, name: b"<x/>"}), "slip.zip")
    assert result.items == []
    assert repr(name) in result.problems[0].message


def test_symlink_entries_are_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        link = zipfile.ZipInfo("link.xml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    result = import_package(buffer.getvalue(), "link.zip")
    assert "symbolic link" in result.problems[0].message


HOSTILE_XML = {
    "xxe": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]><l>&d;</l>',
    "external_dtd": b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://example.org/evil.dtd"><a/>',
    "parameter_entity": b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY % p SYSTEM "http://example.org/p">%p;]><a/>',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_XML))
def test_hostile_xml_is_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"{name}.xml"
    path.write_bytes(HOSTILE_XML[name])
    with pytest.raises(UnsafeInputError, match=r"DTD|entities|external"):
        parse_xml(path.read_bytes())
    result = import_item_xml(path.read_bytes(), path.name)
    assert result.items == []
    assert "refused" in result.problems[0].message


def test_oversized_xml_is_refused_before_parsing() -> None:
    with pytest.raises(UnsafeInputError, match="the limit is"):
        parse_xml(b"<a>" + b"x" * (9 * 1024 * 1024) + b"</a>")


@pytest.mark.parametrize(
    ("html", "forbidden"),
    [
        ("<p>hi<script>alert(1)</script></p>", "<script"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<a href=" JaVaScRiPt:alert(1)">x</a>', "alert"),
        ('<p onclick="steal()">x</p>', "onclick"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ("<style>body{display:none}</style>", "display:none"),
        ("<svg><script>alert(1)</script></svg>", "alert"),
    ],
)
def test_html_is_sanitised(html: str, forbidden: str) -> None:
    assert forbidden.lower() not in clean_markup(html).lower()


def test_script_in_a_qti_stem_and_choices_never_survives_import() -> None:
    xml = f"""{ITEM_HEAD}
      <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
        <correctResponse><value>A</value></correctResponse></responseDeclaration>
      <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
      <itemBody><p onmouseover="x()">Stem<script>alert(1)</script></p>
        <choiceInteraction responseIdentifier="RESPONSE" maxChoices="1">
          <simpleChoice identifier="A"><img src="a.png" onerror="alert(2)"/>A</simpleChoice>
          <simpleChoice identifier="B"><a href="javascript:alert(3)">B</a></simpleChoice>
        </choiceInteraction></itemBody>
      <responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>
    </assessmentItem>"""
    result = import_item_xml(xml.encode(), "x.xml")
    content = result.items[0].content
    dumped = content.model_dump_json().lower()
    for forbidden in ("<script", "onmouseover", "onerror", "javascript:", "alert"):
        assert forbidden not in dumped
    assert content.interactions[0].choices[0].html == '<img src="a.png">A'


def test_yaml_alias_bomb_is_refused() -> None:
    bomb = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b]\n"
    result = import_native(bomb, "bomb.yaml")
    assert result.items == []
    assert "aliases" in result.problems[0].message


def test_oversized_upload_is_refused_by_import_file() -> None:
    result = import_file("big.csv", b"x" * (51 * 1024 * 1024))
    assert "the limit is" in result.problems[0].message


def test_unrecognised_upload_is_reported() -> None:
    result = import_file("notes.txt", b"just some prose, nothing else")
    assert result.problems[0].message.startswith("the format was not recognised")


@given(
    st.text(alphabet=st.characters(blacklist_characters="<>&\r\xa0", blacklist_categories=("Cc", "Cs")), max_size=60)
)
def test_plain_text_fast_path_agrees_with_the_cleaner(text: str) -> None:
    assert clean_markup(text) == nh3.clean(text, tags={"p"})


def test_native_import_stays_fast() -> None:
    # a guard against accidental quadratic work, far below the 1,000 items/s target so it cannot flake
    items = [
        {
            "id": f"q{i}",
            "kind": "single_choice",
            "stem": f"<p>Q {i}</p>",
            "options": [{"id": "A", "text": "a"}, {"id": "B", "text": "b", "correct": True}],
        }
        for i in range(500)
    ]
    started = time.perf_counter()
    result = import_native(json.dumps(items).encode(), "many.json")
    assert len(result.items) == 500
    assert time.perf_counter() - started < 2.0
