"""QTI expressions over values and variables: baseValue, variable, correct, default, null, mapResponse,
mapResponsePoint and inside."""

from __future__ import annotations

from itembank.content import ResponseDeclaration, RPNode
from itembank.qti import areas
from itembank.qti.eval import Context, one, operator, singles
from itembank.qti.values import ScoringError, Single, Value, declared_value, parse_single

_BUILTIN_RESPONSES: dict[str, Value] = {"numAttempts": 1, "duration": 0.0}


@operator("baseValue")
def _base_value(node: RPNode, ctx: Context) -> Value:
    try:
        return parse_single(node.text or "", node.attrs.get("baseType"))
    except ValueError as exc:
        raise ScoringError(f"<baseValue>: {exc}") from exc


@operator("variable")
def _variable(node: RPNode, ctx: Context) -> Value:
    identifier = node.attrs.get("identifier", "")
    if identifier in ctx.variables:
        return ctx.variables[identifier]
    if identifier in _BUILTIN_RESPONSES:
        return _BUILTIN_RESPONSES[identifier]
    raise ScoringError(f"<variable identifier={identifier!r}> refers to an undeclared variable")


@operator("correct")
def _correct(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    return declared_value(
        declaration.correct_response,
        declaration.cardinality,
        declaration.base_type,
        f"correct response of {declaration.identifier}",
    )


@operator("default")
def _default(node: RPNode, ctx: Context) -> Value:
    identifier = node.attrs.get("identifier", "")
    declaration = ctx.declaration(identifier)
    if declaration is None:
        raise ScoringError(f"<default identifier={identifier!r}> refers to an undeclared variable")
    return declared_value(
        declaration.default_value, declaration.cardinality, declaration.base_type, f"default of {identifier}"
    )


@operator("null")
def _null(node: RPNode, ctx: Context) -> Value:
    return None


def _response_declaration(node: RPNode, ctx: Context) -> ResponseDeclaration:
    identifier = node.attrs.get("identifier", "")
    declaration = ctx.content.response(identifier)
    if declaration is None:
        raise ScoringError(f"<{node.name} identifier={identifier!r}> refers to an undeclared response")
    return declaration


@operator("mapResponse")
def _map_response(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    mapping = declaration.mapping
    if mapping is None:
        raise ScoringError(f"<mapResponse> on {declaration.identifier!r}, which has no mapping")
    keys: list[tuple[Single, float, bool]] = []
    for entry in mapping.entries:
        try:
            keys.append((parse_single(entry.key, declaration.base_type), entry.value, entry.case_sensitive))
        except ValueError as exc:
            raise ScoringError(f"mapping of {declaration.identifier!r}: {exc}") from exc
    given = tuple(dict.fromkeys(singles(ctx.variables.get(declaration.identifier))))
    # A NULL (or empty container) response maps to the mapping's defaultValue, bounds applied, as qtiworks
    # (Mapping.getTargetValue returns the constrained defaultValue for a NULL source) and qti-sdk
    # (MapResponseProcessor maps an empty container as one NULL value) both do: QTI 2.1's mapResponse always
    # yields "a single float", and a mapping's defaultValue is what "source values not in the map" map to.
    total = 0.0 if given else mapping.default_value
    for value in given:
        total += next(
            (mapped for key, mapped, sensitive in keys if _same(key, value, sensitive)), mapping.default_value
        )
    return _bounded(total, mapping.lower_bound, mapping.upper_bound)


def _same(key: Single, value: Single, case_sensitive: bool) -> bool:
    if not case_sensitive and isinstance(key, str) and isinstance(value, str):
        return key.casefold() == value.casefold()
    return key == value


def _bounded(total: float, lower: float | None, upper: float | None) -> float:
    if lower is not None:
        total = max(total, lower)
    if upper is not None:
        total = min(total, upper)
    return total


@operator("mapResponsePoint")
def _map_response_point(node: RPNode, ctx: Context) -> Value:
    declaration = _response_declaration(node, ctx)
    if declaration.area_mapping is None:
        raise ScoringError(f"<mapResponsePoint> on {declaration.identifier!r}, which has no areaMapping")
    return areas.map_points(singles(ctx.variables.get(declaration.identifier)), declaration.area_mapping)


@operator("inside")
def _inside(node: RPNode, ctx: Context) -> Value:
    value = one(node, ctx)
    if value is None:
        return None
    coords = tuple(float(c) for c in node.attrs.get("coords", "").replace(",", " ").split())
    return any(areas.point_inside(p, node.attrs.get("shape", ""), coords) for p in singles(value))


@operator("lookupTable")
def _unused(node: RPNode, ctx: Context) -> Value:
    raise ScoringError("<lookupTable> is not an expression")
