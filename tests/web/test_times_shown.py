"""Times are shown to people as local times naming their zone ("6 Dec 2026, 11:16 UTC"), never as raw ISO
timestamps such as 2026-12-06T11:16:09.539865Z: the main pages of every role are rendered after an exam day and
their visible text is searched (a <time> element's datetime attribute is for machines, and is not text)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from starlette.testclient import TestClient

from examengine.organisation import Identity
from examengine.web.templating import make_environment
from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

RAW_ISO = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d)?(\.\d+)?(Z|[+-]\d\d:?\d\d)?")
LOCAL = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d [A-Z][A-Za-z+\-0-9]+")


class _Text(HTMLParser):
    """The text a person sees: no attributes, no scripts or styles (a <pre> of YAML counts: people read it)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._hidden += tag in ("script", "style", "template")

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in ("script", "style", "template")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_the_parser_sees_text_and_not_attributes() -> None:
    html = (
        '<p>Opened <time datetime="2026-12-06T11:16:09Z">6 Dec 2026, 11:16 UTC</time></p>'
        '<script>x="2026-12-06T11:16"</script>'
    )
    text = visible_text(html)
    assert not RAW_ISO.search(text) and LOCAL.search(text)
    assert RAW_ISO.search(visible_text("<td>2026-12-06T11:16:09.539865Z</td>"))


def test_no_page_shows_a_raw_timestamp(app_client: TestClient, sitting: dict[str, Any]) -> None:  # noqa: F811
    cara_attempt = start(app_client, sitting).json()["attempt_id"]
    app_client.post(f"/api/v1/attempts/{cara_attempt}/submit", headers=sitting["headers"]["cara"])
    carl_attempt = start(app_client, sitting, "carl").json()["attempt_id"]
    exam, sitting_id = sitting["exam_id"], sitting["sitting_id"]
    pages = {
        "admin@example.org": [
            "/admin/exams",
            f"/admin/exams/{exam}",
            f"/admin/exams/{exam}/sittings",
            f"/admin/sittings/{sitting_id}",
            f"/admin/exams/{exam}/results",
            f"/admin/exams/{exam}/analysis",
            "/admin/audit",
            "/admin/users",
            "/proctor",
            f"/proctor/sittings/{sitting_id}",
            f"/proctor/attempts/{carl_attempt}",
            "/author/items",
        ],
        "cara@example.org": ["/candidate", f"/candidate/attempts/{cara_attempt}/done"],
    }
    shown_local = 0
    for email, paths in pages.items():
        client = TestClient(app_client.app)
        log_in(client, email, TEST_PASSWORD)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (email, path)
            text = visible_text(page.text)
            raw = RAW_ISO.search(text)
            assert raw is None, f"{path} shows {raw.group(0) if raw else ''!r}: use the local_time filter"
            shown_local += bool(LOCAL.search(text))
    assert shown_local >= 8, "the pages stopped showing times at all: this test would pass vacuously"


def test_a_time_is_shown_in_the_sittings_zone_else_the_organisations() -> None:
    """`local_time` with a zone (a sitting's) uses it; without one, the organisation's time zone as an admin set it;
    with no organisation (a bare render), UTC."""
    env = make_environment(Path("templates"), [])
    page = env.from_string("{{ moment|local_time }} | {{ moment|local_time('America/New_York') }}")
    moment = datetime(2026, 12, 6, 11, 16, 9, 539865, tzinfo=UTC)
    paris = SimpleNamespace(time_zone="Europe/Paris")
    assert page.render(moment=moment, organisation=paris) == "6 Dec 2026, 12:16 CET | 6 Dec 2026, 06:16 EST"
    assert page.render(moment=moment).startswith("6 Dec 2026, 11:16 UTC")


def test_a_date_is_the_calendar_day_in_the_organisations_zone() -> None:
    """Certificate lists show "6 December 2026", the day it is where the organisation is (late on the 6th in UTC is
    already the 7th in Tokyo), never "2026-12-06"."""
    env = make_environment(Path("templates"), [])
    page = env.from_string("{{ moment|local_date }}")
    moment = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)
    tokyo = Identity(
        name="Board",
        contact_email="",
        accent_colour="#1d4e89",
        time_zone="Asia/Tokyo",
        signatory_name="",
        signatory_title="",
        logo_sha256=None,
        signature_sha256=None,
        version=1,
    )
    assert page.render(moment=moment, organisation=tokyo) == "7 December 2026"
    assert page.render(moment=moment) == "6 December 2026"
