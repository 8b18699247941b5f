"""Each path that releases a pass awards the scheme's credential: the candidate's submit with immediate release
(workflows.finish) and the admin's release through the API; and a certificate of attendance's page says nothing
of an assessment. Both engines."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs import credentials
from examengine.programs.models import SchemeKind
from examengine.workflows import finish
from tests.api.test_exams_api import bearer
from tests.conftest import TEST_PASSWORD, run_async
from tests.programs.credential_helpers import as_principal, attach_exam, make_scheme, stored
from tests.programs.test_credentials_api import stored_number
from tests.scoring.conftest import PERFECT, Program, program  # noqa: F401 - the fixture
from tests.web.browsing import log_in

Maker = Callable[..., UserView]


def test_submitting_a_pass_with_immediate_release_awards_the_credential(
    program: Program,  # noqa: F811
    app_client: TestClient,
) -> None:
    exam_id, sitting_id = program.exam(essay=False)
    scheme = make_scheme(program.services, cycle="P3Y")
    attach_exam(program.services, scheme, exam_id)
    holder = program.candidates[0]
    attempt_id = program.begin(sitting_id, holder, PERFECT)
    submit = functools.partial(
        finish.submit_and_finish,
        program.services.db,
        attempt_id=attempt_id,
        who=as_principal(holder),
        now=datetime.now(UTC),
    )
    assert run_async(submit).result is not None
    credential = stored(program.services, stored_number(program.services))
    assert credential.attempt_id == attempt_id and credential.user_id == holder.id
    assert log_in(app_client, holder.email, TEST_PASSWORD).status_code == 303
    page = app_client.get(f"/credentials/{credential.number}")
    assert page.status_code == 200 and "/candidate/certificates/" in page.text  # its printable certificate


def test_the_admins_release_awards_the_credential(program: Program, app_client: TestClient) -> None:  # noqa: F811
    exam_id, sitting_id = program.exam(essay=False, result_release="manual")
    scheme = make_scheme(program.services, cycle="P3Y")
    attach_exam(program.services, scheme, exam_id)
    attempt_id = program.take(sitting_id, program.candidates[0], PERFECT)
    assert stored_number(program.services) == "None"  # nothing before the release
    released = app_client.post(
        f"/api/v1/exams/{exam_id}/release", headers=bearer(app_client, program.admin.email), json={"version": 1}
    )
    assert released.status_code == 200, released.text
    assert stored(program.services, stored_number(program.services)).attempt_id == attempt_id


def test_a_certificate_of_attendance_shows_no_assessment(
    app_client: TestClient, services: Services, make_user: Maker
) -> None:
    admin = make_user("admin@example.org", "admin")
    holder = make_user("holder@example.org", "candidate", name="Hal Holder")
    make_scheme(services, "CONF", kind=SchemeKind.CERTIFICATE_OF_ATTENDANCE, cycle=None, recertification=None)
    views = services.db.call(
        credentials.award_attendance,
        code="CONF",
        user_ids=[holder.id],
        event="Summit 2026",
        attended_on=date(2026, 11, 20),
        actor_id=admin.id,
        now=datetime.now(UTC),
    )
    assert log_in(app_client, holder.email, TEST_PASSWORD).status_code == 303
    for path in ("/credentials", f"/credentials/{views[0].number}"):
        page = app_client.get(path)
        assert page.status_code == 200
        main = page.text.split('<main id="main"', 1)[1]
        assert "Certificate of attendance" in main and "Summit 2026" in main
        assert not re.search(r"score|passed|certified|renew", main, re.IGNORECASE), path
    assert app_client.get("/credentials/CONF-2026-999999").status_code == 404
