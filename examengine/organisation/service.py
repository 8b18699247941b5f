"""Reading and changing the organisation's identity.

Every page's header shows it, so each process keeps it in its process cache. Several app processes share one
database, and a change made through one must reach the others: a cached identity is trusted for FRESH_SECONDS
after it was read, then read again (one primary-key lookup). The process that makes a change drops its copy at
once; the others show the new identity within FRESH_SECONDS. Images are read only when served.
"""

from __future__ import annotations

import hashlib
import time
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import update
from sqlmodel import Session, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.caches import CacheKind, ProcessCaches
from examengine.db import caches_of, dialect_insert
from examengine.errors import InvalidInput, NotFound, TooLarge
from examengine.organisation import colours
from examengine.organisation.models import THE_ROW, Organisation, OrganisationImage

FRESH_SECONDS = 5.0
MAX_IMAGE_BYTES = 1024 * 1024
TEXT_LIMITS = {"name": 120, "signatory_name": 120, "signatory_title": 120}
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}


class ImageKind(StrEnum):
    LOGO = "logo"
    SIGNATURE = "signature"


@dataclass(frozen=True)
class IdentityChanges:
    """The text fields an admin sets (all of them, as the settings form sends them)."""

    name: str
    contact_email: str
    accent_colour: str
    time_zone: str
    signatory_name: str
    signatory_title: str


@dataclass(frozen=True)
class Identity(IdentityChanges):
    """What pages, certificates and mail show of the organisation: the text fields and the images' hashes."""

    logo_sha256: str | None
    signature_sha256: str | None
    version: int


@dataclass(frozen=True)
class _Cached:
    identity: Identity
    read_at: float


_CACHE: CacheKind[str, _Cached] = CacheKind("organisation_identity", 1)
_KEY = "identity"


def _of(row: Organisation | None) -> Identity:
    row = row or Organisation()
    return Identity(**{field.name: getattr(row, field.name) for field in fields(Identity)})


def cached_identity(caches: ProcessCaches, *, now: float | None = None) -> Identity | None:
    """The identity this process read less than FRESH_SECONDS ago, or None (then read it with `identity`)."""
    hit = caches.of(_CACHE).get(_KEY)
    moment = time.monotonic() if now is None else now
    return hit.identity if hit is not None and moment - hit.read_at < FRESH_SECONDS else None


def last_known(caches: ProcessCaches) -> Identity:
    """The identity this process read last, however long ago, or the defaults: for a page rendered without
    reading the database."""
    hit = caches.of(_CACHE).get(_KEY)
    return hit.identity if hit is not None else _of(None)


def identity(*, session: Session, now: float | None = None) -> Identity:
    """The organisation's identity (defaults until an admin sets it): the one function pages, certificates and
    the mailer call for the organisation's name, contact address and look."""
    caches = caches_of(session)
    found = cached_identity(caches, now=now)
    if found is None:
        found = _of(session.get(Organisation, THE_ROW, populate_existing=True))
        caches.of(_CACHE).put(_KEY, _Cached(found, time.monotonic() if now is None else now))
    return found


def local_date(moment: datetime, found: Identity) -> str:
    """The calendar date of `moment` in the organisation's time zone, as people write it: 6 December 2026."""
    local = moment.astimezone(zoneinfo.ZoneInfo(found.time_zone))
    return f"{local.day} {local:%B %Y}"


def _text(value: str, field: str, label: str, *, required: bool = False) -> str:
    text = " ".join(value.split())
    if any(ord(c) < 32 or ord(c) == 127 for c in value.replace("\n", "").replace("\t", "")):
        raise InvalidInput(f"{label} cannot contain control characters.", code="invalid_text", details={"field": field})
    if required and not text:
        raise InvalidInput(f"{label} is required.", code="required", details={"field": field})
    if len(text) > TEXT_LIMITS[field]:
        raise InvalidInput(
            f"{label} is at most {TEXT_LIMITS[field]} characters.", code="too_long", details={"field": field}
        )
    return text


def _email(raw: str) -> str:
    text = raw.strip()
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(
            f"{text[:254]!r} is not a valid email address: {error}",
            code="invalid_email",
            details={"field": "contact_email"},
        ) from None


def _zone(raw: str) -> str:
    name = raw.strip() or "UTC"
    if name not in zoneinfo.available_timezones() and name != "UTC":
        raise InvalidInput(
            f"{name[:64]!r} is not a time zone: use a name such as Europe/Paris or America/New_York.",
            code="invalid_time_zone",
            details={"field": "time_zone"},
        )
    return name


