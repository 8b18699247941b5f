"""QTI 2.0/2.1/2.2/3.0 items and IMS content packages: import, and export as QTI 3.0.

Public functions:
- `import_item_xml(data, file)`: one assessmentItem file -> ImportResult
- `read_item_xml(data)`: lenient read for scoring tools: content even when the importer would refuse the item
- `import_package(data, file)`: a zip with imsmanifest.xml -> items (from item resources and the tests' item
  references) and media files keyed by their path in the package
- `export_item_xml(content)` and `export_package(items, media)`: QTI 3.0
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from xml.etree.ElementTree import Element

from itembank.formats.common import ImportedItem, ImportProblem, ImportResult, ItemCounter
from itembank.formats.qti_read import ItemReading, read_item
from itembank.formats.qti_write import export_item_xml, export_package
from itembank.formats.qti_xml import normalize, qti_version, split_tag
from itembank.safety import UnsafeInputError, XmlSyntaxError, parse_xml, read_zip

__all__ = ["export_item_xml", "export_package", "import_item_xml", "import_package", "read_item_xml"]

_MANIFEST = "imsmanifest.xml"
# Real items nest a few dozen levels at most; the readers and serialisers below recurse once per level.
MAX_XML_DEPTH = 100


def _depth_exceeds(root: Element, limit: int) -> bool:
    level: list[tuple[Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > limit:
            return True
        level.extend((child, depth + 1) for child in element)
    return False


def _load(data: bytes, file: str) -> tuple[Element | None, list[ImportProblem]]:
    try:
        root = parse_xml(data, what=file)
    except XmlSyntaxError as exc:
        return None, [ImportProblem(file, exc.line, None, f"{exc}: fix the XML syntax")]
    except UnsafeInputError as exc:
        return None, [ImportProblem(file, None, None, str(exc))]
    if _depth_exceeds(root, MAX_XML_DEPTH):
        message = f"elements are nested more than {MAX_XML_DEPTH} levels deep, which is refused: flatten the markup"
        return None, [ImportProblem(file, None, None, message)]
    version = qti_version(root)
    if version is None:
        namespace, local = split_tag(root.tag)
        message = (
            f"<{local}> in namespace {namespace or '(none)'!r} is not QTI: expected an assessmentItem in the QTI 2.x "
            "namespace (http://www.imsglobal.org/xsd/imsqti_v2p1) or the QTI 3.0 one (http://www.imsglobal.org/xsd/imsqtiasi_v3p0)"
        )
        return None, [ImportProblem(file, None, None, message)]
    normalize(root, version)
    return root, []


def read_item_xml(data: bytes, resolve_url: Callable[[str], str] = lambda url: url) -> ItemReading:
    """Content and problems of one item file, without refusing it: for scoring and diagnostics."""
    root, problems = _load(data, "item")
    if root is None:
        return ItemReading(None, [p.message for p in problems])
    return read_item(root, resolve_url)


def import_item_xml(data: bytes, file: str, resolve_url: Callable[[str], str] = lambda url: url) -> ImportResult:
    """Import one assessmentItem file; an item with any error is reported and not imported."""
    result = ImportResult()
    root, problems = _load(data, file)
    result.problems.extend(problems)
    if root is None:
        return result
    if root.tag == "assessmentTest":
        result.problems.append(
            ImportProblem(
                file,
                None,
                None,
                "this is an assessmentTest, not an item: import the content package that contains it and its items",
            )
        )
        return result
    reading = read_item(root, resolve_url)
    item_id = reading.content.identifier if reading.content else root.get("identifier")
    result.problems.extend(ImportProblem(file, None, item_id, message) for message in reading.errors)
    result.problems.extend(ImportProblem(file, None, item_id, m, "warning") for m in reading.warnings)
    if reading.content is not None and not reading.errors:
        result.items.append(ImportedItem(content=reading.content, file=file))
    return result


def _resolver(item_path: str, files: dict[str, bytes], problems: list[ImportProblem]) -> Callable[[str], str]:
    base = posixpath.dirname(item_path)

    def resolve(url: str) -> str:
        if not url or "://" in url or url.startswith(("data:", "mailto:", "#", "/")):
            return url
        path = posixpath.normpath(posixpath.join(base, url))
        if path.startswith("../"):
            problems.append(ImportProblem(item_path, None, None, f"{url!r} points outside the package", "warning"))
        elif path not in files:
            problems.append(
                ImportProblem(
                    item_path,
                    None,
                    None,
                    f"media file {path!r} is referenced but not in the package: add it or fix the path",
                    "warning",
                )
            )
        return path

    return resolve


def import_package(data: bytes, file: str) -> ImportResult:
    """Import an IMS content package: items listed in the manifest or referenced by its tests, plus media."""
    result = ImportResult()
    try:
        files = read_zip(data)
    except UnsafeInputError as exc:
        result.problems.append(ImportProblem(file, None, None, str(exc)))
        return result
    if _MANIFEST not in files:
        result.problems.append(
            ImportProblem(
                file,
                None,
                None,
                "the package has no imsmanifest.xml at its root: zip the package folder's contents, not the folder",
            )
        )
        return result
    item_paths, test_paths = _manifest_resources(files[_MANIFEST], result.problems)
    listed = set(item_paths)
    for test_path in test_paths:
        for path in _test_item_refs(test_path, files, result.problems):
            if path not in listed:
                listed.add(path)
                item_paths.append(path)
    counted = ItemCounter(file)
    for path in item_paths:
        counted.next()
        if path not in files:
            result.problems.append(ImportProblem(_MANIFEST, None, None, f"{path!r} is listed but not in the package"))
            continue
        result.extend(import_item_xml(files[path], path, _resolver(path, files, result.problems)))
    used = {_MANIFEST, *item_paths, *test_paths}
    result.media = {path: content for path, content in files.items() if path not in used and not path.endswith(".xml")}
    return result


def _manifest_resources(data: bytes, problems: list[ImportProblem]) -> tuple[list[str], list[str]]:
    try:
        manifest = parse_xml(data, what=_MANIFEST)
    except (XmlSyntaxError, UnsafeInputError) as exc:
        problems.append(ImportProblem(_MANIFEST, getattr(exc, "line", None), None, str(exc)))
        return [], []
    items: list[str] = []
    tests: list[str] = []
    for element in manifest.iter():
        if split_tag(element.tag)[1] != "resource":
            continue
        kind, href = element.get("type", ""), element.get("href")
        if href is None:
            continue
        path = posixpath.normpath(href)
        if kind.startswith("imsqti_item"):
            items.append(path)
        elif kind.startswith("imsqti_test"):
            tests.append(path)
    return items, tests


def _test_item_refs(test_path: str, files: dict[str, bytes], problems: list[ImportProblem]) -> list[str]:
    if test_path not in files:
        problems.append(ImportProblem(_MANIFEST, None, None, f"test {test_path!r} is listed but not in the package"))
        return []
    root, load_problems = _load(files[test_path], test_path)
    problems.extend(load_problems)
    if root is None:
        return []
    base = posixpath.dirname(test_path)
    return [
        posixpath.normpath(posixpath.join(base, ref.get("href", "")))
        for ref in root.iter("assessmentItemRef")
        if ref.get("href")
    ]
