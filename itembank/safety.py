"""Hostile input is refused here, before it costs memory or CPU.

Every import goes through these gates: a size cap on the uploaded file, a zip reader that checks the central
directory (entry count, declared sizes, compression ratio, paths, symlinks) before inflating anything, an XML
parser that forbids DTDs, entities and external references. Author HTML is
cleaned by `itembank.cleaning`.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
MAX_XML_BYTES = 8 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
MAX_ZIP_TOTAL_BYTES = 500 * 1024 * 1024
MAX_ZIP_ENTRY_BYTES = 100 * 1024 * 1024
# Real media and XML compress at most ~20:1; a bomb compresses at 1000:1 and more.
MAX_COMPRESSION_RATIO = 100
_RATIO_EXEMPT_BELOW = 64 * 1024  # tiny highly-repetitive files are harmless whatever their ratio

_READ_CHUNK = 64 * 1024


class UnsafeInputError(ValueError):
    """The input was refused for safety reasons; the message says why and what the limit is."""


class XmlSyntaxError(ValueError):
    """The XML is not well-formed; `line` is where the parser stopped (1-based) when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def check_size(data: bytes, limit: int = MAX_UPLOAD_BYTES, what: str = "file") -> None:
    """Refuse `data` larger than `limit` bytes."""
    if len(data) > limit:
        raise UnsafeInputError(
            f"the {what} is {len(data):,} bytes; the limit is {limit:,} bytes: split it into smaller files"
        )


def parse_xml(data: bytes | str, what: str = "XML") -> Element:
    """Parse XML with DTDs, entity declarations and external references forbidden."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    check_size(raw, MAX_XML_BYTES, what)
    try:
        root: Element = defusedxml.ElementTree.fromstring(
            raw, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DTDForbidden as exc:
        raise UnsafeInputError(
            f"{what} declares a DTD (<!DOCTYPE ...>), which is refused: remove the DOCTYPE line"
        ) from exc
    except defusedxml.EntitiesForbidden as exc:
        raise UnsafeInputError(f"{what} declares entities (<!ENTITY ...>), which are refused: remove them") from exc
    except defusedxml.ExternalReferenceForbidden as exc:
        raise UnsafeInputError(f"{what} refers to an external resource, which is refused") from exc
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise XmlSyntaxError(f"{what} is not well-formed XML: {exc}", line) from exc
    return root


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = MAX_ZIP_ENTRIES
    max_total_bytes: int = MAX_ZIP_TOTAL_BYTES
    max_entry_bytes: int = MAX_ZIP_ENTRY_BYTES
    max_ratio: int = MAX_COMPRESSION_RATIO


def _check_entry_name(name: str) -> str:
    if "\x00" in name or "\\" in name:
        raise UnsafeInputError(f"zip entry {name!r} has a NUL or backslash in its name, which is refused")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise UnsafeInputError(f"zip entry {name!r} has an absolute path, which is refused (zip slip)")
    parts = name.split("/")
    if ".." in parts:
        raise UnsafeInputError(f"zip entry {name!r} climbs out of the package with '..', which is refused (zip slip)")
    return posixpath.normpath(name)


def read_zip(data: bytes, limits: ZipLimits = ZipLimits()) -> dict[str, bytes]:
    """Every file of a zip archive, keyed by its normalised path, after checking the central directory first."""
    check_size(data, MAX_UPLOAD_BYTES, "package")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnsafeInputError(f"the package is not a readable zip file: {exc}") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.max_entries:
            raise UnsafeInputError(f"the package has {len(infos):,} entries; the limit is {limits.max_entries:,}")
        total = 0
        wanted: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            name = _check_entry_name(info.filename)
            if stat.S_ISLNK(info.external_attr >> 16):
                raise UnsafeInputError(f"zip entry {info.filename!r} is a symbolic link, which is refused")
            if info.flag_bits & 0x1:
                raise UnsafeInputError(f"zip entry {info.filename!r} is encrypted, which is refused")
            if info.file_size > limits.max_entry_bytes:
                raise UnsafeInputError(
                    f"zip entry {info.filename!r} inflates to {info.file_size:,} bytes; "
                    f"the limit is {limits.max_entry_bytes:,}"
                )
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > _RATIO_EXEMPT_BELOW and ratio > limits.max_ratio:
                raise UnsafeInputError(
                    f"zip entry {info.filename!r} has a compression ratio of {ratio:,.0f}:1; the limit is "
                    f"{limits.max_ratio}:1 (zip bomb)"
                )
            total += info.file_size
            if total > limits.max_total_bytes:
                raise UnsafeInputError(
                    f"the package inflates to more than {limits.max_total_bytes:,} bytes, which is refused"
                )
            if not info.is_dir():
                wanted.append((name, info))
        files: dict[str, bytes] = {}
        for name, info in wanted:
            if name in files:
                raise UnsafeInputError(f"zip entry {name!r} appears twice, which is refused")
            files[name] = _read_bounded(archive, info)
        return files


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    # The central directory may lie about sizes: never inflate more than it declared.
    chunks: list[bytes] = []
    left = info.file_size
    try:
        with archive.open(info) as stream:
            while left >= 0:
                chunk = stream.read(min(_READ_CHUNK, left + 1))
                if not chunk:
                    break
                left -= len(chunk)
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise UnsafeInputError(f"zip entry {info.filename!r} cannot be read: {exc}") from exc
    if left < 0:
        raise UnsafeInputError(f"zip entry {info.filename!r} inflates to more than its declared size (zip bomb)")
    return b"".join(chunks)
