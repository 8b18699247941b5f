"""Writing item markup as QTI 3.0 elements: sanitised HTML (stem, options, feedback) back to XML, with the
placeholders turned into interactions, gaps and hottexts again."""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement, register_namespace

from itembank.cleaning import MATHML_TAGS
from itembank.content import Choice, Interaction, ItemContent
from itembank.formats.qti_xml import MATHML_NAMESPACE, QTI3_NAMESPACE, camel_to_kebab

register_namespace("", QTI3_NAMESPACE)
register_namespace("m", MATHML_NAMESPACE)
Q = "{" + QTI3_NAMESPACE + "}"
_M = "{" + MATHML_NAMESPACE + "}"
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}
_INTERACTION_ELEMENTS = {
    "choice": "choice",
    "order": "order",
    "match": "match",
    "associate": "associate",
    "gapMatch": "gap-match",
    "inlineChoice": "inline-choice",
    "textEntry": "text-entry",
    "extendedText": "extended-text",
    "hottext": "hottext",
}


def q(name: str) -> str:
    return Q + "qti-" + camel_to_kebab(name)


def sub(parent: Element, name: str, attrs: dict[str, str | None] | None = None) -> Element:
    clean = {camel_to_kebab(k): v for k, v in (attrs or {}).items() if v is not None}
    return SubElement(parent, q(name), clean)


def number(value: float | int | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class _HtmlToXml(HTMLParser):
    """Sanitised HTML to QTI 3 elements; placeholders become interactions, gaps and hottexts again."""

    def __init__(self, parent: Element, content: ItemContent, interaction: Interaction | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [parent]
        self.content = content
        self.interaction = interaction

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        parent = self.stack[-1]
        if "data-interaction" in attributes:
            element = self._interaction(parent, attributes["data-interaction"])
        elif "data-gap" in attributes:
            element = sub(parent, "gap", {"identifier": attributes["data-gap"]})
        elif "data-hottext" in attributes:
            element = sub(parent, "hottext", {"identifier": attributes["data-hottext"]})
        else:
            namespace = _M if tag in MATHML_TAGS else Q
            attributes.pop("xmlns", None)
            element = SubElement(parent, namespace + tag, attributes)
        if tag not in _VOID:
            self.stack.append(element)
        else:
            self.stack.append(element)
            self.handle_endtag(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if len(self.stack) > 1:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def _interaction(self, parent: Element, identifier: str) -> Element:
        interaction = next((i for i in self.content.interactions if i.response_identifier == identifier), None)
        if interaction is None:
            return SubElement(parent, Q + "span")
        return _write_interaction(parent, interaction, self.content)


def html_into(parent: Element, html: str, content: ItemContent) -> None:
    parser = _HtmlToXml(parent, content)
    parser.feed(html)
    parser.close()


def _write_choices(parent: Element, name: str, choices: Iterable[Choice], content: ItemContent) -> None:
    for choice in choices:
        element = sub(
            parent,
            name,
            {
                "identifier": choice.identifier,
                "fixed": "true" if choice.fixed else None,
                "matchMax": number(choice.match_max),
                "matchMin": number(choice.match_min),
            },
        )
        html_into(element, choice.html, content)


def _write_interaction(parent: Element, i: Interaction, content: ItemContent) -> Element:
    element = SubElement(parent, Q + f"qti-{_INTERACTION_ELEMENTS[i.kind]}-interaction")
    attrs = {
        "response-identifier": i.response_identifier,
        "shuffle": ("true" if i.shuffle else "false")
        if i.kind in ("choice", "order", "match", "associate", "gapMatch", "inlineChoice")
        else None,
        "max-choices": number(i.max_choices),
        "min-choices": number(i.min_choices),
        "max-associations": number(i.max_associations),
        "min-associations": number(i.min_associations),
        "expected-length": number(i.expected_length),
        "expected-lines": number(i.expected_lines),
        "pattern-mask": i.pattern_mask,
        "placeholder-text": i.placeholder,
        "format": i.format,
        "base": number(i.base),
        "max-strings": number(i.max_strings),
        "min-strings": number(i.min_strings),
    }
    element.attrib.update({k: v for k, v in attrs.items() if v is not None})
    if i.prompt:
        html_into(sub(element, "prompt"), i.prompt, content)
    if i.kind in ("choice", "order"):
        _write_choices(element, "simpleChoice", i.choices, content)
    elif i.kind == "associate":
        _write_choices(element, "simpleAssociableChoice", i.choices, content)
    elif i.kind == "match":
        _write_choices(sub(element, "simpleMatchSet"), "simpleAssociableChoice", i.choices, content)
        _write_choices(sub(element, "simpleMatchSet"), "simpleAssociableChoice", i.targets, content)
    elif i.kind == "inlineChoice":
        _write_choices(element, "inlineChoice", i.choices, content)
    elif i.kind == "gapMatch":
        _write_choices(element, "gapText", i.choices, content)
        html_into(element, i.content, content)
    elif i.kind == "hottext":
        html_into(element, i.content, content)
    return element
