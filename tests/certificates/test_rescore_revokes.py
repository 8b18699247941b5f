"""The rescore workflow both doors call: a result that changes from pass to fail loses its certificate (reason
"rescored"), through the page and through the API alike; a preview revokes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from examengine.certificates.models import Certificate
from tests.api.test_exams_api import bearer
from tests.certificates.conftest import issue
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture
from tests.scoring.test_rescoring import _corrected_q1
from tests.web.browsing import log_in, post_form


def _through_api(app_client: TestClient, exam_id: str, choice: dict[str, str], apply: bool) -> None:
    body = {
        "version": 1,
        "item_id": choice["item_id"],
        "decision": choice["kind"],
        "item_version": int(choice["item_version"]),
        "reason": choice["reason"],
        "apply": apply,
    }
    answer = app_client.post(
        f"/api/v1/exams/{exam_id}/rescore", json=body, headers=bearer(app_client, "admin@example.org")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["certificates_revoked"] == ([answer.json()["pass_fail_changes"][0]] if apply else [])


def _through_page(app_client: TestClient, exam_id: str, choice: dict[str, str], apply: bool) -> None:
    admin = TestClient(app_client.app)
    assert log_in(admin, "admin@example.org", TEST_PASSWORD).status_code == 303
    form_path = f"/admin/exams/{exam_id}/rescore"
    answer = post_form(admin, form_path if apply else f"{form_path}/preview", choice, from_page=form_path)
    assert answer.status_code == 200, answer.text
    assert ("1 certificate(s) of results that no longer pass were revoked" in answer.text) is apply


def _certificate(*, session: Session, certificate_id: str) -> Certificate:
    found = session.get(Certificate, certificate_id)
    assert found is not None
    return found


@pytest.mark.parametrize("door", [_through_api, _through_page], ids=["api", "page"])
def test_a_result_that_no_longer_passes_loses_its_certificate(
    app_client: TestClient,
    program: Program,  # noqa: F811
    door: Callable[[TestClient, str, dict[str, str], bool], None],
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    attempt_id = program.take(sitting_id, program.candidates[0], {**PERFECT, "q3": 41})  # 5/6: passes
    certificate = issue(program, attempt_id)
    assert certificate is not None
    choice = {
        "version": "1",
        "item_id": program.items["q1"],
        "kind": "new_version",  # the corrected key is B: 4/6, fails
        "item_version": str(_corrected_q1(program)),
        "reason": "key was wrong",
    }
    door(app_client, exam_id, choice, False)
    assert program.call(_certificate, certificate_id=certificate.id).revoked_at is None
    door(app_client, exam_id, choice, True)
    revoked = program.call(_certificate, certificate_id=certificate.id)
    assert revoked.revoked_at is not None and revoked.revoked_reason == "rescored"
