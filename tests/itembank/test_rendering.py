"""The candidate view carries what the page needs and never the key, mapping, processing, feedback or rationale."""

from __future__ import annotations

import json
import random

import pytest

from itembank.content import ItemContent
from itembank.formats.native import item_from_dict
from itembank.formats.qti import import_item_xml
from itembank.rendering import candidate_view, shuffled_order

SECRET_KEY = "KEYMARK7431"
SECRET_RATIONALE = "RATIONALEMARK5520"
SECRET_FEEDBACK = "FEEDBACKMARK9902"
SECRET_RUBRIC = "RUBRICMARK1188"

QTI_WITH_SECRETS = f"""<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="secret" title="Secret">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>{SECRET_KEY}</qti-value></qti-correct-response>
    <qti-mapping default-value="0"><qti-map-entry map-key="{SECRET_KEY}x" mapped-value="1"/></qti-mapping>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-outcome-declaration identifier="FEEDBACK" cardinality="single" base-type="identifier"/>
  <qti-item-body>
    <p>Type the word.
      <qti-text-entry-interaction response-identifier="RESPONSE" pattern-mask="{SECRET_KEY}"/></p>
    <qti-feedback-block outcome-identifier="FEEDBACK" identifier="fb" show-hide="show">
      <p>{SECRET_FEEDBACK}</p></qti-feedback-block>
    <qti-rubric-block view="scorer"><p>{SECRET_RUBRIC}</p></qti-rubric-block>
  </qti-item-body>
  <qti-response-processing>
    <qti-response-condition><qti-response-if>
      <qti-string-match case-sensitive="true"><qti-variable identifier="RESPONSE"/>
        <qti-base-value base-type="string">{SECRET_KEY}</qti-base-value></qti-string-match>
      <qti-set-outcome-value identifier="SCORE">
        <qti-base-value base-type="float">1</qti-base-value></qti-set-outcome-value>
    </qti-response-if></qti-response-condition>
  </qti-response-processing>
  <qti-modal-feedback outcome-identifier="FEEDBACK" identifier="fb" show-hide="show">
    {SECRET_FEEDBACK}</qti-modal-feedback>
</qti-assessment-item>
"""


def _choice_item() -> ItemContent:
    return item_from_dict(
        {
            "id": "q1",
            "kind": "single_choice",
            "stem": "<p>Pick one</p>",
            "rationale": SECRET_RATIONALE,
            "options": [
                {"id": "A", "text": "alpha"},
                {"id": "B", "text": "beta", "correct": True, "feedback": SECRET_FEEDBACK},
                {"id": "C", "text": "gamma", "fixed": True},
            ],
        }
    )


def test_no_secret_of_a_qti_item_reaches_the_view() -> None:
    result = import_item_xml(QTI_WITH_SECRETS.encode(), "secret.xml")
    assert result.errors == []
    content = result.items[0].content
    serialized = json.dumps(content.model_dump(mode="json"))
    assert all(marker in serialized for marker in (SECRET_KEY, SECRET_FEEDBACK, SECRET_RUBRIC))
    view = json.dumps(candidate_view(content))
    for marker in (SECRET_KEY, SECRET_FEEDBACK, SECRET_RUBRIC):
        assert marker not in view
    assert "Type the word." in view


def test_no_key_weight_or_rationale_of_a_native_item_reaches_the_view() -> None:
    view = candidate_view(_choice_item(), ["C", "A", "B"])
    text = json.dumps(view)
    for forbidden in (SECRET_RATIONALE, SECRET_FEEDBACK, "correct", "weight", "mapping", "SCORE", "native"):
        assert forbidden not in text
    assert [o["identifier"] for o in view["interactions"][0]["options"]] == ["C", "A", "B"]
    assert view["interactions"][0] | {"options": None} == {
        "response_identifier": "RESPONSE",
        "kind": "choice",
        "cardinality": "single",
        "base_type": "identifier",
        "prompt": "",
        "options": None,
        "max_choices": 1,
    }


@pytest.mark.parametrize("order", [["A", "B"], ["A", "B", "B"], ["A", "B", "X"]])
def test_option_order_must_be_a_permutation(order: list[str]) -> None:
    with pytest.raises(ValueError, match="exactly once"):
        candidate_view(_choice_item(), order)


def test_shuffle_keeps_fixed_options_in_place() -> None:
    interaction = _choice_item().interactions[0]
    orders = {tuple(shuffled_order(interaction, random.Random(seed))) for seed in range(40)}
    assert orders == {("A", "B", "C"), ("B", "A", "C")}
