"""The appeal pages through TestClient, on both engines: the same rules as the API behind each form (404 for a
decision about someone else or an appeal one may not see, 403 for a reviewer who is not the assigned one), refusals
shown beside their fields with what was typed kept, and the appellant's text escaped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs import appeals
from examengine.programs.appeal_models import AppealSubject
from tests.conftest import TEST_PASSWORD
from tests.programs.appeal_world import World, file_now, make_world
from tests.web.browsing import log_in, post_form


@pytest.fixture
def world(services: Services, make_user: Callable[..., UserView]) -> World:
    return make_world(services, make_user)


def client_of(app_client: TestClient, user: UserView) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, user.email, TEST_PASSWORD).status_code == 303
    return client


def test_the_appellant_files_through_the_form(app_client: TestClient, world: World) -> None:
    application_id = world.application()
    mine = client_of(app_client, world.appellant)
    form = f"/appeals/new?subject_type=application&subject_id={application_id}"
    shown = mine.get(form)
    assert shown.status_code == 200 and "The experience is not documented." in shown.text and "Appeal by" in shown.text
    assert client_of(app_client, world.other).get(form).status_code == 404
    assert mine.get("/appeals/new?subject_type=verdict&subject_id=x").status_code == 404
    typed = {"subject_type": "application", "subject_id": application_id, "grounds": "new_evidence", "statement": " "}
    refused = post_form(mine, "/appeals", typed, from_page=form)
    assert refused.status_code == 422
    assert 'id="statement-error">A statement is required.' in refused.text
    assert '<option value="new_evidence" selected>' in refused.text
    no_grounds = post_form(mine, "/appeals", {**typed, "grounds": "", "statement": "x"}, from_page=form)
    assert no_grounds.status_code == 422 and 'id="grounds-error"' in no_grounds.text
    filed = post_form(
        mine, "/appeals", {**typed, "statement": "<script>alert(1)</script> read my letter"}, from_page=form
    )
    assert filed.status_code == 303 and filed.headers["location"] == "/appeals?filed=1"
    listed = mine.get("/appeals?filed=1")
    assert "Your appeal was filed." in listed.text and "Safety Professional" in listed.text and ">filed<" in listed.text
    again = post_form(mine, "/appeals", {**typed, "statement": "again"}, from_page=form)
    assert again.status_code == 409 and "already open" in again.text
    chief = client_of(app_client, world.chief)
    appeal_id = world.call(appeals.open_appeal, subject_type=AppealSubject.APPLICATION, subject_id=application_id)
    reviewer_page = chief.get(f"/review/appeals/{appeal_id}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; read my letter" in reviewer_page.text
    assert "<script>alert(1)" not in reviewer_page.text


def test_assigning_and_deciding_through_the_pages(app_client: TestClient, world: World) -> None:
    appeal_id = file_now(world, AppealSubject.APPLICATION, world.application()).id
    chief = client_of(app_client, world.chief)
    listing = chief.get("/admin/appeals")
    assert listing.status_code == 200 and "Rita Reviewer" in listing.text
    assert f'value="{world.appellant.id}"' not in listing.text  # the appellant is never offered
    conflict = post_form(
        chief, f"/admin/appeals/{appeal_id}/assign", {"reviewer_id": world.decider.id}, from_page="/admin/appeals"
    )
    assert conflict.status_code == 409 and f'id="reviewer-{appeal_id}-error"' in conflict.text
    assert f'<option value="{world.decider.id}" selected>' not in conflict.text  # the decider is not offered either
    assigned = post_form(
        chief, f"/admin/appeals/{appeal_id}/assign", {"reviewer_id": world.reviewer.id}, from_page="/admin/appeals"
    )
    assert assigned.status_code == 303
    assert ">assigned<" in chief.get("/admin/appeals?status=assigned").text
    assert f"/review/appeals/{appeal_id}" not in chief.get("/admin/appeals?status=filed").text

    assert client_of(app_client, world.reviewer2).get(f"/review/appeals/{appeal_id}").status_code == 404
    assert "Record decision" not in chief.get(f"/review/appeals/{appeal_id}").text
    decision = {"outcome": "upheld", "reason": "Right.", "remedy": "reconsider"}
    page = f"/review/appeals/{appeal_id}"
    assert post_form(chief, f"{page}/decision", decision, from_page=page).status_code == 403
    reviewer = client_of(app_client, world.reviewer)
    assert f'href="/review/appeals/{appeal_id}"' in reviewer.get("/review/appeals").text
    assert "The experience is not documented." in reviewer.get(page).text
    unfit = post_form(reviewer, f"{page}/decision", {**decision, "remedy": "reinstate"}, from_page=page)
    assert unfit.status_code == 422 and 'id="remedy-error"' in unfit.text and ">Right.</textarea>" in unfit.text
    decided = post_form(reviewer, f"{page}/decision", decision, from_page=page)
    assert decided.status_code == 303
    after = reviewer.get(f"{page}?decided=1")
    assert "The appeal was decided." in after.text and "Record decision" not in after.text
    mine = client_of(app_client, world.appellant).get("/appeals")
    assert ">upheld<" in mine.text and "reconsider" in mine.text


def test_the_admin_page_counts_a_period(app_client: TestClient, world: World) -> None:
    file_now(world, AppealSubject.APPLICATION, world.application())
    chief = client_of(app_client, world.chief)
    today = datetime.now(UTC).date()
    counted = chief.get(f"/admin/appeals?from={today}&to={today}")
    assert "<dt>Filed</dt><dd>1</dd>" in counted.text and f'value="{today}"' in counted.text
    later = chief.get(f"/admin/appeals?from={today + timedelta(days=1)}")
    assert "<dt>Filed</dt><dd>0</dd>" in later.text
    wrong = chief.get("/admin/appeals?from=13/2026")
    assert 'id="from-error">Enter a date as YYYY-MM-DD.' in wrong.text and "<dt>Filed</dt><dd>1</dd>" in wrong.text
