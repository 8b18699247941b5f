"""Writing ItemContent as QTI 3.0 XML, and a set of items as an IMS content package (zip)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement, register_namespace, tostring

from itembank.content import Choice, Feedback, Interaction, ItemContent, RPNode
from itembank.formats.qti_xml import MATHML_NAMESPACE, QTI3_NAMESPACE, camel_to_kebab

register_namespace("", QTI3_NAMESPACE)
register_namespace("m", MATHML_NAMESPACE)
_Q = "{" + QTI3_NAMESPACE + "}"
_M = "{" + MATHML_NAMESPACE + "}"
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "source", "track", "wbr"}
_MATHML = {
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "semantics",
    "annotation",
    "merror",
    "mpadded",
    "mphantom",
    "mfenced",
    "menclose",
    "mmultiscripts",
    "mlabeledtr",
}
_TEMPLATE_URI = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/{}.xml"
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


def _q(name: str) -> str:
    return _Q + "qti-" + camel_to_kebab(name)


def _sub(parent: Element, name: str, attrs: dict[str, str | None] | None = None) -> Element:
    clean = {camel_to_kebab(k): v for k, v in (attrs or {}).items() if v is not None}
    return SubElement(parent, _q(name), clean)


def _number(value: float | int | None) -> str | None:
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
            element = _sub(parent, "gap", {"identifier": attributes["data-gap"]})
        elif "data-hottext" in attributes:
            element = _sub(parent, "hottext", {"identifier": attributes["data-hottext"]})
        else:
            namespace = _M if tag in _MATHML else _Q
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
            return SubElement(parent, _Q + "span")
        return _write_interaction(parent, interaction, self.content)


def _html_into(parent: Element, html: str, content: ItemContent) -> None:
    parser = _HtmlToXml(parent, content)
    parser.feed(html)
    parser.close()


def _write_choices(parent: Element, name: str, choices: Iterable[Choice], content: ItemContent) -> None:
    for choice in choices:
        element = _sub(
            parent,
            name,
            {
                "identifier": choice.identifier,
                "fixed": "true" if choice.fixed else None,
                "matchMax": _number(choice.match_max),
                "matchMin": _number(choice.match_min),
            },
        )
        _html_into(element, choice.html, content)


def _write_interaction(parent: Element, i: Interaction, content: ItemContent) -> Element:
    element = SubElement(parent, _Q + f"qti-{_INTERACTION_ELEMENTS[i.kind]}-interaction")
    attrs = {
        "response-identifier": i.response_identifier,
        "shuffle": ("true" if i.shuffle else "false")
        if i.kind in ("choice", "order", "match", "associate", "gapMatch", "inlineChoice")
        else None,
        "max-choices": _number(i.max_choices),
        "min-choices": _number(i.min_choices),
        "max-associations": _number(i.max_associations),
        "min-associations": _number(i.min_associations),
        "expected-length": _number(i.expected_length),
        "expected-lines": _number(i.expected_lines),
        "pattern-mask": i.pattern_mask,
        "placeholder-text": i.placeholder,
        "format": i.format,
        "base": _number(i.base),
        "max-strings": _number(i.max_strings),
        "min-strings": _number(i.min_strings),
    }
    element.attrib.update({k: v for k, v in attrs.items() if v is not None})
    if i.prompt:
        _html_into(_sub(element, "prompt"), i.prompt, content)
    if i.kind in ("choice", "order"):
        _write_choices(element, "simpleChoice", i.choices, content)
    elif i.kind == "associate":
        _write_choices(element, "simpleAssociableChoice", i.choices, content)
    elif i.kind == "match":
        _write_choices(_sub(element, "simpleMatchSet"), "simpleAssociableChoice", i.choices, content)
        _write_choices(_sub(element, "simpleMatchSet"), "simpleAssociableChoice", i.targets, content)
    elif i.kind == "inlineChoice":
        _write_choices(element, "inlineChoice", i.choices, content)
    elif i.kind == "gapMatch":
        _write_choices(element, "gapText", i.choices, content)
        _html_into(element, i.content, content)
    elif i.kind == "hottext":
        _html_into(element, i.content, content)
    return element


def _values(
    parent: Element, name: str, values: tuple[str, ...] | None, attrs: dict[str, str | None] | None = None
) -> None:
    if values is None:
        return
    holder = _sub(parent, name, attrs)
    for value in values:
        _sub(holder, "value").text = value


def _rp(parent: Element, node: RPNode) -> None:
    element = _sub(parent, node.name, dict(node.attrs))
    element.text = node.text
    for child in node.children:
        _rp(element, child)


def _feedback(parent: Element, feedback: Feedback, content: ItemContent) -> None:
    name = {"modal": "modalFeedback", "block": "feedbackBlock", "inline": "feedbackInline"}[feedback.kind]
    element = _sub(
        parent,
        name,
        {
            "outcomeIdentifier": feedback.outcome_identifier,
            "identifier": feedback.identifier,
            "showHide": feedback.show_hide,
            "title": feedback.title,
        },
    )
    _html_into(element, feedback.html, content)


def export_item_xml(content: ItemContent) -> str:
    """The item as a QTI 3.0 qti-assessment-item document."""
    root = Element(
        _Q + "qti-assessment-item",
        {"identifier": content.identifier, "title": content.title, "adaptive": "false", "time-dependent": "false"},
    )
    if content.language:
        root.set("xml:lang", content.language)
    for r in content.responses:
        element = _sub(
            root,
            "responseDeclaration",
            {"identifier": r.identifier, "cardinality": r.cardinality, "baseType": r.base_type},
        )
        _values(element, "defaultValue", r.default_value)
        _values(element, "correctResponse", r.correct_response, {"interpretation": r.correct_interpretation})
        if r.mapping is not None:
            m = r.mapping
            mapping = _sub(
                element,
                "mapping",
                {
                    "defaultValue": _number(m.default_value),
                    "lowerBound": _number(m.lower_bound),
                    "upperBound": _number(m.upper_bound),
                },
            )
            for e in m.entries:
                _sub(
                    mapping,
                    "mapEntry",
                    {
                        "mapKey": e.key,
                        "mappedValue": _number(e.value),
                        "caseSensitive": "true" if e.case_sensitive else "false",
                    },
                )
        if r.area_mapping is not None:
            a = r.area_mapping
            area = _sub(
                element,
                "areaMapping",
                {
                    "defaultValue": _number(a.default_value),
                    "lowerBound": _number(a.lower_bound),
                    "upperBound": _number(a.upper_bound),
                },
            )
            for entry in a.entries:
                coords = ",".join(_number(c) or "0" for c in entry.coords)
                _sub(
                    area, "areaMapEntry", {"shape": entry.shape, "coords": coords, "mappedValue": _number(entry.value)}
                )
    for o in content.outcomes:
        element = _sub(
            root,
            "outcomeDeclaration",
            {
                "identifier": o.identifier,
                "cardinality": o.cardinality,
                "baseType": o.base_type,
                "normalMaximum": _number(o.normal_maximum),
                "normalMinimum": _number(o.normal_minimum),
                "externalScored": o.external_scored,
            },
        )
        _values(element, "defaultValue", o.default_value)
        if o.lookup_table is not None:
            t = o.lookup_table
            table = _sub(element, f"{t.kind}Table", {"defaultValue": t.default_value})
            for row in t.entries:
                _sub(
                    table,
                    f"{t.kind}TableEntry",
                    {
                        "sourceValue": _number(row.source),
                        "targetValue": row.target,
                        "includeBoundary": None if row.include_boundary else "false",
                    },
                )
    for href in content.stylesheets:
        _sub(root, "stylesheet", {"href": href, "type": "text/css"})
    body = _sub(root, "itemBody")
    _html_into(body, content.stem, content)
    for rubric in content.rubrics:
        _html_into(_sub(body, "rubricBlock", {"view": " ".join(rubric.view) or None}), rubric.html, content)
    for feedback in content.feedback:
        if feedback.kind != "modal":
            _feedback(body, feedback, content)
    if content.response_processing is not None:
        rp = content.response_processing
        template = _TEMPLATE_URI.format(rp.template) if rp.template and not rp.rules else None
        processing = _sub(root, "responseProcessing", {"template": template})
        for rule in rp.rules:
            _rp(processing, rule)
    for feedback in content.feedback:
        if feedback.kind == "modal":
            _feedback(root, feedback, content)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="unicode")


def _file_name(identifier: str, used: set[str]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", identifier) or "item"
    name, n = f"{stem}.xml", 1
    while name in used:
        n += 1
        name = f"{stem}-{n}.xml"
    used.add(name)
    return name


def export_package(items: Iterable[ItemContent], media: dict[str, bytes] | None = None) -> bytes:
    """An IMS content package (zip): imsmanifest.xml, one QTI 3.0 file per item, and the media files."""
    buffer = io.BytesIO()
    used: set[str] = {"imsmanifest.xml"}
    ns = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
    manifest = Element(f"{{{ns}}}manifest", {"identifier": "examengine-export"})
    SubElement(manifest, f"{{{ns}}}organizations")
    resources = SubElement(manifest, f"{{{ns}}}resources")
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for content in items:
            name = _file_name(content.identifier, used)
            archive.writestr(name, export_item_xml(content))
            resource = SubElement(
                resources,
                f"{{{ns}}}resource",
                {"identifier": f"RES-{name[:-4]}", "type": "imsqti_item_xmlv3p0", "href": name},
            )
            SubElement(resource, f"{{{ns}}}file", {"href": name})
        for path, data in sorted((media or {}).items()):
            archive.writestr(path, data)
            resource = SubElement(
                resources,
                f"{{{ns}}}resource",
                {"identifier": f"MEDIA-{len(resources)}", "type": "webcontent", "href": path},
            )
            SubElement(resource, f"{{{ns}}}file", {"href": path})
        archive.writestr(
            "imsmanifest.xml", '<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(manifest, encoding="unicode")
        )
    return buffer.getvalue()
