"""Every pattern a request field checks is in the OpenAPI document too: otherwise a client (or the document
conformance test) reads a body as valid that the API refuses. pydantic drops a Field's pattern from the document
on `str | SkipJsonSchema[None]`; the pattern must sit on the str itself (`Annotated[str, Field(pattern=...)]`)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

from pydantic import BaseModel

import examengine.api


def _models() -> list[type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {}
    for module_info in pkgutil.iter_modules(examengine.api.__path__):
        module = importlib.import_module(f"examengine.api.{module_info.name}")
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, BaseModel) and value.__module__.startswith("examengine.api"):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


def _patterns_in(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["pattern"]} if isinstance(schema.get("pattern"), str) else set()
        return own.union(*(_patterns_in(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_patterns_in(value) for value in schema))
    return set()


def test_every_checked_pattern_is_documented() -> None:
    missing = []
    models = _models()
    assert len(models) > 50
    for model in models:
        properties = model.model_json_schema(mode="validation").get("properties", {})
        for name, field in model.model_fields.items():
            checked = {m.pattern for m in field.metadata if isinstance(getattr(m, "pattern", None), str)}
            documented = _patterns_in(properties.get(field.alias or name, {}))
            if checked - documented:
                missing.append(f"{model.__module__}.{model.__qualname__}.{name}")
    assert missing == [], "put the pattern on the str (Annotated[str, Field(pattern=...)]): " + ", ".join(missing)
