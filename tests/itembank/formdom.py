"""A small strict DOM for testing rendered item HTML: nesting checks, accessible names and what a browser submits."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}
CONTROLS = {"input", "select", "textarea"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    parent: Node | None = None
    children: list[Node | str] = field(default_factory=list)

    def walk(self) -> list[Node]:
        found = [self]
        for child in self.children:
            if isinstance(child, Node):
                found.extend(child.walk())
        return found

    def text(self) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag == "img":
                parts.append(child.attrs.get("alt", ""))
            elif child.tag not in CONTROLS:
                parts.append(child.text())
        return " ".join("".join(parts).split())

    def ancestors(self) -> list[Node]:
        found, node = [], self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.open = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs}, self.open)
        self.open.children.append(node)
        if tag not in VOID:
            self.open = node

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"end tag for void element <{tag}>"
        assert self.open.tag == tag, f"</{tag}> closes <{self.open.tag}>: the markup is not well nested"
        assert self.open.parent is not None
        self.open = self.open.parent

    def handle_data(self, data: str) -> None:
        self.open.children.append(data)


def parse(markup: str) -> Node:
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert builder.open is builder.root, f"<{builder.open.tag}> is never closed"
    return builder.root


def controls(root: Node) -> list[Node]:
    return [n for n in root.walk() if n.tag in CONTROLS and n.attrs.get("type") != "hidden"]


def accessible_name(root: Node, control: Node) -> str:
    """aria-label, else label[for=id], else an enclosing label, else '' (the control's own name)."""
    if control.attrs.get("aria-label", "").strip():
        return control.attrs["aria-label"].strip()
    control_id = control.attrs.get("id")
    for node in root.walk():
        if node.tag == "label" and control_id and node.attrs.get("for") == control_id and node.text():
            return node.text()
    for node in control.ancestors():
        if node.tag == "label" and node.text():
            return node.text()
    return ""


def group_legend(control: Node) -> str:
    for node in control.ancestors():
        if node.tag == "fieldset":
            legend = next((c for c in node.children if isinstance(c, Node) and c.tag == "legend"), None)
            return legend.text() if legend else ""
    return ""


def submitted(root: Node) -> list[tuple[str, str]]:
    """The form data set a browser builds from the controls, in tree order (disabled controls send nothing)."""
    fields: list[tuple[str, str]] = []
    for control in controls(root):
        name = control.attrs.get("name")
        if not name or "disabled" in control.attrs:
            continue
        if control.tag == "input":
            if control.attrs.get("type") in ("radio", "checkbox"):
                if "checked" in control.attrs:
                    fields.append((name, control.attrs.get("value", "on")))
            else:
                fields.append((name, control.attrs.get("value", "")))
        elif control.tag == "textarea":
            text = "".join(c for c in control.children if isinstance(c, str))
            fields.append((name, text[1:] if text.startswith("\n") else text))
        else:
            options = [o for o in control.walk() if o.tag == "option"]
            chosen = next((o for o in options if "selected" in o.attrs), options[0] if options else None)
            if chosen is not None:
                fields.append((name, chosen.attrs.get("value", chosen.text())))
    return fields
