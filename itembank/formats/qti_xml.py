"""QTI XML plumbing shared by the reader and the writer: namespaces, 2.x/3.0 naming, element helpers."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

QTI2_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imsqti_v2p0": "2.0",
    "http://www.imsglobal.org/xsd/imsqti_v2p1": "2.1",
    "http://www.imsglobal.org/xsd/imsqti_v2p2": "2.2",
}
QTI3_NAMESPACE = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])([A-Z])")


def kebab_to_camel(name: str) -> str:
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_to_kebab(name: str) -> str:
    return _CAMEL_BOUNDARY.sub(lambda m: "-" + m.group(1).lower(), name)


def split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def qti_version(root: Element) -> str | None:
    """ "2.0", "2.1", "2.2" or "3.0" from the root's namespace (or its name when it has none); None if not QTI."""
    namespace, local = split_tag(root.tag)
    if namespace in QTI2_NAMESPACES:
        return QTI2_NAMESPACES[namespace]
    if namespace == QTI3_NAMESPACE:
        return "3.0"
    if not namespace:
        if local.startswith("qti-"):
            return "3.0"
        if local in ("assessmentItem", "assessmentTest"):
            return "2.1"
    return None


def normalize(root: Element, version: str) -> None:
    """Rename elements in place to QTI 2.x's local camelCase names, whatever the version.

    QTI 3's `qti-choice-interaction` becomes `choiceInteraction` and its kebab-case attributes become camelCase;
    HTML and MathML elements keep their names and attributes. Namespaces are dropped from tags.
    """
    v3 = version.startswith("3")
    for element in root.iter():
        _, local = split_tag(element.tag)
        if v3 and local.startswith("qti-"):
            element.tag = kebab_to_camel(local[4:])
            element.attrib = {_attr_name(k, camel=True): v for k, v in element.attrib.items()}
        else:
            element.tag = local
            if any(k.startswith("{") for k in element.attrib):
                element.attrib = {_attr_name(k, camel=False): v for k, v in element.attrib.items()}


def _attr_name(name: str, camel: bool) -> str:
    if name == XML_LANG:
        return "lang"
    _, local = split_tag(name)
    if camel and not local.startswith(("data-", "aria-")):
        return kebab_to_camel(local)
    return local


def children(element: Element, name: str) -> list[Element]:
    return [child for child in element if child.tag == name]


def child(element: Element, name: str) -> Element | None:
    return next((c for c in element if c.tag == name), None)


def values_of(element: Element | None) -> tuple[str, ...] | None:
    if element is None:
        return None
    return tuple(value.text or "" for value in children(element, "value"))


def int_attr(element: Element, name: str) -> int | None:
    text = element.get(name)
    if text is None or not text.strip():
        return None
    return int(text)


def float_attr(element: Element, name: str) -> float | None:
    text = element.get(name)
    if text is None or not text.strip():
        return None
    return float(text)


def bool_attr(element: Element, name: str, default: bool = False) -> bool:
    text = element.get(name)
    return default if text is None else text.strip() in ("true", "1")
