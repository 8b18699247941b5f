"""Writing ItemContent as QTI 3.0 XML, and a set of items as an IMS content package (zip).

The item body's markup is written by `qti_write_body`; this module writes the declarations, response
processing and feedback around it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.etree.ElementTree import Element, SubElement, tostring

from itembank.content import Feedback, ItemContent, OutcomeDeclaration, ResponseDeclaration, RPNode
from itembank.formats.qti_write_body import Q, html_into, number, sub

_TEMPLATE_URI = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/{}.xml"


def _values(
    parent: Element, name: str, values: tuple[str, ...] | None, attrs: dict[str, str | None] | None = None
) -> None:
    if values is None:
        return
    holder = sub(parent, name, attrs)
    for value in values:
        sub(holder, "value").text = value


def _rp(parent: Element, node: RPNode) -> None:
    element = sub(parent, node.name, dict(node.attrs))
    element.text = node.text
    for child in node.children:
        _rp(element, child)


def _feedback(parent: Element, feedback: Feedback, content: ItemContent) -> None:
    name = {"modal": "modalFeedback", "block": "feedbackBlock", "inline": "feedbackInline"}[feedback.kind]
    element = sub(
        parent,
        name,
        {
            "outcomeIdentifier": feedback.outcome_identifier,
            "identifier": feedback.identifier,
            "showHide": feedback.show_hide,
            "title": feedback.title,
        },
    )
    html_into(element, feedback.html, content)


def _response_declaration(root: Element, r: ResponseDeclaration) -> None:
    element = sub(
        root,
        "responseDeclaration",
        {"identifier": r.identifier, "cardinality": r.cardinality, "baseType": r.base_type},
    )
    _values(element, "defaultValue", r.default_value)
    _values(element, "correctResponse", r.correct_response, {"interpretation": r.correct_interpretation})
    if r.mapping is not None:
        m = r.mapping
        mapping = sub(
            element,
            "mapping",
            {
                "defaultValue": number(m.default_value),
                "lowerBound": number(m.lower_bound),
                "upperBound": number(m.upper_bound),
            },
        )
        for e in m.entries:
            sub(
                mapping,
                "mapEntry",
                {
                    "mapKey": e.key,
                    "mappedValue": number(e.value),
                    "caseSensitive": "true" if e.case_sensitive else "false",
                },
            )
    if r.area_mapping is not None:
        a = r.area_mapping
        area = sub(
            element,
            "areaMapping",
            {
                "defaultValue": number(a.default_value),
                "lowerBound": number(a.lower_bound),
                "upperBound": number(a.upper_bound),
            },
        )
        for entry in a.entries:
            coords = ",".join(number(c) or "0" for c in entry.coords)
            sub(area, "areaMapEntry", {"shape": entry.shape, "coords": coords, "mappedValue": number(entry.value)})


def _outcome_declaration(root: Element, o: OutcomeDeclaration) -> None:
    element = sub(
        root,
        "outcomeDeclaration",
        {
            "identifier": o.identifier,
            "cardinality": o.cardinality,
            "baseType": o.base_type,
            "normalMaximum": number(o.normal_maximum),
            "normalMinimum": number(o.normal_minimum),
            "externalScored": o.external_scored,
        },
    )
    _values(element, "defaultValue", o.default_value)
    if o.lookup_table is not None:
        t = o.lookup_table
        table = sub(element, f"{t.kind}Table", {"defaultValue": t.default_value})
        for row in t.entries:
            sub(
                table,
                f"{t.kind}TableEntry",
                {
                    "sourceValue": number(row.source),
                    "targetValue": row.target,
                    "includeBoundary": None if row.include_boundary else "false",
                },
            )


def export_item_xml(content: ItemContent) -> str:
    """The item as a QTI 3.0 qti-assessment-item document."""
    root = Element(
        Q + "qti-assessment-item",
        {"identifier": content.identifier, "title": content.title, "adaptive": "false", "time-dependent": "false"},
    )
    if content.language:
        root.set("xml:lang", content.language)
    for r in content.responses:
        _response_declaration(root, r)
    for o in content.outcomes:
        _outcome_declaration(root, o)
    for href in content.stylesheets:
        sub(root, "stylesheet", {"href": href, "type": "text/css"})
    body = sub(root, "itemBody")
    html_into(body, content.stem, content)
    for rubric in content.rubrics:
        html_into(sub(body, "rubricBlock", {"view": " ".join(rubric.view) or None}), rubric.html, content)
    for feedback in content.feedback:
        if feedback.kind != "modal":
            _feedback(body, feedback, content)
    if content.response_processing is not None:
        rp = content.response_processing
        template = _TEMPLATE_URI.format(rp.template) if rp.template and not rp.rules else None
        processing = sub(root, "responseProcessing", {"template": template})
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
