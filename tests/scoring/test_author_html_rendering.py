"""Author markup is cleaned again where it is shown, even markup stored before the storage cleaner existed:
the marking page's rubric and guidance, the delivery API's item, and media only for those who may see it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col
from starlette.testclient import TestClient

from examengine.accounts.service import UserView
from itembank import media
from itembank.models import ItemVersion, Media
from tests.conftest import TEST_PASSWORD
from tests.scoring.conftest import PERFECT, Program
from tests.security.test_author_html import HOSTILE, active_in, assert_clean
from tests.web.browsing import log_in, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SCRIPT = b"fetch('/api/v1/users', {method: 'POST'})"


def _legacy(program: Program, name: str, **fields: Any) -> None:
    """Store content as an older release did, with no cleaning (the storage cleaner cannot be bypassed now)."""

    def write(*, session: Session) -> None:
        row = session.get(ItemVersion, (program.items[name], 1))
        assert row is not None
        content = {**row.content, **fields}
        session.execute(
            update(ItemVersion)
            .where(col(ItemVersion.item_id) == program.items[name], col(ItemVersion.version) == 1)
            .values(content=content)
        )

    program.call(write)


def _signed_in(app_client: TestClient, email: str) -> TestClient:
    client = TestClient(app_client.app)
    assert log_in(client, email, TEST_PASSWORD).status_code == 303
    return client


def test_the_marking_page_shows_rubric_and_guidance_cleaned(
    app_client: TestClient, program: Program, make_user: Callable[..., UserView]
) -> None:
    make_user("marker@example.org", "marker")
    _legacy(program, "essay", rubrics=[{"view": ["scorer"], "html": HOSTILE}], rationale=HOSTILE)
    _, sitting_id = program.exam()
    program.take(sitting_id, program.candidates[0], PERFECT)
    marker = _signed_in(app_client, "marker@example.org")
    taken = post_form(marker, "/marking/next", {"exam_id": "", "item_id": ""}, from_page="/marking")
    page = marker.get(taken.headers["location"])
    assert page.status_code == 200
    rubric = page.text.split('id="rubric-heading"', 1)[1].split("</section>", 1)[0]
    assert rubric.count("Why") == 2, "both the rubric and the guidance are shown"
    assert active_in(rubric) == []
    assert rubric.count("hx-disable") == 2, "htmx processes nothing inside author markup"


def test_the_delivery_api_returns_the_item_cleaned(
    app_client: TestClient, program: Program, make_user: Callable[..., UserView]
) -> None:
    _legacy(program, "q1", stem=HOSTILE + '<div data-interaction="RESPONSE"></div>')
    _, sitting_id = program.exam()
    candidate = program.candidates[0]
    attempt_id = program.begin(sitting_id, candidate, {})
    token = app_client.post("/api/v1/auth/token", json={"email": candidate.email, "password": TEST_PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    slot = program.slot_of(attempt_id, "q1")
    item = app_client.get(f"/api/v1/attempts/{attempt_id}/items/{slot}", headers=headers)
    assert item.status_code == 200, item.text
    view = item.json()["item"]
    assert "Why" in view["stem"] and '<div data-interaction="RESPONSE"></div>' in view["stem"]
    assert_clean(view)


def _store(program: Program, data: bytes, content_type: str) -> str:
    digest = hashlib.sha256(data).hexdigest()

    def write(*, session: Session) -> None:
        session.add(Media(sha256=digest, content_type=content_type, size=len(data), data=data, original_name="f"))

    program.call(write)
    return f"/media/{digest}"


def test_media_is_served_only_to_who_may_see_an_item_using_it_and_only_if_allowed(
    app_client: TestClient, program: Program, make_user: Callable[..., UserView]
) -> None:
    make_user("marker@example.org", "marker")
    image = program.call(media.store_image, name="a.png", data=PNG)
    script = _store(program, SCRIPT, "text/javascript")  # stored by an older release
    unused = _store(program, PNG + b"unused", "image/png")
    _legacy(
        program, "q1", stem=f'<p><img src="{image}"><img src="{script}"></p><div data-interaction="RESPONSE"></div>'
    )
    _legacy(program, "essay", stem=f'<p><img src="{image}"></p><div data-interaction="RESPONSE"></div>')
    _, sitting_id = program.exam()
    program.begin(sitting_id, program.candidates[0], {})

    def fetch(email: str, url: str) -> Any:
        return _signed_in(app_client, email).get(url)

    shown = fetch(program.candidates[0].email, image)
    assert shown.status_code == 200 and shown.content == PNG
    assert shown.headers["content-type"] == "image/png"
    assert shown.headers["x-content-type-options"] == "nosniff"
    assert shown.headers["content-disposition"].startswith("inline; filename=")
    assert fetch("author@example.org", image).status_code == 200
    assert fetch("author@example.org", unused).status_code == 200, "authors see the whole bank's media"
    assert fetch(program.candidates[0].email, unused).status_code == 404, "no item of theirs uses it"
    assert fetch(program.candidates[2].email, image).status_code == 404, "no attempt of theirs uses it"
    assert fetch("marker@example.org", image).status_code == 404, "no answer of theirs to mark uses it"
    program.take(sitting_id, program.candidates[1], PERFECT)
    marker = _signed_in(app_client, "marker@example.org")
    assert post_form(marker, "/marking/next", {"exam_id": "", "item_id": ""}, from_page="/marking").status_code == 303
    assert marker.get(image).status_code == 200, "the essay they now mark uses it"
    for who in ("admin@example.org", "author@example.org", program.candidates[0].email):
        refused = fetch(who, script)
        assert refused.status_code == 404 and SCRIPT not in refused.content
