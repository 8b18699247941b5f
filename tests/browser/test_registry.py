"""The public registry in Chromium: anyone finds a credential by its number and a listed holder by name within a
scheme, without signing in; a holder who opts out on their registry page is no longer found by name (still by
number); /verify shows a credential number's status; every page has no WCAG violations.

The scheme and credentials are rows inserted into the live server's database (the awarding slice makes them in
production); the holders are demo candidates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine
from sqlmodel import Session, select

from examengine.accounts.models import User
from examengine.programs.models import ProgramCredential, Scheme, SchemeKind
from tests.browser.axe import axe_violations
from tests.browser.conftest import running_server
from tests.browser.test_admin_users import sign_in
from tests.conftest import ENGINES, fresh_database

CARA = "SAFE-2026-000101"
CARL = "SAFE-2026-000102"


def _insert_credentials(url: str) -> None:
    engine = create_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        users = {u.email: u.id for u in session.exec(select(User))}
        scheme = Scheme(code="SAFE", title="Safety Officer", kind=SchemeKind.CERTIFICATION, cycle="P3Y", created_at=now)
        session.add(scheme)
        session.flush()
        for index, (number, email, name) in enumerate(
            ((CARA, "candidate1@example.org", "Cara Candidate"), (CARL, "candidate2@example.org", "Carl Candidate"))
        ):
            session.add(
                ProgramCredential(
                    number=number,
                    scheme_id=scheme.id,
                    user_id=users[email],
                    holder_name=name,
                    granted_at=now - timedelta(days=30),
                    cycle_starts=now - timedelta(days=30),
                    valid_until=now + timedelta(days=1000),
                    status_index=index + 1,
                )
            )
        session.commit()
    engine.dispose()


@pytest.fixture(scope="module", params=ENGINES)
def registry_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A live server whose database (created here, so that the test can write to it) holds two credentials."""
    tmp_dir: Path = tmp_path_factory.mktemp("registry")
    with (
        fresh_database(request, request.param, "examengine_registry", tmp_dir) as url,
        running_server(request, tmp_dir, {"DATABASE_URL": url}) as base,
    ):
        _insert_credentials(url)
        yield base


def no_violations(page: Page) -> None:
    assert axe_violations(page) == []


def search_by_name(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/registry")
    page.get_by_role("textbox", name="Holder's full name").fill(name)
    page.get_by_role("combobox", name="Scheme").select_option(label="Safety Officer (SAFE)")
    page.get_by_role("button", name="Search by name").click()


def test_anyone_finds_a_credential_by_number_and_by_name(registry_server: str, page: Page) -> None:
    page.goto(f"{registry_server}/registry")
    expect(page.get_by_role("heading", name="Registry of credentials")).to_be_visible()
    no_violations(page)
    page.get_by_role("textbox", name="Credential number").fill(CARA.lower())
    page.get_by_role("button", name="Search by number").click()
    results = page.get_by_role("table", name="Credentials found")
    expect(results.get_by_role("row")).to_have_count(2)
    row = results.get_by_role("row").nth(1)
    expect(row.get_by_role("cell").nth(0)).to_have_text(CARA)
    expect(row.get_by_role("cell").nth(1)).to_have_text("Cara Candidate")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Certification")
    expect(row.get_by_role("cell").nth(4)).to_have_text("Active")
    expect(page.get_by_text("candidate1@example.org")).to_have_count(0)
    no_violations(page)

    search_by_name(page, registry_server, "carl candidate")
    expect(results.get_by_role("cell", name=CARL)).to_be_visible()
    expect(results.get_by_role("cell", name=CARA)).to_have_count(0)
    search_by_name(page, registry_server, "Carl")
    expect(results.get_by_role("cell", name="No credential matches this search.")).to_be_visible()

    page.goto(f"{registry_server}/verify/{CARA}")
    expect(page.get_by_role("heading", name=f"Credential {CARA}: Active")).to_be_visible()
    no_violations(page)


def test_an_opted_out_holder_is_found_by_number_only(registry_server: str, page: Page, browser: Browser) -> None:
    sign_in(page, registry_server, "candidate2@example.org")
    page.goto(f"{registry_server}/credentials/{CARL}/registry")
    expect(page.get_by_role("heading", name="Your registry listing")).to_be_visible()
    no_violations(page)
    choice = page.get_by_role("group", name="Found by name in the registry")
    expect(choice.get_by_role("radio", name="Yes", exact=False)).to_be_checked()
    choice.get_by_role("radio", name="No: only someone who has the credential number finds it").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Your choice is saved.")
    expect(choice.get_by_role("radio", name="No: only someone who has the credential number finds it")).to_be_checked()

    anonymous = browser.new_context().new_page()
    search_by_name(anonymous, registry_server, "Carl Candidate")
    results = anonymous.get_by_role("table", name="Credentials found")
    expect(results.get_by_role("cell", name="No credential matches this search.")).to_be_visible()
    anonymous.get_by_role("textbox", name="Credential number").fill(CARL)
    anonymous.get_by_role("button", name="Search by number").click()
    expect(results.get_by_role("cell", name="Carl Candidate")).to_be_visible()

    page.goto(f"{registry_server}/credentials/{CARA}/registry")  # someone else's credential
    expect(page.get_by_role("heading", name="Your registry listing")).to_have_count(0)
    anonymous.context.close()
