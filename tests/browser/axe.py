"""axe-core in Chromium: the WCAG 2.1 A and AA rules run on the page as it is, and a failure lists each violation.

axe-core is a pinned npm dev dependency (package.json): scripts/setup's `npm ci` installs it into node_modules, and
nothing of it is committed. Without it the checks are skipped (EXAMENGINE_REQUIRE_BROWSER=1 makes that a failure).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize

from tests.conftest import REPO_ROOT

AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NARROW = ViewportSize(width=320, height=640)  # CSS px: the width WCAG 2.1 reflow (1.4.10) asks a page to work at


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The WCAG 2.1 A/AA violations axe-core finds on the page's current document."""
    if not AXE_SCRIPT.exists():
        message = f"{AXE_SCRIPT} is missing: run `npm ci` (scripts/setup does) to install the axe-core dev dependency"
        if os.environ.get("EXAMENGINE_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern (a
        # <script> tag from add_script_tag would be refused: the policy rightly allows only nonced scripts).
        page.evaluate(f"() => {{ {AXE_SCRIPT.read_text()}\n}}")
        assert page.evaluate("typeof window.axe === 'object'"), "axe-core did not load into the page"
    result: dict[str, Any] = page.evaluate(
        "tags => window.axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One readable paragraph per violation: the rule, its impact, what it asks, and where on the page."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary") or "").split())
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def assert_no_axe_violations(page: Page, what: str) -> None:
    """Fail with every WCAG 2.1 A/AA violation axe-core finds on `page` (`what` names the page in the message)."""
    audit = AxeAudit()
    audit.check(page, what)
    audit.assert_clean()


class AxeAudit:
    """Checks page after page, each as shown in the test's window and again 320 px wide (a phone, or a desktop
    zoomed to 400 %), and fails once at the end with the violations of every page, so one run shows them all."""

    def __init__(self) -> None:
        self.checked: list[str] = []
        self.findings: list[str] = []

    def check(self, page: Page, what: str) -> None:
        self._record(page, what, axe_violations(page))
        viewport = page.viewport_size
        if viewport and viewport["width"] > NARROW["width"]:
            page.set_viewport_size(NARROW)
            try:
                self._record(page, f"{what}, 320 px wide", axe_violations(page))
            finally:
                page.set_viewport_size(viewport)

    def _record(self, page: Page, what: str, violations: list[dict[str, Any]]) -> None:
        self.checked.append(what)
        if violations:
            self.findings.append(f"{what} ({page.url}), {len(violations)} rule(s):\n{describe(violations)}")

    def assert_clean(self) -> None:
        assert self.checked, "no page was checked"
        assert not self.findings, "axe-core found WCAG 2.1 A/AA violations on\n" + "\n".join(self.findings)
