"""Reading one QTI 2.x/3.0 assessmentItem element into ItemContent, with every problem named."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from pydantic import ValidationError

from itembank.content import (
    AreaMapping,
    ItemContent,
    LookupEntry,
    LookupTable,
    MapEntry,
    Mapping,
    OutcomeDeclaration,
    ResponseDeclaration,
    ResponseProcessing,
    RPNode,
)
from itembank.formats.qti_body import BodyReader, modal_feedback
from itembank.formats.qti_xml import bool_attr, child, children, float_attr, values_of
from itembank.qti import custom
from itembank.qti.expressions import supported_expressions
from itembank.qti.values import ScoringError, parse_single
from itembank.runnable import processing_problems
from itembank.scoring import template_name

RULES = {
    "responseCondition",
    "responseIf",
    "responseElseIf",
    "responseElse",
    "setOutcomeValue",
    "lookupOutcomeValue",
    "exitResponse",
    "responseProcessingFragment",
}
_IGNORED_ITEM_CHILDREN = {"stylesheet", "companionMaterialsInfo", "contextDeclaration"}


@dataclass
class ItemReading:
    """The content read from one item (None when it could not be built) and what was wrong with it."""

    content: ItemContent | None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_item(root: Element, resolve_url: Callable[[str], str] = lambda url: url) -> ItemReading:
    """Build content from a normalised assessmentItem; errors name every unsupported part."""
    errors: list[str] = []
    if root.tag != "assessmentItem":
        return ItemReading(None, [f"the root element is <{root.tag}>, not an assessmentItem"])
    if bool_attr(root, "adaptive"):
        errors.append('adaptive items (adaptive="true") are not supported: make the item non-adaptive')
    reader = BodyReader(resolve_url=resolve_url)
    responses, outcomes, stylesheets = [], [], []
    templated = False
    for element in root:
        try:
            if element.tag == "responseDeclaration":
                responses.append(_response_declaration(element))
                errors.extend(_declaration_problems(responses[-1]))
                reader.warnings.extend(_padded_correct_values(responses[-1]))
            elif element.tag == "outcomeDeclaration":
                outcomes.append(_outcome_declaration(element))
            elif element.tag == "stylesheet":
                stylesheets.append(resolve_url(element.get("href", "")))
            elif element.tag in ("templateDeclaration", "templateProcessing"):
                templated = True
                errors.append(f"<{element.tag}> (template variables) is not supported: remove the templating")
        except (ValueError, ValidationError) as exc:
            errors.append(f"<{element.tag} identifier={element.get('identifier')!r}>: {_short(exc)}")
    body = child(root, "itemBody")
    reader.outcomes = {outcome.identifier: outcome for outcome in outcomes}
    stem = reader.stem(body) if body is not None else ""
    for element in children(root, "modalFeedback"):
        reader.feedback.append(modal_feedback(element, reader))
    processing = _response_processing(child(root, "responseProcessing"), errors)
    errors.extend(reader.problems)
    errors.extend(_cross_check(responses, outcomes, reader))
    try:
        content = ItemContent(
            identifier=root.get("identifier", ""),
            title=root.get("title", ""),
            language=root.get("lang"),
            stem=stem,
            interactions=tuple(reader.interactions),
            responses=tuple(responses),
            outcomes=tuple(outcomes),
            response_processing=processing,
            feedback=tuple(reader.feedback),
            rubrics=tuple(reader.rubrics),
            stylesheets=tuple(stylesheets),
        )
    except ValidationError as exc:
        return ItemReading(None, [*errors, _short(exc)], reader.warnings)
    if not content.identifier:
        errors.append("the assessmentItem has no identifier attribute")
    if not templated:  # template processing may set what these checks look for (setCorrectResponse, variables)
        errors.extend(processing_problems(content))
    return ItemReading(content, list(dict.fromkeys(errors)), list(dict.fromkeys(reader.warnings)))


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _check_values(values: tuple[str, ...] | None, base_type: str | None, what: str) -> None:
    for value in values or ():
        try:
            parse_single(value, base_type)
        except ValueError as exc:
            raise ValueError(f"{what} value {value!r}: {exc}") from exc


def _response_declaration(element: Element) -> ResponseDeclaration:
    base_type = element.get("baseType")
    if element.get("cardinality") == "record":
        raise ValueError("record cardinality responses are not supported")
    correct = child(element, "correctResponse")
    mapping_element = child(element, "mapping")
    area_element = child(element, "areaMapping")
    mapping = None
    if mapping_element is not None:
        mapping = Mapping(
            entries=tuple(
                MapEntry(
                    key=e.get("mapKey", ""),
                    value=float(e.get("mappedValue", "0")),
                    case_sensitive=bool_attr(e, "caseSensitive", True),
                )
                for e in children(mapping_element, "mapEntry")
            ),
            default_value=float_attr(mapping_element, "defaultValue") or 0.0,
            lower_bound=float_attr(mapping_element, "lowerBound"),
            upper_bound=float_attr(mapping_element, "upperBound"),
        )
        _check_values(tuple(e.key for e in mapping.entries), base_type, "mapKey")
    area_mapping = None
    if area_element is not None:
        area_mapping = AreaMapping.model_validate(
            {
                "entries": [
                    {
                        "shape": e.get("shape", ""),
                        "value": float(e.get("mappedValue", "0")),
                        "coords": [float(c) for c in e.get("coords", "").replace(",", " ").split()],
                    }
                    for e in children(area_element, "areaMapEntry")
                ],
                "default_value": float_attr(area_element, "defaultValue") or 0.0,
                "lower_bound": float_attr(area_element, "lowerBound"),
                "upper_bound": float_attr(area_element, "upperBound"),
            }
        )
    declaration = ResponseDeclaration.model_validate(
        {
            "identifier": element.get("identifier", ""),
            "cardinality": element.get("cardinality", ""),
            "base_type": base_type,
            "correct_response": values_of(correct),
            "correct_interpretation": correct.get("interpretation") if correct is not None else None,
            "default_value": values_of(child(element, "defaultValue")),
            "mapping": mapping,
            "area_mapping": area_mapping,
        }
    )
    _check_values(declaration.correct_response, base_type, "correctResponse")
    return declaration


def _declaration_problems(declaration: ResponseDeclaration) -> list[str]:
    count = len(declaration.correct_response or ())
    if declaration.cardinality == "single" and count > 1:
        return [
            f"response {declaration.identifier!r} has cardinality single but its correctResponse has {count} "
            "values: declare cardinality multiple (or ordered), or keep one value"
        ]
    return []


def _padded_correct_values(declaration: ResponseDeclaration) -> list[str]:
    """Warnings for string correct values with whitespace around them. A string value is compared exactly (QTI's
    match on strings; stringMatch only folds case), so `<qti-value>` pretty-printed over several lines, common in
    QTI 3 exports, holds newlines and indentation that no candidate types: the item imports, and the author hears."""
    if declaration.base_type != "string":
        return []
    return [
        f"the correct response {value!r} of {declaration.identifier!r} has whitespace around it (from "
        f"pretty-printed XML?): it is kept as written, so a candidate's {value.strip()!r} will not match it; "
        "remove the spaces and line breaks inside the value"
        for value in declaration.correct_response or ()
        if value != value.strip()
    ]


def _outcome_declaration(element: Element) -> OutcomeDeclaration:
    table = None
    for kind, entry_name in (("interpolation", "interpolationTableEntry"), ("match", "matchTableEntry")):
        table_element = child(element, f"{kind}Table")
        if table_element is not None:
            table = LookupTable(
                kind=kind,
                entries=tuple(
                    LookupEntry(
                        source=float(e.get("sourceValue", "")),
                        target=e.get("targetValue", ""),
                        include_boundary=bool_attr(e, "includeBoundary", True),
                    )
                    for e in children(table_element, entry_name)
                ),
                default_value=table_element.get("defaultValue"),
            )
    return OutcomeDeclaration.model_validate(
        {
            "identifier": element.get("identifier", ""),
            "cardinality": element.get("cardinality", "single"),
            "base_type": element.get("baseType"),
            "default_value": values_of(child(element, "defaultValue")),
            "normal_maximum": float_attr(element, "normalMaximum"),
            "normal_minimum": float_attr(element, "normalMinimum"),
            "external_scored": element.get("externalScored"),
            "lookup_table": table,
        }
    )


def _rp_node(element: Element) -> RPNode:
    text = element.text if len(element) == 0 and element.text is not None else None
    return RPNode(name=element.tag, attrs=dict(element.attrib), children=tuple(_rp_node(c) for c in element), text=text)


def _response_processing(element: Element | None, errors: list[str]) -> ResponseProcessing | None:
    if element is None:
        return None
    rules = tuple(_rp_node(c) for c in element)
    template_uri = element.get("template") or element.get("templateLocation")
    template = template_name(template_uri) if template_uri else None
    if template_uri and template is None and not rules:
        errors.append(
            f"the response processing template {template_uri!r} is not supported: use match_correct, "
            "map_response or map_response_point, or write the rules out"
        )
    errors.extend(unsupported_in_rules(rules))
    return ResponseProcessing(template=template, rules=rules)


def unsupported_in_rules(rules: tuple[RPNode, ...]) -> list[str]:
    """Names of rules, expressions and custom operators the scoring engine cannot evaluate."""
    known = supported_expressions() | RULES
    missing: dict[str, None] = {}
    stack = list(rules)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.name not in known:
            missing[f"<{node.name}>"] = None
        elif node.name == "customOperator":
            definition = node.attrs.get("definition") or node.attrs.get("class") or ""
            try:
                custom.apply(definition, [None])
            except ScoringError:
                missing[f"customOperator {definition!r}"] = None
    return [f"response processing uses {name}, which the scoring engine does not support" for name in missing]


def _cross_check(
    responses: list[ResponseDeclaration], outcomes: list[OutcomeDeclaration], reader: BodyReader
) -> list[str]:
    declared = {r.identifier for r in responses}
    return [
        f"the {i.kind} interaction refers to response {i.response_identifier!r}, which is not declared"
        for i in reader.interactions
        if i.response_identifier not in declared
    ]
