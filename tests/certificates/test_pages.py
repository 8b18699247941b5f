"""Certificate pages: the candidate's own (from the result page and My exams), public verification, admin."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from starlette.testclient import TestClient

from examengine import organisation
from examengine.app import create_app
from examengine.certificates.codes import grouped
from examengine.certificates.models import Certificate
from examengine.settings import Settings, SettingsError
from tests.certificates.conftest import passed_attempt
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT, Program
from tests.web.browsing import csrf_from, log_in, post_form

QR = re.compile(r'<svg role="img" aria-label="QR code linking to the verification page of certificate ([0-9A-Z-]+)"')


def signed_in(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, email, TEST_PASSWORD).status_code == 303
    return client


def test_a_candidate_submits_a_pass_and_follows_the_links_to_the_certificate(
    app_client: TestClient, program: Program
) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.begin(sitting_id, program.candidates[0], PERFECT)
    client = signed_in(app_client, "cand0@example.org")
    review = client.get(f"/candidate/attempts/{attempt_id}/review")
    done = client.post(
        f"/candidate/attempts/{attempt_id}/submit",
        data={"csrf_token": csrf_from(review), "confirm": "yes"},
        follow_redirects=True,
    )
    assert "<strong>Pass</strong>" in done.text
    link = re.search(r'href="(/candidate/certificates/[0-9A-Z-]+)">View your certificate<', done.text)
    assert link is not None
    page = client.get(link.group(1))
    assert page.status_code == 200
    code = link.group(1).rsplit("/", 1)[1]
    qr = QR.search(page.text)
    assert qr is not None and qr.group(1) == code
    assert f'<dd class="certificate-code">{code}</dd>' in page.text
    assert "Candidate 0" in page.text and "Scoring" in page.text and "SCORE-1" in page.text
    assert f"http://testserver/verify/{code}" in page.text  # no public URL configured: the request's own
    assert '<link rel="stylesheet" href="/static/app/certificate.css">' in page.text
    assert "@media print" in client.get("/static/app/certificate.css").text
    assert f'href="/candidate/certificates/{code}">View your certificate for Scoring<' in client.get("/candidate").text
    assert f'href="/candidate/certificates/{code}">Scoring<' in client.get("/candidate/certificates").text


def test_a_failing_candidate_gets_no_certificate_link(app_client: TestClient, program: Program) -> None:
    _, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[1], {"q1": "A"})
    client = signed_in(app_client, "cand1@example.org")
    done = client.get(f"/candidate/attempts/{attempt_id}/done")
    assert "Not passed" in done.text and "View your certificate" not in done.text
    assert "You have no certificates yet." in client.get("/candidate/certificates").text


def test_only_the_holder_sees_the_candidate_page(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    assert signed_in(app_client, "cand0@example.org").get(f"/candidate/certificates/{code.lower()}").status_code == 200
    other = signed_in(app_client, "cand1@example.org")
    assert other.get(f"/candidate/certificates/{code}").status_code == 404
    assert code not in other.get("/candidate/certificates").text
    assert signed_in(app_client, "admin@example.org").get(f"/candidate/certificates/{code}").status_code == 403


def test_anyone_verifies_a_code_without_signing_in(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    anonymous = TestClient(app_client.app)
    form = anonymous.get("/verify")
    assert form.status_code == 200 and '<label for="code">Verification code' in form.text
    assert "No certificate" not in form.text and "Valid certificate" not in form.text
    for answered in (anonymous.get(f"/verify/{code}"), anonymous.get("/verify", params={"code": code.lower()})):
        assert answered.status_code == 200
        assert '<h2 id="verification-heading">Valid certificate</h2>' in answered.text
        assert "<dd>Candidate 0</dd>" in answered.text and "<dd>Scoring (SCORE-1)</dd>" in answered.text
        assert f'<dd class="certificate-code">{code}</dd>' in answered.text
    for unknown in ("0000-0000-0000-0000", "<script>"):
        refused = anonymous.get("/verify", params={"code": unknown})
        assert refused.status_code == 404 and "No certificate with this code" in refused.text
        assert "<script>" not in refused.text  # what was typed is shown escaped
    assert anonymous.get("/verify/0000-0000-0000-0000").status_code == 404


def test_an_admin_finds_and_revokes_a_certificate_with_a_reason(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    admin = signed_in(app_client, "admin@example.org")
    listing = admin.get("/admin/certificates", params={"q": "candidate 0"})
    assert f'<a href="/admin/certificates/{code}">{code}</a>' in listing.text
    assert "No certificates match this search." in admin.get("/admin/certificates", params={"q": "nobody"}).text
    detail = admin.get(f"/admin/certificates/{code}")
    assert detail.status_code == 200 and "Reason for revoking" in detail.text and QR.search(detail.text)
    path = f"/admin/certificates/{code}/revoke"
    blank = post_form(admin, path, {"reason": "   "}, from_page=f"/admin/certificates/{code}")
    assert blank.status_code == 422 and "Give the reason for revoking the certificate." in blank.text
    assert "Valid certificate" in TestClient(app_client.app).get(f"/verify/{code}").text
    revoked = post_form(admin, path, {"reason": "Impersonation at the test centre."}, from_page="/admin/certificates")
    assert revoked.status_code == 303 and revoked.headers["location"] == f"/admin/certificates/{code}?revoked=1"
    shown = admin.get(revoked.headers["location"])
    assert "The certificate was revoked." in shown.text and "Reason for revoking" not in shown.text
    assert "Impersonation at the test centre." in shown.text and "by Test User" in shown.text
    again = post_form(admin, path, {"reason": "Twice."}, from_page="/admin/certificates")
    assert again.status_code == 409 and "already revoked" in again.text
    public = TestClient(app_client.app).get(f"/verify/{code}")
    assert public.status_code == 200 and "Revoked certificate" in public.text
    assert "Impersonation at the test centre." in public.text
    candidate_page = signed_in(app_client, "cand0@example.org").get(f"/candidate/certificates/{code}")
    assert "This certificate was revoked on" in candidate_page.text and 'class="certificate-stamp">Revoked<' in (
        candidate_page.text
    )


@pytest.fixture
def public_client(settings: Settings, app_client: TestClient) -> Iterator[TestClient]:
    configured = replace(settings, public_url="https://certs.example.org")
    with TestClient(create_app(configured), base_url="http://internal:8000") as client:
        yield client


def test_the_public_url_setting_is_what_the_certificate_prints(
    public_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    code = grouped(certified[1].code)
    log_in(public_client, "cand0@example.org", TEST_PASSWORD)
    page = public_client.get(f"/candidate/certificates/{code}")
    assert f"https://certs.example.org/verify/{code}" in page.text and "internal:8000" not in page.text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", None),
        ("https://certs.example.org", "https://certs.example.org"),
        ("https://certs.example.org/exams/", "https://certs.example.org/exams"),
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("certs.example.org", SettingsError),
        ("ftp://certs.example.org", SettingsError),
        ("https://certs.example.org/?a=1", SettingsError),
    ],
)
def test_the_public_url_must_be_an_http_address(raw: str, expected: str | type[Exception] | None) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected, match="EXAMENGINE_PUBLIC_URL"):
            Settings.from_env({"EXAMENGINE_PUBLIC_URL": raw})
    else:
        assert Settings.from_env({"EXAMENGINE_PUBLIC_URL": raw}).public_url == expected


def test_a_second_candidate_passing_gets_a_separate_certificate(app_client: TestClient, program: Program) -> None:
    first = passed_attempt(program, who=0)
    second = passed_attempt(program, who=1)
    codes = []
    for who, attempt_id in ((0, first), (1, second)):
        client = signed_in(app_client, f"cand{who}@example.org")
        client.post(
            f"/candidate/attempts/{attempt_id}/submit",
            data={"csrf_token": csrf_from(client.get("/candidate")), "confirm": "yes"},
        )
        found = re.search(
            r"/candidate/certificates/([0-9A-Z-]+)", client.get(f"/candidate/attempts/{attempt_id}/done").text
        )
        codes.append(found.group(1) if found else None)
    assert None not in codes and codes[0] != codes[1]


def test_certificate_dates_are_the_organisations_local_dates(
    app_client: TestClient, program: Program, certified: tuple[str, Certificate]
) -> None:
    issued_at = certified[1].issued_at
    # a zone where the issue falls on another calendar day than in UTC, whatever the hour the test runs at
    zone = "Pacific/Kiritimati" if issued_at.hour >= 10 else "Pacific/Pago_Pago"
    local = issued_at.astimezone(ZoneInfo(zone))
    assert local.date() != issued_at.date()
    changes = organisation.IdentityChanges("Northwind Board", "", "#0b57a4", zone, "", "")
    program.call(organisation.change, actor_id=program.admin.id, changes=changes, now=datetime.now(UTC))
    code = grouped(certified[1].code)
    expected = f'">{local.day} {local:%B %Y}</time>'
    assert expected in TestClient(app_client.app).get(f"/verify/{code}").text
    assert expected in signed_in(app_client, "cand0@example.org").get(f"/candidate/certificates/{code}").text
