"""Response processing that can never run: found when an item comes in, not at every answer a candidate gives.

QTI 2.1 response processing templates (rptemplates): `match_correct` compares RESPONSE with its correctResponse,
`map_response` maps RESPONSE through its <mapping>, `map_response_point` through its <areaMapping>, and each sets
SCORE. The mapResponse expression "looks up the value of a response variable and then transforms it using the
associated mapping, which must have been declared"; mapResponsePoint likewise needs an areaMapping. An item that
breaks these fails (or can never score) at every answer, so it is refused at import with the reason: qti-sdk's
MapResponseProcessor throws for an undeclared variable, and qtiworks validates the same declarations before it runs.
"""

from __future__ import annotations

from itembank.content import ItemContent, RPNode
from itembank.scoring import TEMPLATES, walk_rules

# Variables every item has without declaring them (QTI 2.1 built-in variables: numAttempts and duration are responses,
# completionStatus a built-in outcome; QTI 2.0 spelled it completion_status).
_BUILTIN = {"numAttempts", "duration", "completionStatus", "completion_status"}

# What each standard template reads of RESPONSE, and in what words an author hears that it is missing.
_TEMPLATE_NEEDS = {
    "match_correct": "correct_response",
    "cc2_match": "correct_response",
    "cc2_match_basic": "correct_response",
    "map_response": "mapping",
    "cc2_map_response": "mapping",
    "map_response_point": "area_mapping",
}
_NEED_WORDS = {
    "correct_response": "<correctResponse>",
    "mapping": "<mapping>",
    "area_mapping": "<areaMapping>",
}


def _template_problems(content: ItemContent, template: str) -> list[str]:
    need = _TEMPLATE_NEEDS.get(template)
    if need is None:
        return []
    response = content.response("RESPONSE")
    if response is None:
        return [f"the {template} template scores the response RESPONSE, which the item does not declare"]
    if not getattr(response, need):
        return [
            f"the {template} template needs a {_NEED_WORDS[need]} on the response RESPONSE, which has none, so "
            "it would fail at every answer: add one, or use a template that fits the item"
        ]
    return []


def _expression_problems(content: ItemContent, node: RPNode) -> list[str]:
    identifier = node.attrs.get("identifier", "")
    if node.name in ("mapResponse", "mapResponsePoint"):
        response = content.response(identifier)
        need = "mapping" if node.name == "mapResponse" else "area_mapping"
        if response is None:
            return [f"<{node.name}> scores the response {identifier!r}, which the item does not declare"]
        if getattr(response, need) is None:
            return [
                f"<{node.name}> maps the response {identifier!r}, which has no {_NEED_WORDS[need]}, so it would "
                f"fail at every answer: add a {_NEED_WORDS[need]} to its declaration, or score it another way"
            ]
    if (
        node.name in ("setOutcomeValue", "lookupOutcomeValue")
        and content.outcome(identifier) is None
        and identifier not in _BUILTIN
    ):
        return [f"response processing sets the outcome {identifier!r}, which the item does not declare"]
    if (
        node.name in ("variable", "default")
        and identifier not in _BUILTIN
        and content.response(identifier) is None
        and content.outcome(identifier) is None
    ):
        return [f"response processing reads the variable {identifier!r}, which the item does not declare"]
    if node.name == "correct" and content.response(identifier) is None:
        return [f"<correct> reads the response {identifier!r}, which the item does not declare"]
    return []


def processing_problems(content: ItemContent) -> list[str]:
    """Why the item's response processing can never run as written (empty when it can)."""
    processing = content.response_processing
    if processing is None:
        return []
    problems: list[str] = []
    rules = processing.rules
    if not rules and processing.template is not None:
        problems.extend(_template_problems(content, processing.template))
        rules = () if problems else TEMPLATES.get(processing.template, ())
    for node in walk_rules(rules):
        problems.extend(_expression_problems(content, node))
    return list(dict.fromkeys(problems))
