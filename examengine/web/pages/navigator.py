"""The question navigator of the candidate's pages, decided and written out here; its template
(templates/candidate/_navigator.html) only places it. Twenty questions made the template a third of an item page's
CPU when it worked out every link's state, classes and accessible name in expressions of its own, and still half of
the page's rendering when it only wrote out these entries (150 of 290 µs): deciding and writing them here takes
46 µs (`navigator` 15, `markup` 31).
Every value is escaped on the way in, as the template's autoescape did."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from markupsafe import Markup, escape

from examengine.delivery.attempt_view import AttemptView


class NavEntry(NamedTuple):  # tuples, not frozen dataclasses: navigator() for 20 questions took 25 µs, now 15
    slot: int
    href: str | None  # the question's page; None: shown, not linked (closed, not yet open, or off the path)
    css: str
    label: str  # the accessible name: "Question 3, answered, flagged"
    marks: str  # what follows the number: " ⚑ ✓"
    current: bool


class NavSection(NamedTuple):
    title: str
    state: str  # "open", "closed" or "later"
    entries: tuple[NavEntry, ...]


def navigator(view: AttemptView, slot: int, item_url: Callable[[int], str]) -> tuple[NavSection, ...]:
    """The navigator's sections and entries for the page of `slot` (0: no question is the current one), linking
    each reachable question to `item_url(its slot)`."""
    sections = []
    for index, (title, slots) in enumerate(view.sections):
        state = "open"
        if view.open_section is not None and view.open_section != index:
            state = "closed" if index < view.open_section else "later"
        entries = []
        for s in slots:
            if state == "open" and (view.current_slot is None or view.current_slot == s.slot):
                css = "nav-slot" + (" current" if s.slot == slot else "") + (" answered" if s.answered else "")
                css += " flagged" if s.flagged else ""
                label = f"Question {s.slot}, {'answered' if s.answered else 'not answered'}"
                label += ", flagged" if s.flagged else ""
                marks = (" ⚑" if s.flagged else "") + (" ✓" if s.answered else "")
                entries.append(NavEntry(s.slot, item_url(s.slot), css, label, marks, s.slot == slot))
            else:
                closed = state == "closed" or (view.current_slot is not None and s.slot < view.current_slot)
                label = f"Question {s.slot}, {'closed' if closed else 'not yet open'}"
                label += ", answered" if s.answered else ""
                marks = " ✓" if s.answered else ""
                entries.append(NavEntry(s.slot, None, "nav-slot unavailable", label, marks, False))
        sections.append(NavSection(title, state, tuple(entries)))
    return tuple(sections)


SECTION_NOTES = {
    "closed": ' <span class="nav-state">(closed)</span>',
    "later": ' <span class="nav-state">(not yet open)</span>',
}


def markup(sections: tuple[NavSection, ...]) -> Markup:
    """The navigator's HTML: a landmark named "Questions", a heading and a list per section, each question a link
    (the current one with aria-current) or, where it cannot be visited, a span with the same accessible name."""
    parts = ['<nav class="navigator" aria-label="Questions">']
    for section in sections:
        parts.append(
            f'<h2 class="nav-section">{_escaped(section.title)}{SECTION_NOTES.get(section.state, "")}</h2><ol>'
        )
        for e in section.entries:
            named = f'class="{_escaped(e.css)}" aria-label="{_escaped(e.label)}"'
            text = f"{e.slot:d}{_escaped(e.marks)}"
            if e.href is None:
                parts.append(f"<li><span {named}>{text}</span></li>")
            else:
                current = ' aria-current="page"' if e.current else ""
                parts.append(f'<li><a href="{escape(e.href)}" {named}{current}>{text}</a></li>')
        parts.append("</ol>")
    parts.append("</nav>")
    return Markup("".join(parts))


@functools.lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """Classes, names and marks come from a small vocabulary ("Question 3, answered"), met again on every page."""
    return str(escape(text))
