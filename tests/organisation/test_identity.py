"""The organisation's identity: validation of every field, the accent's contrast, the audit record, and the
per-process cache shared by several app processes on one database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from examengine import organisation
from examengine.accounts.service import UserView
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.db import Database
from examengine.errors import InvalidInput, TooLarge
from examengine.organisation import colours
from examengine.organisation.service import FRESH_SECONDS

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GOOD = organisation.IdentityChanges(
    name="  Northwind   Certification Board ",
    contact_email="Exams@Northwind.example",
    accent_colour="#1D4ED8",
    time_zone="Europe/London",
    signatory_name="Ada Byron",
    signatory_title="Registrar",
)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#ffffff", 1.0),
        ("#767676", "#ffffff", 4.54),
        ("#0000ff", "#ffffff", 8.59),
    ],
)
def test_contrast_follows_wcag(first: str, second: str, ratio: float) -> None:
    assert round(colours.contrast(first, second), 2) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("raw", ["#ffcc00", "#777777", "yellow", "#12345", "#ggg000", "", "#0b57a4ff", "rgb(0,0,0)"])
def test_an_unreadable_or_malformed_accent_is_refused_with_what_to_do(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        colours.accent(raw)
    if refused.value.code == "accent_contrast_too_low":
        suggestion = refused.value.details["suggestion"]
        assert suggestion in refused.value.message and colours.worst_contrast(suggestion) >= 4.5
        assert colours.accent(suggestion) == suggestion
    else:
        assert refused.value.code == "invalid_colour"


@pytest.mark.parametrize(("raw", "kept"), [("#0B57A4", "#0b57a4"), ("000", "#000000"), (" #5A5A5A ", "#5a5a5a")])
def test_a_readable_accent_is_kept_in_one_form(raw: str, kept: str) -> None:
    assert colours.accent(raw) == kept


def test_every_light_hue_gets_a_passing_suggestion() -> None:
    for red in range(0, 256, 51):
        for green in range(0, 256, 51):
            for blue in range(0, 256, 51):
                shade = colours.passing_shade(f"#{red:02x}{green:02x}{blue:02x}")
                assert colours.worst_contrast(shade) >= 4.5


def test_defaults_until_an_admin_saves(db: Database) -> None:
    found = db.call(organisation.identity, write=False)
    assert (found.name, found.accent_colour, found.logo_sha256, found.version) == ("examengine", "#0b57a4", None, 0)


def test_a_change_is_cleaned_stored_and_audited(db: Database, make_user: Callable[..., UserView]) -> None:
    admin = make_user("admin@example.org", "admin")
    saved = db.call(organisation.change, actor_id=admin.id, changes=GOOD, now=NOW)
    assert (saved.name, saved.contact_email, saved.accent_colour) == (
        "Northwind Certification Board",
        "Exams@northwind.example",
        "#1d4ed8",
    )
    assert saved.version == 1
    again = db.call(organisation.change, actor_id=admin.id, changes=GOOD, now=NOW)
    assert again.version == 1, "saving the same values changes nothing and records nothing"
    with db.unit_of_work(write=False) as session:
        records = session.scalars(select(AuditRecord).where(AuditRecord.kind == "organisation_changed")).all()
    assert len(records) == 1 and records[0].actor_id == admin.id
    assert records[0].detail["changed"]["name"] == {"from": "examengine", "to": "Northwind Certification Board"}


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 121}, "name", "too_long"),
        ({"name": "Bad\x07name"}, "name", "invalid_text"),
        ({"contact_email": "not an address"}, "contact_email", "invalid_email"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "invalid_time_zone"),
        ({"signatory_title": "t" * 121}, "signatory_title", "too_long"),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_is_stored(
    db: Database, make_user: Callable[..., UserView], changes: dict[str, str], field: str, code: str
) -> None:
    admin = make_user("admin@example.org", "admin")
    with pytest.raises(InvalidInput) as refused:
        db.call(organisation.change, actor_id=admin.id, changes=replace(GOOD, **changes), now=NOW)
    assert refused.value.code == code and refused.value.details["field"] == field
    assert db.call(organisation.identity, write=False).version == 0


def test_images_are_png_or_jpeg_and_never_svg(db: Database, make_user: Callable[..., UserView]) -> None:
    admin = make_user("admin@example.org", "admin")
    kind = organisation.ImageKind.LOGO
    for data, code in (
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "svg_refused",
        ),
        (b"  <svg onload='alert(1)'/>", "svg_refused"),
        (b"GIF89a" + b"\x00" * 10, "unsupported_image"),
        (b"", "unsupported_image"),
    ):
        with pytest.raises(InvalidInput) as refused:
            db.call(organisation.set_image, actor_id=admin.id, kind=kind, data=data, now=NOW)
        assert refused.value.code == code
    with pytest.raises(TooLarge):
        db.call(
            organisation.set_image,
            actor_id=admin.id,
            kind=kind,
            data=PNG + b"\x00" * organisation.MAX_IMAGE_BYTES,
            now=NOW,
        )
    saved = db.call(organisation.set_image, actor_id=admin.id, kind=kind, data=PNG, now=NOW)
    signed = db.call(
        organisation.set_image, actor_id=admin.id, kind=organisation.ImageKind.SIGNATURE, data=JPEG, now=NOW
    )
    assert saved.logo_sha256 and signed.signature_sha256 and signed.logo_sha256 == saved.logo_sha256
    image = db.call(organisation.current_image, kind=kind, sha256=saved.logo_sha256, write=False)
    assert (image.content_type, image.data) == ("image/png", PNG)
    removed = db.call(organisation.remove_image, actor_id=admin.id, kind=kind, now=NOW)
    assert removed.logo_sha256 is None
    with pytest.raises(Exception, match="No such image"):
        db.call(organisation.current_image, kind=kind, sha256=saved.logo_sha256, write=False)


def test_a_change_in_one_process_reaches_another_within_the_freshness_window(
    services: Services, settings: object, make_user: Callable[..., UserView]
) -> None:
    """Two app processes: each Services has its own database engine and process caches on the same database."""
    other = Services.build(services.settings)
    try:
        admin = make_user("admin@example.org", "admin")
        read_at = 1000.0
        before = other.db.call(organisation.identity, now=read_at, write=False)
        assert before.name == "examengine"
        services.db.call(organisation.change, actor_id=admin.id, changes=GOOD, now=NOW)
        assert services.db.call(organisation.identity, write=False).name == "Northwind Certification Board", (
            "the process that made the change sees it at once"
        )
        within = other.db.call(organisation.identity, now=read_at + FRESH_SECONDS - 0.5, write=False)
        assert within.name == "examengine"
        after = other.db.call(organisation.identity, now=read_at + FRESH_SECONDS, write=False)
        assert after.name == "Northwind Certification Board" and after.version == 1
        assert organisation.cached_identity(other.caches, now=read_at + FRESH_SECONDS + 0.1) == after
    finally:
        other.db.dispose()
