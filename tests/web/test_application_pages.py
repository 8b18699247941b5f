"""The application pages through TestClient, on both engines: a refusal is shown beside its field with what was
typed kept, a reviewer sees no decision form on their own application, and evidence downloads with the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from examengine.db import Database
from tests.conftest import TEST_PASSWORD
from tests.programs.schemes_for_tests import PDF, insert_scheme
from tests.web.browsing import csrf_from, log_in


def _signed_in(client: TestClient, email: str) -> None:
    client.cookies.clear()
    assert log_in(client, email, TEST_PASSWORD).status_code == 303


def _post(client: TestClient, page: str, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    token = csrf_from(client.get(page))
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False, **kwargs)


def _started(client: TestClient) -> str:
    made = _post(client, "/programs/SAFE/apply", "/programs/SAFE/apply", {"pathway": "degree"})
    assert made.status_code == 303, made.text
    return str(made.headers["location"]).split("?")[0].rsplit("/", 1)[-1]


def test_refusals_beside_their_fields_and_no_form_for_ones_own(
    app_client: TestClient, make_user: Callable[..., Any], db: Database
) -> None:
    make_user("ray@example.org", "candidate", "eligibility_reviewer", name="Ray Both")
    make_user("rita@example.org", "eligibility_reviewer", name="Rita Reviewer")
    insert_scheme(db)
    _signed_in(app_client, "ray@example.org")
    nav = app_client.get("/applications").text
    assert "My applications" in nav and ">Applications</a>" in nav
    none_chosen = _post(app_client, "/programs/SAFE/apply", "/programs/SAFE/apply", {})
    assert none_chosen.status_code == 422 and 'id="pathway-error"' in none_chosen.text
    app_id = _started(app_client)
    page = f"/applications/{app_id}"
    text = _post(
        app_client,
        page,
        f"{page}/evidence",
        {"requirement": "degree"},
        files={"file": ("a.pdf", b"plain text", "application/pdf")},
    )
    assert text.status_code == 415 and 'id="file-degree-error"' in text.text and "PDF, PNG or JPEG" in text.text
    unticked = _post(app_client, page, f"{page}/submit", {})
    assert unticked.status_code == 422 and 'id="handbook-error"' in unticked.text
    missing = _post(app_client, page, f"{page}/submit", {"handbook_version": "2026.1"})
    assert missing.status_code == 409 and "Evidence is still missing" in missing.text
    assert (
        _post(
            app_client,
            page,
            f"{page}/evidence",
            {"requirement": "degree"},
            files={"file": ("degree.pdf", PDF, "application/pdf")},
        ).status_code
        == 303
    )
    assert _post(app_client, page, f"{page}/attest", {"requirement": "experience", "attest": "yes"}).status_code == 303
    assert _post(app_client, page, f"{page}/submit", {"handbook_version": "2026.1"}).status_code == 303
    shown = app_client.get(page).text
    assert "Submitted, waiting for a reviewer" in shown and "Upload for" not in shown
    link = shown.split(f'href="/applications/{app_id}/evidence/', 1)[1].split('"', 1)[0]
    download = app_client.get(f"/applications/{app_id}/evidence/{link}")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-disposition"].startswith("attachment;")
    assert download.headers["x-content-type-options"] == "nosniff"

    own = app_client.get(f"/review/applications/{app_id}").text
    assert "This is your own application" in own and "Record decision" not in own

    _signed_in(app_client, "rita@example.org")
    assert "Ray Both" in app_client.get("/review/applications").text
    review = f"/review/applications/{app_id}"
    typed = "  "
    no_reason = _post(app_client, review, f"{review}/decision", {"decision": "deny", "reason": typed})
    assert no_reason.status_code == 422 and 'id="reason-error"' in no_reason.text
    assert 'value="deny" checked' in no_reason.text
    assert app_client.get(f"/applications/{app_id}").status_code == 403  # the candidate's page: role gate
    decided = _post(app_client, review, f"{review}/decision", {"decision": "deny", "reason": "Not <b>relevant</b>."})
    assert decided.status_code == 303
    after = app_client.get(review).text
    assert "Not &lt;b&gt;relevant&lt;/b&gt;." in after and "Record decision" not in after and "Appeals until" in after