def checked(changes: IdentityChanges) -> IdentityChanges:
    """The changes cleaned (spaces folded, colour in #rrggbb); InvalidInput naming the field otherwise."""
    return IdentityChanges(
        name=_text(changes.name, "name", "The organisation's name", required=True),
        contact_email=_email(changes.contact_email),
        accent_colour=colours.accent(changes.accent_colour),
        time_zone=_zone(changes.time_zone),
        signatory_name=_text(changes.signatory_name, "signatory_name", "The signatory's name"),
        signatory_title=_text(changes.signatory_title, "signatory_title", "The signatory's title"),
    )


def _change(
    session: Session, *, actor_id: str, now: datetime, values: Mapping[str, object], detail: Mapping[str, object]
) -> Identity:
    session.execute(
        dialect_insert(session, Organisation).values(id=THE_ROW).on_conflict_do_nothing(index_elements=["id"])
    )
    session.execute(
        update(Organisation)
        .where(col(Organisation.id) == THE_ROW)
        .values(**values, version=col(Organisation.version) + 1, updated_at=now, updated_by=actor_id)
    )
    record(
        session=session,
        kind=AuditKind.ORGANISATION_CHANGED,
        actor_id=actor_id,
        subject="organisation",
        detail=detail,
        at=now,
    )
    caches_of(session).of(_CACHE).clear()
    session.flush()
    return _of(session.get(Organisation, THE_ROW, populate_existing=True))


def change(*, session: Session, actor_id: str, changes: IdentityChanges, now: datetime) -> Identity:
    """Set the organisation's text fields and accent; the audit record names each field changed, old and new.
    Raises InvalidInput (the field in details)."""
    clean = checked(changes)
    before = identity(session=session)
    changed = {
        field.name: {"from": getattr(before, field.name), "to": getattr(clean, field.name)}
        for field in fields(IdentityChanges)
        if getattr(before, field.name) != getattr(clean, field.name)
    }
    if not changed:
        return before
    values = {field.name: getattr(clean, field.name) for field in fields(IdentityChanges)}
    return _change(session, actor_id=actor_id, now=now, values=values, detail={"changed": changed})


def image_type(data: bytes) -> str:
    """The content type of a logo or signature from its bytes; InvalidInput for anything but PNG and JPEG."""
    if len(data) > MAX_IMAGE_BYTES:
        raise TooLarge(
            f"The image is larger than {MAX_IMAGE_BYTES // 1024} KiB: export it smaller.", code="image_too_large"
        )
    kind = next((kind for magic, kind in IMAGE_SIGNATURES.items() if data.startswith(magic)), None)
    if kind is not None:
        return kind
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        raise InvalidInput(
            "SVG images are not taken (they can carry scripts): export the image as PNG or JPEG.", code="svg_refused"
        )
    raise InvalidInput("That file is not a PNG or JPEG image.", code="unsupported_image")


def set_image(*, session: Session, actor_id: str, kind: ImageKind, data: bytes, now: datetime) -> Identity:
    """Store `data` as the organisation's logo or signature (PNG or JPEG, at most MAX_IMAGE_BYTES).
    Raises InvalidInput (svg_refused, unsupported_image), TooLarge."""
    content_type = image_type(data)
    digest = hashlib.sha256(data).hexdigest()
    if session.get(OrganisationImage, digest) is None:
        session.add(
            OrganisationImage(sha256=digest, content_type=content_type, size=len(data), data=data, created_at=now)
        )
        session.flush()
    detail = {"image": kind.value, "sha256": digest, "size": len(data)}
    return _change(session, actor_id=actor_id, now=now, values={f"{kind.value}_sha256": digest}, detail=detail)


def remove_image(*, session: Session, actor_id: str, kind: ImageKind, now: datetime) -> Identity:
    if getattr(identity(session=session), f"{kind.value}_sha256") is None:
        return identity(session=session)
    detail = {"image": kind.value, "removed": True}
    return _change(session, actor_id=actor_id, now=now, values={f"{kind.value}_sha256": None}, detail=detail)


def current_image(*, session: Session, kind: ImageKind, sha256: str) -> OrganisationImage:
    """The image if it is the organisation's current logo (or signature); NotFound otherwise."""
    row = session.get(Organisation, THE_ROW, populate_existing=True)
    image = session.get(OrganisationImage, sha256) if len(sha256) == 64 else None
    if row is None or image is None or getattr(row, f"{kind.value}_sha256") != sha256:
        raise NotFound("No such image.", code="image_not_found")
    return image
