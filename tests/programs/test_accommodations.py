"""Accommodation requests through the API (API.md "Accommodation requests"): what a request must hold, who sees it
(404 for anyone else), evidence rules, decisions (less than asked, never more, a reason to deny, never one's own,
once only even when reviewers race), and an audit trail that never holds the statement."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from examengine.audit.kinds import AuditKind
from examengine.context import Services
from examengine.errors import Conflict
from examengine.programs import accommodation_decisions
from examengine.programs.models import SchemeKind
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.programs.accommodation_helpers import (  # noqa: F401 - the fixtures
    OTHER,
    PDF,
    PNG,
    STATEMENT,
    URL,
    People,
    add_scheme,
    ask,
    asked,
    audit,
    decide,
    people_fixture,
    signed_in,
    upload,
)
from tests.web.browsing import csrf_from


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"scheme": "SAFE", "statement": "s"}, 422, "invalid_body"),
        ({"scheme": "SAFE", "requested": {}, "statement": "s"}, 422, "accommodation_empty"),
        (
            {"scheme": "SAFE", "requested": {"time_multiplier": 1.0, "other": " "}, "statement": "s"},
            422,
            "accommodation_empty",
        ),
        ({"scheme": "SAFE", "requested": {"time_multiplier": 4.5}, "statement": "s"}, 422, "invalid_time_multiplier"),
        ({"scheme": "SAFE", "requested": {"time_multiplier": 0.5}, "statement": "s"}, 422, "invalid_time_multiplier"),
        ({"scheme": "SAFE", "requested": {"extra_minutes": 601}, "statement": "s"}, 422, "invalid_extra_minutes"),
        ({"scheme": "SAFE", "requested": {"extra_minutes": -5}, "statement": "s"}, 422, "invalid_extra_minutes"),
        ({"scheme": "SAFE", "requested": {"other": "x" * 1001}, "statement": "s"}, 422, "other_too_long"),
        ({"scheme": "SAFE", "requested": {"extra_minutes": 10}}, 422, "statement_required"),
        ({"scheme": "SAFE", "requested": {"extra_minutes": 10}, "statement": "  "}, 422, "statement_required"),
        ({"scheme": "SAFE", "requested": {"extra_minutes": 10}, "statement": "s" * 4001}, 422, "statement_too_long"),
        ({"scheme": "NOPE", "requested": {"extra_minutes": 10}, "statement": "s"}, 404, "scheme_not_found"),
    ],
)
def test_a_request_needs_something_in_range_and_a_statement(
    app_client: TestClient, people: People, body: dict[str, Any], status: int, code: str
) -> None:
    refused = app_client.post(URL, headers=people["headers"]["cara"], json=body)
    assert refused.status_code == status, refused.text
    assert refused.json()["error"]["code"] == code


def test_a_request_is_created_submitted_and_only_candidates_ask(
    app_client: TestClient, people: People, services: Services
) -> None:
    created = ask(app_client, people["headers"]["cara"], time_multiplier=4.0, extra_minutes=600, other=OTHER)
    assert created.status_code == 201 and created.json() == {
        "request_id": created.json()["request_id"],
        "status": "submitted",
    }
    assert ask(app_client, people["headers"]["proctor"]).status_code == 403
    add_scheme(services, [], "ATTEND", kind=SchemeKind.CERTIFICATE_OF_ATTENDANCE)
    attendance = ask(app_client, people["headers"]["cara"], scheme="ATTEND")
    assert attendance.status_code == 422 and attendance.json()["error"]["code"] == "scheme_without_exams"
    shown = app_client.get(f"{URL}/{created.json()['request_id']}", headers=people["headers"]["cara"]).json()
    assert shown["requested"] == {"time_multiplier": 4.0, "extra_minutes": 600, "other": OTHER}
    assert shown["status"] == "submitted" and shown["decision"] is None and shown["statement"] == STATEMENT


def test_only_the_candidate_reviewers_and_admins_see_a_request(app_client: TestClient, people: People) -> None:
    headers = people["headers"]
    request_id = asked(app_client, headers["cara"])
    for who in ("cara", "rita", "admin", "both"):
        assert app_client.get(f"{URL}/{request_id}", headers=headers[who]).status_code == 200, who
    for who in ("carl", "nina"):
        hidden = app_client.get(f"{URL}/{request_id}", headers=headers[who])
        assert hidden.status_code == 404 and hidden.json()["error"]["code"] == "accommodation_request_not_found"
    assert app_client.get(f"{URL}/{request_id}", headers=headers["proctor"]).status_code == 403
    assert app_client.get(f"{URL}/{'0' * 32}", headers=headers["rita"]).status_code == 404

    mine = app_client.get(URL, params={"mine": "true"}, headers=headers["cara"]).json()
    assert [i["request_id"] for i in mine["items"]] == [request_id] and mine["next_cursor"] is None
    assert app_client.get(URL, params={"mine": "true"}, headers=headers["carl"]).json()["items"] == []
    assert app_client.get(URL, headers=headers["carl"]).json()["items"] == []  # only ever one's own
    queue = app_client.get(URL, params={"status": "submitted", "scheme": "SAFE"}, headers=headers["rita"]).json()
    assert [i["request_id"] for i in queue["items"]] == [request_id]
    assert app_client.get(URL, params={"status": "approved"}, headers=headers["admin"]).json()["items"] == []
    assert app_client.get(URL, params={"scheme": "NOPE"}, headers=headers["rita"]).status_code == 404
    assert app_client.get(URL, params={"status": "lost"}, headers=headers["rita"]).status_code == 422


def test_the_list_pages_with_a_cursor(app_client: TestClient, people: People) -> None:
    ids = [asked(app_client, people["headers"]["cara"], extra_minutes=n) for n in (5, 10, 15)]
    first = app_client.get(URL, params={"limit": 2}, headers=people["headers"]["rita"]).json()
    rest = app_client.get(
        URL, params={"limit": 2, "cursor": first["next_cursor"]}, headers=people["headers"]["rita"]
    ).json()
    listed = [i["request_id"] for i in first["items"] + rest["items"]]
    assert sorted(listed) == sorted(ids) and len(set(listed)) == 3 and rest["next_cursor"] is None


def test_evidence_is_the_requesters_while_undecided_and_private(app_client: TestClient, people: People) -> None:
    headers = people["headers"]
    request_id = asked(app_client, headers["cara"])
    added = upload(app_client, headers["cara"], request_id, name="../../letter from Dr. Ö.pdf")
    assert added.status_code == 201, added.text
    evidence_id = added.json()["evidence_id"]
    assert added.json()["content_type"] == "application/pdf" and added.json()["filename"] == "letter from Dr. Ö.pdf"
    wrong = upload(app_client, headers["cara"], request_id, data=b"<html><script>", name="x.pdf")
    assert wrong.status_code == 415 and wrong.json()["error"]["code"] == "evidence_type"
    assert upload(app_client, headers["carl"], request_id).status_code == 404
    assert upload(app_client, headers["both"], request_id).json()["error"]["code"] == "not_requester"
    assert upload(app_client, headers["rita"], request_id).status_code == 403  # no candidate role: the route's gate

    api, page = f"{URL}/{request_id}/evidence/{evidence_id}", f"/accommodations/{request_id}/evidence/{evidence_id}"
    for who in ("cara", "rita", "admin"):
        for got in (app_client.get(api, headers=headers[who]), signed_in(app_client, who).get(page)):
            assert got.status_code == 200 and got.content == PDF, who
            assert got.headers["content-type"] == "application/pdf"
            assert got.headers["content-disposition"].startswith("attachment;")
            assert got.headers["x-content-type-options"] == "nosniff"
    assert app_client.get(api, headers=headers["carl"]).status_code == 404
    assert signed_in(app_client, "carl").get(page).status_code == 404
    assert app_client.get(api, headers=headers["proctor"]).status_code == 403
    other = asked(app_client, headers["carl"])
    assert app_client.get(f"{URL}/{other}/evidence/{evidence_id}", headers=headers["rita"]).status_code == 404
    listed = app_client.get(f"{URL}/{request_id}", headers=headers["rita"]).json()["evidence"]
    assert [e["evidence_id"] for e in listed] == [evidence_id]

    assert decide(app_client, headers["rita"], request_id, decision="approve").status_code == 200
    late = upload(app_client, headers["cara"], request_id, data=PNG, name="b.png")
    assert late.status_code == 409 and late.json()["error"]["code"] == "request_decided"


def test_approval_grants_what_was_asked_or_less_never_more(app_client: TestClient, people: People) -> None:
    headers = people["headers"]
    full = asked(app_client, headers["cara"], time_multiplier=1.5, extra_minutes=30, other=OTHER)
    for more in ({"time_multiplier": 2.0}, {"extra_minutes": 45}, {"time_multiplier": 1.5, "extra_minutes": 31}):
        refused = decide(app_client, headers["rita"], full, decision="approve", approved=more, reason="")
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "more_than_requested", more
    nothing = decide(app_client, headers["rita"], full, decision="approve", approved={"time_multiplier": 1.0})
    assert nothing.status_code == 422 and nothing.json()["error"]["code"] == "accommodation_empty"
    less = decide(
        app_client, headers["rita"], full, decision="approve", approved={"time_multiplier": 1.25}, reason="Less."
    )
    assert less.status_code == 200, less.text
    body = less.json()
    assert body["status"] == "approved" and body["approved"] == {
        "time_multiplier": 1.25,
        "extra_minutes": 0,
        "other": None,
    }
    assert body["decision"]["decision"] == "approve" and body["decision"]["appeal_until"] is None
    again = decide(app_client, headers["admin"], full, decision="deny", reason="Changed my mind.")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_decided"

    time_only = asked(app_client, headers["carl"], extra_minutes=20)
    extra = decide(
        app_client, headers["admin"], time_only, decision="approve", approved={"extra_minutes": 20, "other": "a scribe"}
    )
    assert extra.status_code == 422 and extra.json()["error"]["code"] == "more_than_requested"
    as_asked = decide(app_client, headers["admin"], time_only, decision="approve")
    assert as_asked.status_code == 200
    assert as_asked.json()["approved"] == {"time_multiplier": 1.0, "extra_minutes": 20, "other": None}


def test_a_denial_needs_a_reason_and_opens_the_appeal_period(app_client: TestClient, people: People) -> None:
    headers = people["headers"]
    request_id = asked(app_client, headers["cara"])
    for reason in (None, "", "   "):
        body = {"decision": "deny"} if reason is None else {"decision": "deny", "reason": reason}
        refused = decide(app_client, headers["rita"], request_id, **body)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "reason_required"
    assert decide(app_client, headers["rita"], request_id, decision="maybe").status_code == 422
    denied = decide(app_client, headers["rita"], request_id, decision="deny", reason="No evidence of need.")
    assert denied.status_code == 200
    decision = denied.json()["decision"]
    decided_at = datetime.fromisoformat(decision["decided_at"])
    assert datetime.fromisoformat(decision["appeal_until"]) - decided_at == timedelta(days=30)
    assert decision["reason"] == "No evidence of need." and denied.json()["status"] == "denied"
    seen = app_client.get(f"{URL}/{request_id}", headers=headers["cara"]).json()
    assert seen["decision"]["reason"] == "No evidence of need."


def test_nobody_decides_their_own_request_and_candidates_decide_none(app_client: TestClient, people: People) -> None:
    headers = people["headers"]
    own = asked(app_client, headers["both"])
    refused = decide(app_client, headers["both"], own, decision="approve")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_request"
    assert decide(app_client, headers["cara"], own, decision="approve").status_code == 403
    assert decide(app_client, headers["proctor"], own, decision="approve").status_code == 403
    assert decide(app_client, headers["rita"], own, decision="approve").status_code == 200


def test_racing_reviewers_decide_a_request_once(app_client: TestClient, people: People, services: Services) -> None:
    request_id = asked(app_client, people["headers"]["cara"])
    reviewers = [people["users"][name].id for name in ("rita", "admin", "both")] * 2

    def one(reviewer_id: str) -> str:
        try:
            services.db.call(
                accommodation_decisions.decide,
                request_id=request_id,
                actor_id=reviewer_id,
                roles={"eligibility_reviewer"},
                decision="deny",
                reason="Denied in a race.",
                approved=None,
                now=datetime.now(UTC),
            )
        except Conflict as error:
            return error.code
        return "decided"

    with ThreadPoolExecutor(max_workers=len(reviewers)) as pool:
        outcomes = list(pool.map(one, reviewers))
    assert sorted(outcomes) == ["already_decided"] * (len(reviewers) - 1) + ["decided"]
    decided = [r for r in audit(services, AuditKind.ACCOMMODATION_DECIDED) if r.subject.endswith(request_id)]
    assert len(decided) == 1


def test_the_audit_trail_records_requests_and_decisions_without_the_statement(
    app_client: TestClient, people: People, services: Services
) -> None:
    headers = people["headers"]
    request_id = asked(app_client, headers["cara"], time_multiplier=1.5, other=OTHER)
    decide(app_client, headers["rita"], request_id, decision="approve", approved={"time_multiplier": 1.25})
    requested = audit(services, AuditKind.ACCOMMODATION_REQUESTED)
    decided = audit(services, AuditKind.ACCOMMODATION_DECIDED)
    assert [r.subject for r in requested] == [f"accommodation_request:{request_id}"]
    assert requested[0].actor_id == people["users"]["cara"].id
    assert requested[0].detail == {"scheme": "SAFE", "time_multiplier": 1.5, "extra_minutes": 0, "other_needs": True}
    assert decided[0].actor_id == people["users"]["rita"].id and decided[0].detail["decision"] == "approve"
    assert decided[0].detail["granted"]["time_multiplier"] == 1.25
    for record in (*requested, *decided):
        assert "CANARY" not in repr(record.detail)
    shown = signed_in(app_client, "admin").get("/admin/audit")
    assert "Accommodation requested" in shown.text and "Accommodation request decided" in shown.text
    assert "CANARY" not in shown.text


def test_the_page_refuses_beside_the_field_keeps_what_was_typed_and_takes_a_large_file(
    app_client: TestClient, people: People
) -> None:
    cara = signed_in(app_client, "cara")
    token = csrf_from(cara.get("/accommodations"))
    form = {"csrf_token": token, "scheme": "SAFE", "time_multiplier": "9", "extra_minutes": "", "other": OTHER}
    refused = cara.post("/accommodations", data={**form, "statement": STATEMENT})
    assert refused.status_code == 422
    assert 'id="time_multiplier-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert STATEMENT in refused.text and 'value="9"' in refused.text and OTHER in refused.text
    letter = b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024)
    sent = cara.post(
        "/accommodations",
        data={**form, "time_multiplier": "1.5", "statement": STATEMENT},
        files={"evidence": ("letter.pdf", letter, "application/pdf")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    mine = app_client.get(URL, params={"mine": "true"}, headers=people["headers"]["cara"]).json()["items"]
    assert [e["size"] for e in mine[0]["evidence"]] == [len(letter)]
    shown = cara.get(sent.headers["location"]).text
    assert "Your request was sent to the reviewers." in shown and "letter.pdf" in shown
    reviewer = signed_in(app_client, "rita")
    page = f"/review/accommodations/{mine[0]['request_id']}"
    token = csrf_from(reviewer.get(page))
    denied = reviewer.post(f"{page}/decision", data={"csrf_token": token, "form": "deny", "reason": " "})
    assert denied.status_code == 422 and 'id="deny-reason-error"' in denied.text
    own = signed_in(app_client, "both")
    own_id = asked(app_client, people["headers"]["both"])
    assert "This is your own request" in own.get(f"/review/accommodations/{own_id}").text
    assert signed_in(app_client, "carl").get(page).status_code == 403
