"""The item content model: what one version of an item is, stored as plain JSON.

It follows QTI 2.x/3.0 closely so QTI items round-trip: response and outcome declarations, interactions,
the stem as sanitised HTML, feedback and response processing kept as a data tree. Values (correct responses,
defaults, map keys) are kept in QTI's own string forms ("A P" for a pair, "3.5" for a float) and typed only
when scoring, so nothing is lost on the way through JSON.

Placeholders in the stem mark where interactions sit: `<div data-interaction="RESPONSE"></div>` (block) or
`<span data-interaction="RESPONSE"></span>` (inline). Inside gap-match and hottext content, `<span data-gap="G1">`
and `<span data-hottext="H1">text</span>` mark gaps and hot words.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Cardinality = Literal["single", "multiple", "ordered", "record"]
BaseType = Literal[
    "identifier",
    "boolean",
    "integer",
    "float",
    "string",
    "point",
    "pair",
    "directedPair",
    "duration",
    "file",
    "uri",
    "intOrIdentifier",
]
InteractionKind = Literal[
    "choice",
    "order",
    "match",
    "associate",
    "gapMatch",
    "inlineChoice",
    "textEntry",
    "extendedText",
    "hottext",
]
SUPPORTED_INTERACTIONS: frozenset[str] = frozenset(InteractionKind.__args__)  # type: ignore[attr-defined]
CONTENT_SCHEMA_VERSION = 1


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MapEntry(_Frozen):
    key: str
    value: float
    case_sensitive: bool = True


class Mapping(_Frozen):
    entries: tuple[MapEntry, ...] = ()
    default_value: float = 0.0
    lower_bound: float | None = None
    upper_bound: float | None = None


class AreaMapEntry(_Frozen):
    shape: Literal["circle", "rect", "poly", "ellipse", "default"]
    coords: tuple[float, ...] = ()
    value: float


class AreaMapping(_Frozen):
    entries: tuple[AreaMapEntry, ...] = ()
    default_value: float = 0.0
    lower_bound: float | None = None
    upper_bound: float | None = None


class ResponseDeclaration(_Frozen):
    identifier: str
    cardinality: Cardinality
    base_type: BaseType | None = None
    correct_response: tuple[str, ...] | None = None
    correct_interpretation: str | None = None
    default_value: tuple[str, ...] | None = None
    mapping: Mapping | None = None
    area_mapping: AreaMapping | None = None


class LookupEntry(_Frozen):
    source: float
    target: str
    include_boundary: bool = True


class LookupTable(_Frozen):
    kind: Literal["match", "interpolation"]
    entries: tuple[LookupEntry, ...] = ()
    default_value: str | None = None


class OutcomeDeclaration(_Frozen):
    identifier: str
    cardinality: Cardinality = "single"
    base_type: BaseType | None = None
    default_value: tuple[str, ...] | None = None
    normal_maximum: float | None = None
    normal_minimum: float | None = None
    external_scored: Literal["human", "externalMachine"] | None = None
    lookup_table: LookupTable | None = None


class Choice(_Frozen):
    identifier: str
    html: str = ""
    fixed: bool = False
    match_max: int | None = None
    match_min: int | None = None


class Interaction(_Frozen):
    kind: InteractionKind
    response_identifier: str
    prompt: str = ""
    shuffle: bool = False
    max_choices: int | None = None
    min_choices: int | None = None
    choices: tuple[Choice, ...] = ()
    # the second set of a match interaction; the gaps of a gap-match interaction
    targets: tuple[Choice, ...] = ()
    content: str = ""
    max_associations: int | None = None
    min_associations: int | None = None
    expected_length: int | None = None
    expected_lines: int | None = None
    pattern_mask: str | None = None
    placeholder: str | None = None
    format: Literal["plain", "preFormatted", "xhtml"] | None = None
    base: int | None = None
    max_strings: int | None = None
    min_strings: int | None = None


class RPNode(_Frozen):
    """One element of a response-processing tree, named as in QTI 2.x (camelCase)."""

    name: str
    attrs: dict[str, str] = Field(default_factory=dict)
    children: tuple[RPNode, ...] = ()
    text: str | None = None


class ResponseProcessing(_Frozen):
    # a standard template by short name (match_correct, map_response, map_response_point, cc2_match, ...)
    template: str | None = None
    rules: tuple[RPNode, ...] = ()


class Feedback(_Frozen):
    kind: Literal["modal", "block", "inline"]
    outcome_identifier: str
    identifier: str
    show_hide: Literal["show", "hide"] = "show"
    title: str | None = None
    html: str = ""


class Rubric(_Frozen):
    view: tuple[str, ...] = ()
    html: str = ""


class ItemContent(_Frozen):
    identifier: str
    title: str = ""
    language: str | None = None
    stem: str = ""
    interactions: tuple[Interaction, ...] = ()
    responses: tuple[ResponseDeclaration, ...] = ()
    outcomes: tuple[OutcomeDeclaration, ...] = ()
    response_processing: ResponseProcessing | None = None
    feedback: tuple[Feedback, ...] = ()
    rubrics: tuple[Rubric, ...] = ()
    rationale: str = ""
    stylesheets: tuple[str, ...] = ()
    # the native (authoring) form this content was compiled from, kept so it can be edited and exported again
    native: dict[str, Any] | None = None
    schema_version: int = CONTENT_SCHEMA_VERSION

    def response(self, identifier: str) -> ResponseDeclaration | None:
        return next((r for r in self.responses if r.identifier == identifier), None)

    def outcome(self, identifier: str) -> OutcomeDeclaration | None:
        return next((o for o in self.outcomes if o.identifier == identifier), None)

    @property
    def human_scored(self) -> bool:
        score = self.outcome("SCORE")
        return score is not None and score.external_scored == "human"


class ItemMetadata(_Frozen):
    """Bounded as the item version's columns are: a value that cannot be stored is refused where it is read, with
    the field's name, never by the database."""

    domain: str | None = Field(default=None, max_length=100)
    tags: tuple[str, ...] = ()
    enemy_groups: tuple[str, ...] = ()
    language: str | None = Field(default=None, max_length=35)
    expected_seconds: int | None = Field(default=None, ge=1, le=86_400)
    source: str | None = Field(default=None, max_length=500)


def content_to_json(content: ItemContent) -> dict[str, Any]:
    """The JSON-ready dict to store in a JSON column."""
    # defaults are left out to keep stored rows small; the schema version is always written
    return {**content.model_dump(mode="json", exclude_defaults=True), "schema_version": content.schema_version}


def content_from_json(data: dict[str, Any]) -> ItemContent:
    """Rebuild content stored by `content_to_json` (raises pydantic.ValidationError on a malformed document)."""
    return ItemContent.model_validate(data)
