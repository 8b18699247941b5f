"""The organisation's identity through both doors: the JSON API and the admin's settings page, then every page's
header, the theme stylesheet and the images."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from tests.certificates.test_api import bearer
from tests.conftest import TEST_PASSWORD
from tests.organisation.test_identity import JPEG, PNG
from tests.web.browsing import csrf_from, log_in

BODY = {
    "name": "Northwind Certification Board",
    "contact_email": "exams@northwind.example",
    "accent_colour": "#1d4ed8",
    "time_zone": "Europe/London",
    "signatory_name": "Ada Byron",
    "signatory_title": "Registrar",
}


def test_the_api_sets_and_anyone_reads_the_identity(app_client: TestClient, make_user: Callable[..., UserView]) -> None:
    make_user("admin@example.org", "admin")
    make_user("cand@example.org", "candidate")
    admin = bearer(app_client, "admin@example.org")
    assert (
        app_client.put("/api/v1/organisation", json=BODY, headers=bearer(app_client, "cand@example.org")).status_code
        == 403
    )
    assert app_client.put("/api/v1/organisation", json=BODY).status_code == 401
    saved = app_client.put("/api/v1/organisation", json=BODY, headers=admin)
    assert saved.status_code == 200, saved.text
    public = app_client.get("/api/v1/organisation")
    assert public.status_code == 200 and public.json() == saved.json()
    assert public.json()["version"] == 1 and public.json()["logo_url"] is None

    pale = app_client.put("/api/v1/organisation", json={**BODY, "accent_colour": "#ffd700"}, headers=admin)
    assert pale.status_code == 422 and pale.json()["error"]["code"] == "accent_contrast_too_low"
    assert "4.5:1" in pale.json()["error"]["message"] and pale.json()["error"]["details"]["suggestion"].startswith("#")
    unknown = app_client.put("/api/v1/organisation", json={**BODY, "motto": "x"}, headers=admin)
    assert unknown.status_code == 422
    assert app_client.get("/api/v1/organisation").json()["accent_colour"] == "#1d4ed8"

    svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    refused = app_client.put("/api/v1/organisation/logo", files={"file": ("logo.svg", svg)}, headers=admin)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "svg_refused"
    huge = app_client.put("/api/v1/organisation/logo", files={"file": ("l.png", PNG + b"\0" * 2**20)}, headers=admin)
    assert huge.status_code == 413
    assert (
        app_client.put("/api/v1/organisation/crest", files={"file": ("l.png", PNG)}, headers=admin).status_code == 404
    )
    logo = app_client.put("/api/v1/organisation/logo", files={"file": ("l.png", PNG)}, headers=admin)
    signature = app_client.put("/api/v1/organisation/signature", files={"file": ("s.jpg", JPEG)}, headers=admin)
    assert logo.status_code == 200 and signature.status_code == 200
    logo_url, signature_url = signature.json()["logo_url"], signature.json()["signature_url"]
    served = app_client.get(logo_url)
    assert served.status_code == 200 and served.content == PNG and served.headers["content-type"] == "image/png"
    anonymous = app_client.get(signature_url, follow_redirects=False)
    assert anonymous.status_code in (302, 303) and anonymous.content != JPEG, "the signature is for signed-in users"
    assert app_client.delete("/api/v1/organisation/logo", headers=admin).json()["logo_url"] is None
    assert app_client.get(logo_url).status_code == 404


def test_every_page_shows_the_identity_and_the_accent(
    app_client: TestClient, make_user: Callable[..., UserView]
) -> None:
    make_user("admin@example.org", "admin")
    admin = bearer(app_client, "admin@example.org")
    app_client.put("/api/v1/organisation", json=BODY, headers=admin)
    logo_url = app_client.put("/api/v1/organisation/logo", files={"file": ("l.png", PNG)}, headers=admin).json()[
        "logo_url"
    ]
    login = app_client.get("/login")
    assert f'<img class="brand-logo" src="{logo_url}" alt="Northwind Certification Board">' in login.text
    assert "<title>" in login.text and "· Northwind Certification Board</title>" in login.text
    assert 'href="/static/organisation/theme.css?v=2"' in login.text
    theme = app_client.get("/static/organisation/theme.css?v=2")
    assert theme.status_code == 200 and theme.headers["content-type"].startswith("text/css")
    assert "--accent: #1d4ed8;" in theme.text
    missing = app_client.get("/no/such/page")
    assert missing.status_code == 404


def test_the_settings_page_saves_and_refuses_beside_the_field(
    app_client: TestClient, make_user: Callable[..., UserView]
) -> None:
    make_user("admin@example.org", "admin")
    log_in(app_client, "admin@example.org", TEST_PASSWORD)
    page = app_client.get("/admin/organisation")
    assert page.status_code == 200 and "Accent colour" in page.text
    token = csrf_from(page)
    bad = app_client.post("/admin/organisation", data={**BODY, "accent_colour": "#767676", "csrf_token": token})
    assert bad.status_code == 422
    assert 'id="accent_colour-error"' in bad.text and "4.5:1" in bad.text
    assert 'value="#767676"' in bad.text, "what was typed stays in the form"
    saved = app_client.post("/admin/organisation", data={**BODY, "csrf_token": token}, follow_redirects=False)
    assert saved.status_code == 303
    after = app_client.get(saved.headers["location"])
    assert "The organisation&#39;s settings were saved." in after.text or "settings were saved" in after.text
    assert '<span class="brand-name">Northwind Certification Board</span>' in after.text
    svg = app_client.post("/admin/organisation/logo", data={"csrf_token": token}, files={"file": ("l.svg", b"<svg/>")})
    assert svg.status_code == 422 and 'id="logo-error"' in svg.text and "SVG" in svg.text
    uploaded = app_client.post(
        "/admin/organisation/signature",
        data={"csrf_token": token},
        files={"file": ("s.png", PNG)},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303
    shown = app_client.get("/admin/organisation")
    assert 'alt="Current signature"' in shown.text
    assert app_client.post("/admin/organisation/signature/remove", data={"csrf_token": token}).status_code == 200
    assert "No signature yet." in app_client.get("/admin/organisation").text
