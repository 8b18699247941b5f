"""Every download link a page offers works with the page's own session (the admin results page once linked to the
bearer-only API, so a signed-in admin got 401). The class, two ways: no template links to a JSON API route, and
the pages each role reaches are walked as that role, following every download link they offer."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.api.test_delivery_api import sitting, start  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import log_in

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
DOWNLOADISH = re.compile(r"(^/api/)|([?&]format=)|(\.(csv|json|zip|pdf)(\?|$))")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.downloads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        href = found.get("href") or ""
        if tag == "a" and href.startswith("/") and ("download" in found or DOWNLOADISH.search(href)):
            self.downloads.append(href.replace("&amp;", "&"))


def downloads_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.downloads


def test_no_template_links_to_the_bearer_only_api() -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"""url\(\s*['"]api\.""", line) or 'href="/api/' in line
    ]
    assert offenders == [], "a page's link must work with its session: link a page route, not the API"


def test_every_download_a_page_offers_works_with_its_session(
    app_client: TestClient,
    sitting: dict[str, Any],  # noqa: F811
) -> None:
    attempt = start(app_client, sitting).json()["attempt_id"]
    submitted = app_client.post(f"/api/v1/attempts/{attempt}/submit", headers=sitting["headers"]["cara"])
    assert submitted.status_code == 200
    exam, sitting_id = sitting["exam_id"], sitting["sitting_id"]
    pages = {
        "admin@example.org": [
            f"/admin/exams/{exam}/results",
            f"/admin/exams/{exam}/analysis",
            f"/admin/exams/{exam}",
            f"/admin/sittings/{sitting_id}",
            "/admin/audit",
            f"/proctor/attempts/{attempt}",
        ],
        "proctor@example.org": [f"/proctor/sittings/{sitting_id}", f"/proctor/attempts/{attempt}"],
        "cara@example.org": ["/candidate", f"/candidate/attempts/{attempt}/done", "/candidate/certificates"],
    }
    followed = []
    for email, paths in pages.items():
        client = TestClient(app_client.app)
        log_in(client, email, TEST_PASSWORD)
        for path in paths:
            page = client.get(path)
            assert page.status_code == 200, (email, path, page.status_code)
            for href in downloads_of(page.text):
                answer = client.get(href)
                assert answer.status_code == 200, f"{email} on {path}: {href} answered {answer.status_code}"
                followed.append(href)
    assert f"/admin/exams/{exam}/results.csv" in followed
    assert len(followed) >= 5, followed
