"""The organisation's identity in Chromium: an admin sets it on its settings page (a pale accent is refused beside
the field), every page's header shows the name and logo in the accent colour, the certificate prints as exactly
one A4 page with the issuer and signature, and the main pages of each role fit a 375 px wide phone."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.axe import assert_no_axe_violations
from tests.browser.test_admin_users import sign_in
from tests.browser.test_candidate_exam import give_an_answer, start_demo_exam
from tests.browser.test_certificates import passing_exam_for_candidate2

PHONE = ViewportSize(width=375, height=740)


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG image, written by hand (no imaging library in the test environment)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def set_identity(page: Page, base: str, tmp_path: Path) -> None:
    sign_in(page, base, "admin@example.org")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisation").click()
    expect(page.get_by_role("heading", name="Organisation", exact=True)).to_be_visible()
    page.get_by_label("Organisation name").fill("Northwind Certification Board")
    page.get_by_label("Contact email address").fill("exams@northwind.example")
    page.get_by_label("Accent colour").fill("#ffd700")
    page.get_by_role("button", name="Save settings").click()
    accent = page.get_by_label("Accent colour")
    expect(accent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#accent_colour-error")).to_contain_text("4.5:1")
    assert_no_axe_violations(page, "the settings page with a refused colour")
    accent.fill("#6b21a8")
    page.get_by_label("Time zone").fill("Pacific/Auckland")
    page.get_by_label("Signatory's name").fill("Grace Hopper")
    page.get_by_label("Signatory's title").fill("Registrar")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("The organisation's settings were saved.")
    logo, signature = tmp_path / "logo.png", tmp_path / "signature.png"
    logo.write_bytes(png(160, 48, (107, 33, 168)))
    signature.write_bytes(png(200, 60, (20, 20, 20)))
    page.get_by_label("Logo image").set_input_files(logo)
    page.get_by_role("button", name="Upload logo", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("The logo was saved.")
    page.get_by_label("Signature image").set_input_files(signature)
    page.get_by_role("button", name="Upload signature", exact=True).click()
    expect(page.get_by_role("img", name="Current signature")).to_be_visible()
    header = page.get_by_role("banner")
    expect(header.get_by_role("img", name="Northwind Certification Board")).to_be_visible()
    expect(header.get_by_role("link", name=re.compile("Northwind Certification Board"))).to_be_visible()
    button = page.get_by_role("button", name="Save settings")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(107, 33, 168)"
    assert_no_axe_violations(page, "the settings page")


def test_the_identity_is_set_shown_everywhere_and_printed_on_one_a4_page(
    live_server: str, page: Page, tmp_path: Path
) -> None:
    set_identity(page, live_server, tmp_path)
    passing_exam_for_candidate2(live_server)
    page.context.clear_cookies()
    sign_in(page, live_server, "candidate2@example.org")
    expect(page.get_by_role("banner").get_by_role("img", name="Northwind Certification Board")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My exams").click()
    sitting = page.get_by_role("region", name="Fire Safety Marshal")
    sitting.get_by_role("checkbox", name="I accept the rules and the confidentiality agreement").check()
    sitting.get_by_role("button", name="Start exam").click()
    expect(page.locator(".brand")).to_contain_text("Northwind Certification Board")
    page.get_by_role("radio", name="A green running figure").check()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.get_by_role("button", name="Review answers").click()
    page.get_by_role("checkbox", name="I want to submit my exam").check()
    page.get_by_role("button", name="Submit exam").click()
    page.get_by_role("link", name="View your certificate").click()

    certificate = page.get_by_role("article", name="Certificate")
    expect(certificate.get_by_text("Northwind Certification Board", exact=True)).to_be_visible()
    expect(certificate.get_by_role("img", name="Signature of Grace Hopper")).to_be_visible()
    expect(certificate.get_by_text("Registrar, Northwind Certification Board")).to_be_visible()
    issued = certificate.locator("time").first.inner_text()
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}", issued), issued
    assert "T" not in issued and "Z" not in issued
    assert_no_axe_violations(page, "the certificate")

    printed = {
        "A4 portrait": page.pdf(format="A4", print_background=True),
        "A4 landscape": page.pdf(format="A4", landscape=True, print_background=True),
        "the page size of its CSS": page.pdf(prefer_css_page_size=True, print_background=True),
    }
    assert {paper: pdf_pages(pdf) for paper, pdf in printed.items()} == dict.fromkeys(printed, 1)


def test_the_main_pages_of_each_role_fit_a_phone(live_server: str, page: Page) -> None:
    """Nothing pushes the page sideways at 375 px: a wide table scrolls inside itself."""
    page.set_viewport_size(PHONE)
    pages = {
        "admin@example.org": [
            "/",
            "/admin/exams",
            "/admin/users",
            "/admin/audit",
            "/admin/certificates",
            "/admin/organisation",
        ],
        "proctor@example.org": ["/proctor"],
        "author@example.org": ["/author/items", "/author/review", "/author/media", "/marking"],
    }
    too_wide = []
    for email, paths in pages.items():
        page.context.clear_cookies()
        sign_in(page, live_server, email)
        for path in paths:
            page.goto(f"{live_server}{path}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{path} as {email}: {width}px")
        if email == "proctor@example.org":
            page.get_by_role("table").get_by_role("link").first.click()
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide.append(f"{page.url} (dashboard): {width}px")
            expect(page.get_by_role("table")).to_be_visible()
            expect(page.get_by_role("columnheader", name="Candidate")).to_be_visible()
    page.context.clear_cookies()
    start_demo_exam(page, live_server, "candidate1@example.org")
    give_an_answer(page)
    for where in ("the exam page", "/candidate", "/candidate/certificates"):
        if where.startswith("/"):
            page.goto(f"{live_server}{where}")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide.append(f"{where} as candidate1: {width}px")
    assert too_wide == [], too_wide
