"""Every route of the app against every kind of caller: the table below is the access policy, asserted cell by cell.

A route added to the URL table without an entry here fails the first test, so no route escapes review.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind
from examengine.context import Services
from examengine.web.auth import CSRF_COOKIE
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

# route name -> who may call it ("anyone", "any signed-in user", or role names joined by " or ")
EXPECTED_ACCESS = {
    "home": "anyone",
    "account.login": "anyone",
    "account.login_submit": "anyone",
    "account.logout": "anyone",
    "account.forgot": "anyone",
    "account.forgot_submit": "anyone",
    "account.reset": "anyone",
    "account.reset_submit": "anyone",
    "account.detail": "any signed-in user",
    "account.password": "any signed-in user",
    "admin.users": "admin",
    "admin.users.create": "admin",
    "admin.users.new": "admin",
    "admin.users.import": "admin",
    "admin.users.import_submit": "admin",
    "admin.users.detail": "admin",
    "admin.users.roles": "admin",
    "admin.users.password": "admin",
    "admin.users.disable": "admin",
    "admin.users.enable": "admin",
    "admin.audit": "admin",
    "api.audit": "admin",
    "admin.exams": "admin",
    "admin.exams.create": "admin",
    "admin.exams.new": "admin",
    "admin.exams.detail": "admin",
    "admin.exams.publish": "admin",
    "admin.blueprints.new": "admin",
    "admin.blueprints.create": "admin",
    "admin.blueprints.pool": "admin",
    "admin.exams.blueprint": "admin",
    "admin.exams.blueprint_save": "admin",
    "admin.exams.forms": "admin",
    "admin.exams.forms_review": "admin",
    "admin.sittings.new": "admin",
    "admin.sittings.create": "admin",
    "admin.analysis": "admin",
    "admin.analysis.save": "admin",
    "admin.analysis.upload": "admin",
    "admin.analysis.upload_submit": "admin",
    "admin.standards": "admin",
    "admin.standards.create": "admin",
    "admin.standards.detail": "admin",
    "admin.standards.judges": "admin",
    "admin.standards.rounds": "admin",
    "judge.home": "any signed-in user",
    "judge.study": "any signed-in user",
    "judge.rate": "any signed-in user",
    "api.health": "anyone",
    "api.openapi": "anyone",
    "api.auth.token_create": "anyone",
    "api.auth.password_reset": "anyone",
    "api.auth.password_reset_confirm": "anyone",
    "api.auth.token_revoke": "any signed-in user",
    "api.users.create": "admin",
    "api.users.list": "admin",
    "api.users.password": "admin",
    "author.items": "admin or author",
    "author.items.new": "admin or author",
    "author.items.create": "admin or author",
    "author.items.edit": "admin or author",
    "author.items.save": "admin or author",
    "author.editor.preview": "admin or author",
    "author.items.import": "admin or author",
    "author.items.import_submit": "admin or author",
    "author.review": "admin or author",
    "author.review.bulk": "admin or author",
    "author.media": "admin or author",
    "author.items.preview": "admin or author",
    "author.media_upload": "admin or author",
    "author.items.detail": "admin or author",
    "author.items.new_version": "admin or author",
    "author.items.transition": "admin or author",
    "author.items.score": "admin or author",
    "media": "any signed-in user",
    "proctor.sittings": "admin or proctor",
    "proctor.dashboard": "admin or proctor",
    "proctor.timeline": "admin or proctor",
    "proctor.act": "admin or proctor",
    "proctor.announce": "admin or proctor",
    "proctor.sitting_announce": "admin or proctor",
    "candidate.home": "candidate",
    "candidate.start": "candidate",
    "candidate.attempt": "candidate",
    "candidate.item": "candidate",
    "candidate.item_submit": "candidate",
    "candidate.autosave": "candidate",
    "candidate.event": "candidate",
    "candidate.review": "candidate",
    "candidate.sign_out": "candidate",
    "candidate.finish_section": "candidate",
    "candidate.submit": "candidate",
    "candidate.done": "candidate",
    "candidate.live": "candidate",
    "candidate.events": "candidate",
    "candidate.offline": "candidate",
    "api.items.import": "admin or author",
    "api.items.export": "admin or author",
    "api.items.list": "admin or author",
    "api.items.create": "admin or author",
    "api.items.detail": "admin or author",
    "api.items.new_version": "admin or author",
    "api.items.version": "admin or author",
    "api.items.transition": "admin or author",
    "api.items.score": "admin or author",
    "api.exams.create": "admin or author",
    "api.exams.list": "admin or author",
    "api.exams.detail": "admin or author",
    "api.exams.new_version": "admin or author",
    "api.exams.publish": "admin",
    "api.sittings.create": "admin",
    "api.sittings.detail": "admin or proctor",
    "api.sittings.update": "admin",
    "api.sittings.cancel": "admin",
    "api.sittings.enrol": "admin",
    "api.sittings.remove_candidate": "admin",
    "api.exams.sittings": "admin",
    "api.attempts.start": "candidate",
    "api.attempts.result": "admin or candidate",
    "api.exams.results_csv": "admin",
    "api.exams.item_analysis": "admin",
    "api.exams.item_analysis_csv": "admin",
    "api.exams.release": "admin",
    "api.exams.rescore": "admin",
    "api.exams.retake_exceptions": "admin",
    "api.marking.queue": "admin or author or marker",
    "api.marking.claim": "admin or author or marker",
    "api.marking.task": "admin or author or marker",
    "api.marking.mark": "admin or author or marker",
    "marking.queue": "admin or author or marker",
    "marking.next": "admin or author or marker",
    "marking.script": "admin or author or marker",
    "marking.submit": "admin or author or marker",
    "admin.results": "admin",
    "admin.results.csv": "admin",
    "admin.exams.sittings": "admin",
    "admin.sitting": "admin",
    "admin.sitting.update": "admin",
    "admin.sitting.cancel": "admin",
    "admin.sitting.enrol": "admin",
    "admin.sitting.remove": "admin",
    "admin.results.release": "admin",
    "admin.retake_exceptions.create": "admin",
    "admin.termination_decision": "admin",
    "admin.rescore": "admin",
    "admin.rescore.preview": "admin",
    "admin.rescore.apply": "admin",
    "api.attempts.detail": "admin or candidate or proctor",
    "api.attempts.item": "candidate",
    "api.attempts.save": "candidate",
    "api.attempts.flag": "candidate",
    "api.attempts.finish_section": "candidate",
    "api.attempts.next": "candidate",
    "api.attempts.report_event": "candidate",
    "api.attempts.timeline": "admin or proctor",
    "api.attempts.submit": "candidate",
    "api.attempts.pause": "admin or proctor",
    "api.attempts.resume": "admin or proctor",
    "api.attempts.extend": "admin or proctor",
    "api.attempts.credit": "admin or proctor",
    "api.attempts.unlock_device": "admin or proctor",
    "api.sittings.pause": "admin or proctor",
    "api.sittings.announce": "admin or proctor",
    "api.attempts.announce": "admin or proctor",
    "api.sittings.resume": "admin or proctor",
    "proctor.sitting_act": "admin or proctor",
    "api.attempts.terminate": "admin or proctor",
    "api.attempts.termination_decision": "admin",
    "api.attempts.notes": "admin or proctor",
    "api.attempts.admit": "admin or proctor",
    "api.sittings.live": "admin or proctor",
    "candidate.certificates": "candidate",
    "candidate.certificate": "candidate",
    "verify": "anyone",
    "verify.certificate": "anyone",
    "admin.certificates": "admin",
    "admin.certificates.detail": "admin",
    "admin.certificates.revoke": "admin",
    "api.certificates.verify": "anyone",
    "api.certificates.revoke": "admin",
    "admin.organisation": "admin",
    "admin.organisation.save": "admin",
    "admin.organisation.image": "admin",
    "admin.organisation.image_remove": "admin",
    "organisation.logo": "anyone",
    "organisation.signature": "any signed-in user",
    "organisation.theme": "anyone",
    "api.organisation": "anyone",
    "api.organisation.update": "admin",
    "api.organisation.image": "admin",
    "api.organisation.image_delete": "admin",
    # programs: appeals
    "api.appeals.list": "any signed-in user",
    "api.appeals.file": "any signed-in user",
    "api.appeals.summary": "admin",
    "api.appeals.detail": "any signed-in user",
    "api.appeals.assign": "admin",
    "api.appeals.decision": "admin or appeals_reviewer",
    "appeals.mine": "any signed-in user",
    "appeals.file": "any signed-in user",
    "appeals.new": "any signed-in user",
    "admin.appeals": "admin",
    "admin.appeals.assign": "admin",
    "review.appeals": "admin or appeals_reviewer",
    "review.appeal": "admin or appeals_reviewer",
    "review.appeal.decide": "admin or appeals_reviewer",
    # programs: applications
    "api.applications.create": "candidate",
    "api.applications.list": "admin or candidate or eligibility_reviewer",
    "api.applications.detail": "admin or candidate or eligibility_reviewer",
    "api.applications.evidence": "candidate",
    "api.applications.evidence_file": "admin or candidate or eligibility_reviewer",
    "api.applications.submit": "candidate",
    "api.applications.withdraw": "candidate",
    "api.applications.decision": "admin or eligibility_reviewer",
    "applications.apply": "candidate",
    "applications.create": "candidate",
    "applications.mine": "candidate",
    "applications.detail": "candidate",
    "applications.upload": "candidate",
    "applications.attest": "candidate",
    "applications.submit": "candidate",
    "applications.withdraw": "candidate",
    "applications.evidence_file": "admin or candidate or eligibility_reviewer",
    "review.applications": "admin or eligibility_reviewer",
    "review.application": "admin or eligibility_reviewer",
    "review.application_decide": "admin or eligibility_reviewer",
    # programs: schemes
    "api.schemes.create": "admin",
    "api.schemes.list": "any signed-in user",
    "api.schemes.detail": "any signed-in user",
    "api.schemes.handbook": "admin",
    "admin.schemes": "admin",
    "admin.schemes.create": "admin",
    "admin.schemes.new": "admin",
    "admin.schemes.detail": "admin",
    "admin.schemes.handbook": "admin",
    "programs.list": "any signed-in user",
    "programs.detail": "any signed-in user",
    # programs: registry
    "registry": "anyone",
    "credentials.registry": "any signed-in user",
    "credentials.registry_submit": "any signed-in user",
    "api.registry": "anyone",
    "api.credentials.listing": "any signed-in user",
    "api.credentials.ob3": "any signed-in user",
    "api.credentials.ob3_jwt": "any signed-in user",
    "api.jwks": "anyone",
    "api.signing_keys.rotate": "admin",
    "api.status_lists": "anyone",
    # programs: credentials
    "api.credentials.list": "any signed-in user",
    "api.credentials.detail": "any signed-in user",
    "api.credentials.ce": "any signed-in user",
    "api.credentials.cycle": "any signed-in user",
    "api.credentials.renew": "any signed-in user",
    "api.credentials.suspend": "admin",
    "api.credentials.reinstate": "admin",
    "api.credentials.revoke": "admin",
    "api.schemes.attendance": "admin",
    "credentials.mine": "any signed-in user",
    "credentials.detail": "any signed-in user",
    "credentials.ce": "any signed-in user",
    "credentials.renew": "any signed-in user",
    "admin.credentials": "admin",
    "admin.credentials.detail": "admin",
    "admin.credentials.decide": "admin",
    # programs: bookings
    "api.authorizations": "any signed-in user",
    "api.authorizations.sittings": "candidate",
    "api.bookings.create": "candidate",
    "api.bookings.cancel": "candidate",
    "candidate.authorizations": "candidate",
    "candidate.authorization.book": "candidate",
    "candidate.authorization.book_seat": "candidate",
    "candidate.booking.cancel": "candidate",
    "admin.sitting.seats": "admin",
    # programs: accommodations
    "accommodations.mine": "candidate",
    "accommodations.create": "candidate",
    "accommodations.evidence_add": "candidate",
    "accommodations.evidence": "admin or candidate or eligibility_reviewer",
    "review.accommodations": "admin or eligibility_reviewer",
    "review.accommodation": "admin or eligibility_reviewer",
    "review.accommodation_decide": "admin or eligibility_reviewer",
    "api.accommodations.create": "candidate",
    "api.accommodations.list": "admin or candidate or eligibility_reviewer",
    "api.accommodations.detail": "admin or candidate or eligibility_reviewer",
    "api.accommodations.evidence_add": "candidate",
    "api.accommodations.evidence": "admin or candidate or eligibility_reviewer",
    "api.accommodations.decide": "admin or eligibility_reviewer",
    # programs: reports
    "api.attempts.score_report": "admin or candidate",
    "api.attempts.incident_decision": "admin",
    "candidate.score_report": "admin or candidate",
    "admin.incidents": "admin",
    "admin.incidents.decision": "admin",
}
STATIC_MOUNTS = {"static.app", "static.htmx", "static.trix"}
CALLERS = ["anonymous", "candidate", "proctor", "author", "admin"]


def app_routes(client: TestClient) -> list[Route]:
    found = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Mount):
            assert route.name in STATIC_MOUNTS, f"unexpected mount {route.path}"
            continue
        assert isinstance(route, Route)
        found.append(route)
    return found


def test_every_route_has_a_reviewed_access_rule(app_client: TestClient) -> None:
    routes = app_routes(app_client)
    names = [route.name for route in routes]
    assert len(names) == len(set(names)), "route names must be unique"
    assert set(names) == set(EXPECTED_ACCESS), "update EXPECTED_ACCESS for added or removed routes"
    for route in routes:
        assert route.endpoint.access.describe() == EXPECTED_ACCESS[route.name], route.name  # type: ignore[attr-defined]


def example_path(template: str) -> str:
    return re.sub(r"\{([^}:]+)(:int)?\}", lambda m: "7" if m.group(2) else f"x{m.group(1)}", template)


def test_a_route_that_could_take_another_routes_address_comes_after_it(app_client: TestClient) -> None:
    """Starlette takes the first route that matches, so `/admin/users/new` must come before `/admin/users/{user_id}`;
    apart from such pairs the table's order is free (the delivery routes go first, for speed)."""
    routes = app_routes(app_client)
    for later, general in enumerate(routes):
        for earlier, specific in enumerate(routes):
            same_method = bool((general.methods or set()) & (specific.methods or set()))
            if earlier != later and same_method and general.path_regex.match(example_path(specific.path)):
                assert earlier < later, f"{specific.path} is shadowed by {general.path}, which comes before it"


