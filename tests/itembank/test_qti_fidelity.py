"""QTI fidelity on items written by other engines: each case states what the QTI specification (2.1, 2.2, 3.0)
says and what qtiworks and qti-sdk do, and checks that this engine does the same."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.formats.qti import import_item_xml, read_item_xml
from itembank.scoring import max_score, score

QTI2 = 'xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1"'
CHOICE_BODY = """<itemBody>{extra}<choiceInteraction responseIdentifier="RESPONSE" maxChoices="{max_choices}">
  <simpleChoice identifier="A">A</simpleChoice><simpleChoice identifier="B">B</simpleChoice>
  <simpleChoice identifier="C">C</simpleChoice></choiceInteraction></itemBody>"""


def item(
    declarations: str, processing: str, *, extra: str = "", max_choices: int = 1, score_outcome: bool = True
) -> bytes:
    outcome = '<outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>' if score_outcome else ""
    body = CHOICE_BODY.format(extra=extra, max_choices=max_choices)
    return (
        f'<assessmentItem {QTI2} identifier="held-out" title="Held out" adaptive="false" timeDependent="false">'
        f"{declarations}{outcome}{body}{processing}</assessmentItem>"
    ).encode()


SINGLE = (
    '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
    "<correctResponse><value>A</value></correctResponse></responseDeclaration>"
)
MATCH_CORRECT = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"/>'


def errors_of(data: bytes) -> list[str]:
    return [p.message for p in import_item_xml(data, "held-out.xml").errors]


# 1. printedVariable over an outcome ---------------------------------------------------------------------------


def test_a_printed_outcome_is_accepted_and_shows_its_value_before_any_answer() -> None:
    # QTI 2.1 printedVariable: "the outcome or template variable" to print, so an outcome is valid and needs no
    # template processing. Before response processing an outcome holds its defaultValue; a single numeric outcome
    # without one starts at 0 (outcome variables). `format` is a printf conversion. qtiworks' rendering stylesheet
    # prints outcome values the same way.
    declarations = (
        SINGLE + '<outcomeDeclaration identifier="PI" cardinality="single" baseType="float">'
        "<defaultValue><value>3.14159</value></defaultValue></outcomeDeclaration>"
        '<outcomeDeclaration identifier="HINTS" cardinality="multiple" baseType="identifier">'
        "<defaultValue><value>h1</value><value>h2</value></defaultValue></outcomeDeclaration>"
    )
    extra = (
        '<p>Pi is about <printedVariable identifier="PI" format="%.2f"/>; score so far '
        '<printedVariable identifier="SCORE"/>; hints <printedVariable identifier="HINTS" delimiter=", "/>.</p>'
    )
    result = import_item_xml(item(declarations, MATCH_CORRECT, extra=extra), "held-out.xml")
    assert result.errors == []
    stem = result.items[0].content.stem
    assert "Pi is about" in stem and ">3.14<" in stem and ">0<" in stem and ">h1, h2<" in stem, stem


def test_a_printed_template_variable_still_needs_template_processing() -> None:
    # Template variables get their values from templateProcessing, which this engine does not run: refused, by name.
    extra = '<p><printedVariable identifier="n"/></p>'
    problems = errors_of(item(SINGLE, MATCH_CORRECT, extra=extra))
    assert any("printedVariable 'n' needs template processing" in p for p in problems), problems


# 2. response processing that can never run ------------------------------------------------------------------


MAP_RESPONSE = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>'
MAP_POINT = '<responseProcessing template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response_point"/>'
CUSTOM_MAP = (
    '<responseProcessing><setOutcomeValue identifier="SCORE"><mapResponse identifier="RESPONSE"/>'
    "</setOutcomeValue></responseProcessing>"
)
CUSTOM_POINT = (
    '<responseProcessing><setOutcomeValue identifier="SCORE"><mapResponsePoint identifier="RESPONSE"/>'
    "</setOutcomeValue></responseProcessing>"
)
NO_KEY = '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier"/>'


@pytest.mark.parametrize(
    ("declarations", "processing", "reason", "score_outcome"),
    [
        # mapResponse "transforms [the response] using the associated mapping, which must have been declared"
        (SINGLE, CUSTOM_MAP, "<mapResponse> maps the response 'RESPONSE', which has no <mapping>", True),
        # mapResponsePoint needs an areaMapping in the same way
        (SINGLE, CUSTOM_POINT, "<mapResponsePoint> maps the response 'RESPONSE', which has no <areaMapping>", True),
        # the rptemplates read RESPONSE's mapping, areaMapping or correctResponse, and set SCORE
        (SINGLE, MAP_RESPONSE, "the map_response template needs a <mapping>", True),
        (SINGLE, MAP_POINT, "the map_response_point template needs a <areaMapping>", True),
        (NO_KEY, MATCH_CORRECT, "the match_correct template needs a <correctResponse>", True),
        ("", MATCH_CORRECT, "the match_correct template scores the response RESPONSE, which the item does not", True),
        (SINGLE, MATCH_CORRECT, "sets the outcome 'SCORE', which the item does not declare", False),
    ],
)
def test_processing_that_can_never_run_is_refused_at_import_with_the_reason(
    declarations: str, processing: str, reason: str, score_outcome: bool
) -> None:
    result = import_item_xml(item(declarations, processing, score_outcome=score_outcome), "held-out.xml")
    assert result.items == []
    assert any(reason in p.message for p in result.errors), [p.message for p in result.errors]


def test_the_same_item_with_what_its_processing_needs_imports() -> None:
    mapped = (
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
        '<mapping defaultValue="0"><mapEntry mapKey="A" mappedValue="1"/></mapping></responseDeclaration>'
    )
    for declarations, processing in ((SINGLE, MATCH_CORRECT), (mapped, MAP_RESPONSE), (mapped, CUSTOM_MAP)):
        assert errors_of(item(declarations, processing)) == []


def test_built_in_variables_need_no_declaration() -> None:
    # numAttempts and duration are built-in responses and completionStatus a built-in outcome (QTI 2.1).
    processing = (
        '<responseProcessing><setOutcomeValue identifier="completionStatus"><baseValue baseType="identifier">'
        'completed</baseValue></setOutcomeValue><setOutcomeValue identifier="SCORE">'
        '<variable identifier="numAttempts"/></setOutcomeValue></responseProcessing>'
    )
    assert errors_of(item(SINGLE, processing)) == []


# 3. MAXSCORE set by response processing ----------------------------------------------------------------------


def _maxscore_item(setter: str) -> bytes:
    declarations = (
        SINGLE + '<outcomeDeclaration identifier="MAXSCORE" cardinality="single" baseType="float">'
        "<defaultValue><value>1</value></defaultValue></outcomeDeclaration>"
    )
    processing = (
        f'<responseProcessing><setOutcomeValue identifier="MAXSCORE">{setter}</setOutcomeValue>'
        '<responseCondition><responseIf><match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/>'
        '</match><setOutcomeValue identifier="SCORE"><variable identifier="MAXSCORE"/></setOutcomeValue>'
        "</responseIf></responseCondition></responseProcessing>"
    )
    return item(declarations, processing)


@pytest.mark.parametrize(
    ("setter", "expected"),
    [
        ('<baseValue baseType="float">3</baseValue>', 3.0),
        ('<sum><baseValue baseType="float">2</baseValue><baseValue baseType="float">2.5</baseValue></sum>', 4.5),
        # set from the response: not known before an answer, so MAXSCORE's default stands
        ('<mapResponse identifier="RESPONSE"/>', 1.0),
    ],
)
def test_the_maximum_comes_from_processing_where_it_sets_maxscore(setter: str, expected: float) -> None:
    # MAXSCORE is an ordinary outcome: processing that sets it overrides its defaultValue. The correct answer
    # scores SCORE = MAXSCORE, so the maximum and the key's score agree.
    data = _maxscore_item(setter)
    if "mapResponse" in setter:
        data = data.replace(b"</correctResponse>", b'</correctResponse><mapping defaultValue="0"/>')
    reading = read_item_xml(data)
    assert reading.errors == [] and reading.content is not None
    assert max_score(reading.content) == expected
    if "mapResponse" not in setter:
        assert score(reading.content, {"RESPONSE": "A"}).score == expected


# 4. mapResponse of an empty response -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cardinality", "bounds", "response", "expected"),
    [
        ("single", "", None, -0.5),
        ("multiple", "", [], -0.5),
        ("multiple", "", None, -0.5),
        ("single", ' lowerBound="0"', None, 0.0),
        ("multiple", "", ["A", "B"], 1.5),
        ("multiple", "", ["C"], -0.5),
    ],
)
def test_map_response_of_an_empty_response_is_the_default_value(
    cardinality: str, bounds: str, response: Any, expected: float
) -> None:
    # mapResponse always yields "a single float"; a NULL source maps to the mapping's defaultValue, bounds applied:
    # qtiworks' Mapping.getTargetValue returns the constrained defaultValue for a NULL value, and qti-sdk's
    # MapResponseProcessor maps an empty container as one NULL value, which no mapEntry matches.
    declaration = (
        f'<responseDeclaration identifier="RESPONSE" cardinality="{cardinality}" baseType="identifier">'
        f'<mapping defaultValue="-0.5"{bounds}><mapEntry mapKey="A" mappedValue="1"/>'
        '<mapEntry mapKey="B" mappedValue="0.5"/></mapping></responseDeclaration>'
    )
    reading = read_item_xml(item(declaration, CUSTOM_MAP, max_choices=0 if cardinality == "multiple" else 1))
    assert reading.errors == [] and reading.content is not None
    assert score(reading.content, {"RESPONSE": response}).outcomes["SCORE"] == expected


def test_the_map_response_template_still_scores_an_empty_response_zero() -> None:
    # The map_response template itself tests isNull(RESPONSE) first and sets SCORE to 0: only the bare expression
    # changed.
    declaration = (
        '<responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">'
        '<mapping defaultValue="-0.5"><mapEntry mapKey="A" mappedValue="1"/></mapping></responseDeclaration>'
    )
    reading = read_item_xml(item(declaration, MAP_RESPONSE))
    assert reading.content is not None and score(reading.content, {"RESPONSE": None}).score == 0.0


# 5. QTI 3 string correct responses with whitespace from pretty-printing -------------------------------------

QTI3_TEXT_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="capital" title="Capital"
    adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response>
      <qti-value>
        Paris
      </qti-value>
    </qti-correct-response>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body><p>The capital of France is <qti-text-entry-interaction response-identifier="RESPONSE"/>.</p>
  </qti-item-body>
  <qti-response-processing template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"/>
</qti-assessment-item>"""


def test_a_padded_string_key_imports_with_a_warning() -> None:
    # A string value is compared exactly (match on strings; only stringMatch folds case), and <qti-value> keeps
    # its text as written: a pretty-printed key holds newlines and indentation no candidate types. It is valid
    # QTI, so the item imports; the author is warned, because nobody would score with it as it stands.
    result = import_item_xml(QTI3_TEXT_ENTRY.encode(), "capital.xml")
    assert result.errors == [] and len(result.items) == 1
    warnings = [p.message for p in result.problems if p.severity == "warning"]
    assert any("has whitespace around it" in w and "'Paris'" in w for w in warnings), warnings
    assert score(result.items[0].content, {"RESPONSE": "Paris"}).score == 0.0  # what the warning is about
    tidy = QTI3_TEXT_ENTRY.replace("<qti-value>\n        Paris\n      </qti-value>", "<qti-value>Paris</qti-value>")
    assert [p for p in import_item_xml(tidy.encode(), "capital.xml").problems if p.severity == "warning"] == []
