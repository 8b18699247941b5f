"""The question navigator of the candidate's pages, decided here and only written out by its template
(templates/candidate/_navigator.html): twenty questions made the template a third of an item page's CPU when it
worked out every link's state, classes and accessible name in expressions of its own."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from examengine.delivery.attempt_view import AttemptView


@dataclass(frozen=True)
class NavEntry:
    slot: int
    href: str | None  # the question's page; None: shown, not linked (closed, not yet open, or off the path)
    css: str
    label: str  # the accessible name: "Question 3, answered, flagged"
    marks: str  # what follows the number: " ⚑ ✓"
    current: bool


@dataclass(frozen=True)
class NavSection:
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