def allowed(rule: str, caller: str) -> bool:
    if rule == "anyone":
        return True
    if caller == "anonymous":
        return False
    return rule == "any signed-in user" or caller in rule.split(" or ")


@pytest.fixture
def callers(app_client: TestClient, make_user: Callable[..., Any], services: Services) -> dict[str, dict[str, object]]:
    """For each kind of caller: a page client with a session (or none), its CSRF token and an API token."""
    found: dict[str, dict[str, object]] = {}
    for caller in CALLERS:
        client = TestClient(app_client.app)
        if caller == "anonymous":
            client.get("/login")
            found[caller] = {"client": client, "csrf": client.cookies[CSRF_COOKIE], "bearer": None, "id": "x" * 32}
            continue
        user = make_user(f"{caller}@example.org", caller)
        assert log_in(client, user.email, TEST_PASSWORD).status_code == 303
        token = services.db.call(
            credentials.issue, user_id=user.id, kind=CredentialKind.API, lifetime=timedelta(hours=1)
        ).token
        found[caller] = {"client": client, "csrf": csrf_from(client.get("/")), "bearer": token, "id": user.id}
    return found


def test_each_route_answers_each_caller_as_the_table_says(
    app_client: TestClient, callers: dict[str, dict[str, object]], make_user: Callable[..., Any]
) -> None:
    target_id = make_user("target@example.org", "candidate").id  # a bystander: admin actions may disable it
    outcomes = []
    for route in app_routes(app_client):
        rule = EXPECTED_ACCESS[route.name]
        path = (
            route.path.replace("{user_id}", str(target_id))
            .replace("{item_id}", "0" * 32)
            .replace("{version:int}", "1")
            .replace("{exam_id}", "0" * 32)
            .replace("{sitting_id}", "0" * 32)
            .replace("{study_id}", "0" * 32)
            .replace("{attempt_id}", "0" * 32)
            .replace("{slot:int}", "1")
            .replace("{script_id}", "S-000000000000")
            .replace("{section:int}", "0")
            .replace("{sha256}", "0" * 64)
            .replace("{code}", "0000-0000-0000-0000")
        )
        for method in sorted((route.methods or {"GET"}) - {"HEAD"}):
            for caller in CALLERS:
                if route.name in {"account.logout", "api.auth.token_revoke"}:
                    continue  # exercised below without ending the callers' sessions mid-table
                info = callers[caller]
                client: TestClient = info["client"]  # type: ignore[assignment]
                headers = {"X-CSRF-Token": str(info["csrf"])}
                if info["bearer"]:
                    headers["Authorization"] = f"Bearer {info['bearer']}"
                response = client.request(method, path, headers=headers, follow_redirects=False)
                status = response.status_code
                to_login = status == 303 and response.headers.get("location", "").startswith("/login?next=")
                if allowed(rule, caller):
                    ok = status not in (401, 403) and not to_login and status < 500
                elif caller == "anonymous":
                    ok = status == 401 if path.startswith("/api/") else to_login
                else:
                    ok = status == 403
                outcomes.append((route.name, method, caller, status, ok))
    failures = [o for o in outcomes if not o[4]]
    assert not failures, failures
    assert len(outcomes) >= 5 * (len(EXPECTED_ACCESS) - 2)


def test_token_revocation_and_logout_need_what_the_table_says(
    app_client: TestClient, callers: dict[str, dict[str, object]]
) -> None:
    anonymous: TestClient = callers["anonymous"]["client"]  # type: ignore[assignment]
    assert anonymous.delete("/api/v1/auth/token").status_code == 401
    candidate = callers["candidate"]
    client: TestClient = candidate["client"]  # type: ignore[assignment]
    bearer = {"Authorization": f"Bearer {candidate['bearer']}"}
    assert client.delete("/api/v1/auth/token", headers=bearer).status_code == 204
    assert client.get("/api/v1/users", headers=bearer).status_code == 401
    logout = client.post("/logout", headers={"X-CSRF-Token": str(candidate["csrf"])}, follow_redirects=False)
    assert logout.status_code == 303
    anonymous_logout = anonymous.post(
        "/logout", headers={"X-CSRF-Token": str(callers["anonymous"]["csrf"])}, follow_redirects=False
    )
    assert anonymous_logout.status_code == 303
