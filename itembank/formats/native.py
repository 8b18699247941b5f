"""The project's own item format, JSON or YAML: one item, a list of items, or {"items": [...]}.

The full documentation is itembank/formats/NATIVE.md. YAML is read with the safe loader and aliases are
refused (they allow exponential "billion laughs" documents).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import yaml
from pydantic import ValidationError

from itembank.content import ItemContent
from itembank.formats.common import ImportedItem, ImportProblem, ImportResult, ItemCounter
from itembank.formats.native_compile import compile_item
from itembank.formats.native_kinds import NativeItem
from itembank.safety import MAX_UPLOAD_BYTES, UnsafeInputError, check_size

__all__ = [
    "NativeItem",
    "export_native",
    "import_native",
    "item_from_dict",
    "load_yaml_source",
    "validation_message",
]


class _NoAliasLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type stubs
    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise UnsafeInputError(f"YAML aliases (*name) are refused (line {mark.line + 1}): write the value out")
        node: yaml.Node | None = super().compose_node(parent, index)
        return node


def _load_yaml(text: str) -> tuple[Any, list[int | None]]:
    loader = _NoAliasLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: list[int | None] = []
    items_node = node
    if isinstance(node, yaml.MappingNode):
        items_node = next((v for k, v in node.value if getattr(k, "value", None) == "items"), node)
    if isinstance(items_node, yaml.SequenceNode):
        lines = [child.start_mark.line + 1 for child in items_node.value]
    elif isinstance(items_node, yaml.MappingNode):
        lines = [items_node.start_mark.line + 1]
    return data, lines


def load_yaml_source(text: str) -> Any:
    """One YAML (or JSON) document a person typed into an editor, read as imports read it: aliases refused (nine
    nested aliases of nine make a billion values) and nesting bounded. Raises yaml.YAMLError for bad syntax and
    UnsafeInputError for what is refused."""
    try:
        return _load_yaml(text)[0]
    except RecursionError:
        raise UnsafeInputError(NESTED_TOO_DEEPLY) from None


def _entries(data: Any) -> list[Any] | None:
    if isinstance(data, dict) and "items" in data and isinstance(data["items"], list):
        return list(data["items"])
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        return [data]
    return None


def validation_message(exc: ValidationError) -> str:
    """The first few problems, each as `field.path: what is wrong`, in the item's own field names."""
    parts = []
    for error in exc.errors()[:5]:
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]).removeprefix("Value error, "))
    return "; ".join(parts)


def item_from_dict(data: dict[str, Any]) -> ItemContent:
    """Validate and compile one native item (raises pydantic.ValidationError)."""
    return compile_item(NativeItem.model_validate(data))


NESTED_TOO_DEEPLY = "lists and mappings are nested too deeply, which is refused: an item needs a few levels at most"


def import_native(data: bytes, file: str) -> ImportResult:
    """Import a native JSON or YAML document (chosen by content: JSON if it parses as JSON)."""
    result = ImportResult()
    try:
        check_size(data, MAX_UPLOAD_BYTES)
        text = data.decode("utf-8-sig")
    except (UnsafeInputError, UnicodeDecodeError) as exc:
        result.problems.append(ImportProblem(file, None, None, f"{exc}: save the file as UTF-8"))
        return result
    lines: list[int | None] = []
    try:
        document = json.loads(text)
    except RecursionError:
        result.problems.append(ImportProblem(file, None, None, NESTED_TOO_DEEPLY))
        return result
    except json.JSONDecodeError:
        try:
            document, lines = _load_yaml(text)
        except RecursionError:
            result.problems.append(ImportProblem(file, None, None, NESTED_TOO_DEEPLY))
            return result
        except (yaml.YAMLError, UnsafeInputError) as exc:
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            result.problems.append(
                ImportProblem(
                    file, None if line is None else line + 1, None, f"neither valid JSON nor valid YAML: {exc}"
                )
            )
            return result
    entries = _entries(document)
    if entries is None:
        result.problems.append(ImportProblem(file, None, None, "expected an item, a list of items or {items: [...]}"))
        return result
    seen: set[str] = set()
    counted = ItemCounter(file)
    counted.expect(len(entries))
    for index, entry in enumerate(entries):
        counted.next()
        line = lines[index] if index < len(lines) else None
        label = str(entry.get("id")) if isinstance(entry, dict) and entry.get("id") else f"#{index + 1}"
        refusal = _refusal(entry)
        if refusal:
            result.problems.append(ImportProblem(file, line, label.replace("\x00", "\\0"), refusal))
            continue
        try:
            native = NativeItem.model_validate(entry)  # once: the content and the metadata both come from it
            content = compile_item(native)
        except ValidationError as exc:
            result.problems.append(ImportProblem(file, line, label, validation_message(exc)))
            continue
        if content.identifier in seen:
            result.problems.append(
                ImportProblem(file, line, label, "this id is used twice in the file: give each item its own id")
            )
            continue
        seen.add(content.identifier)
        result.items.append(ImportedItem(content=content, metadata=native.metadata, file=file, line=line))
    return result


def _refusal(entry: Any) -> str | None:
    """Why an entry is refused before it is validated as an item, if it is."""
    if not isinstance(entry, dict):
        return "each item must be a mapping of fields"
    if _holds_nul(entry):
        return "a value holds a NUL character (U+0000), which is refused: remove it"
    return None


def _holds_nul(value: Any) -> bool:
    """Whether any key or text in the entry holds U+0000 (PostgreSQL text cannot store it; no item needs it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def export_native(items: Iterable[ItemContent], as_yaml: bool = True) -> str:
    """A native document for items authored natively (content.native); QTI-born items must be exported as QTI."""
    entries = []
    for content in items:
        if content.native is None:
            raise ValueError(f"item {content.identifier!r} was not authored in the native format: export it as QTI")
        entries.append(content.native)
    document = {"format": "examengine-items", "version": 1, "items": entries}
    if as_yaml:
        return str(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    return json.dumps(document, indent=2, ensure_ascii=False)
