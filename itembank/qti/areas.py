"""Shapes for areaMapping and <inside>: circle, rect, poly, ellipse, default (QTI coordinate conventions)."""

from __future__ import annotations

from collections.abc import Sequence

from itembank.content import AreaMapping
from itembank.qti.values import Point, ScoringError, Single


def point_inside(point: Single, shape: str, coords: Sequence[float]) -> bool:
    """Whether `point` lies in the shape (edges count as inside)."""
    if not isinstance(point, Point):
        raise ScoringError(f"<inside>/areaMapping needs point values, got {point!r}")
    x, y = point.x, point.y
    if shape == "default":
        return True
    if shape == "circle" and len(coords) >= 3:
        cx, cy, r = coords[:3]
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    if shape == "rect" and len(coords) >= 4:
        left, top, right, bottom = coords[:4]
        return min(left, right) <= x <= max(left, right) and min(top, bottom) <= y <= max(top, bottom)
    if shape == "ellipse" and len(coords) >= 4:
        cx, cy, hr, vr = coords[:4]
        return hr > 0 and vr > 0 and ((x - cx) / hr) ** 2 + ((y - cy) / vr) ** 2 <= 1
    if shape == "poly" and len(coords) >= 6:
        return _in_polygon(x, y, list(zip(coords[0::2], coords[1::2], strict=False)))
    raise ScoringError(f"shape {shape!r} with coords {list(coords)} is not a valid QTI shape")


def _in_polygon(x: float, y: float, vertices: list[tuple[float, float]]) -> bool:
    inside = False
    j = len(vertices) - 1
    for i, (xi, yi) in enumerate(vertices):
        xj, yj = vertices[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def map_points(points: Sequence[Single], mapping: AreaMapping) -> float:
    """mapResponsePoint: each area counts once however many points fall in it; then the bounds apply."""
    total = 0.0
    hit: set[int] = set()
    for point in points:
        matched = False
        for index, entry in enumerate(mapping.entries):
            if entry.shape != "default" and point_inside(point, entry.shape, entry.coords):
                matched = True
                if index not in hit:
                    hit.add(index)
                    total += entry.value
                break
        if not matched:
            total += mapping.default_value
    if mapping.lower_bound is not None:
        total = max(total, mapping.lower_bound)
    if mapping.upper_bound is not None:
        total = min(total, mapping.upper_bound)
    return total
