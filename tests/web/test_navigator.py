"""The question navigator's entries (web.pages.navigator): which questions are links, their accessible names and
marks, in free, timed-section and linear attempts. The browser tests walk the same navigator on real pages."""

from __future__ import annotations

from datetime import UTC, datetime

from examengine.delivery.attempt_view import AttemptView, SlotState
from examengine.delivery.states import AttemptStatus
from examengine.web.pages.navigator import NavEntry, NavSection, markup, navigator


def view(open_section: int | None = None, current_slot: int | None = None) -> AttemptView:
    first = (SlotState(1, 0, True, False), SlotState(2, 0, False, True))
    second = (SlotState(3, 1, True, True), SlotState(4, 1, False, False))
    now = datetime(2026, 12, 7, tzinfo=UTC)
    return AttemptView(
        "a1", "s1", "u1", AttemptStatus.IN_PROGRESS, now, 600, (("Part A", first), ("Part B", second)), {}, now, None,
        open_section=open_section, current_slot=current_slot,
    )  # fmt: skip


def shown(sections: tuple[NavSection, ...]) -> list[tuple[str, str, list[tuple[int, str | None, str, str, str]]]]:
    return [(s.title, s.state, [(e.slot, e.href, e.css, e.label, e.marks) for e in s.entries]) for s in sections]


def href(slot: int) -> str:
    return f"/q/{slot}"


def test_a_free_attempt_links_every_question_and_names_its_state() -> None:
    assert shown(navigator(view(), 2, href)) == [
        (
            "Part A",
            "open",
            [
                (1, "/q/1", "nav-slot answered", "Question 1, answered", " ✓"),
                (2, "/q/2", "nav-slot current flagged", "Question 2, not answered, flagged", " ⚑"),
            ],
        ),
        (
            "Part B",
            "open",
            [
                (3, "/q/3", "nav-slot answered flagged", "Question 3, answered, flagged", " ⚑ ✓"),
                (4, "/q/4", "nav-slot", "Question 4, not answered", ""),
            ],
        ),
    ]
    assert [e.current for s in navigator(view(), 2, href) for e in s.entries] == [False, True, False, False]


def test_timed_sections_link_only_the_open_one() -> None:
    first, second = navigator(view(open_section=1), 3, href)
    assert (first.state, second.state) == ("closed", "open")
    assert [(e.href, e.label) for e in first.entries] == [
        (None, "Question 1, closed, answered"),
        (None, "Question 2, closed"),
    ]
    assert all(e.href for e in second.entries)
    later = navigator(view(open_section=0), 1, href)[1]
    assert later.state == "later" and [e.label for e in later.entries] == [
        "Question 3, not yet open, answered",
        "Question 4, not yet open",
    ]


def test_a_forward_only_attempt_links_only_the_current_question() -> None:
    entries = [e for s in navigator(view(current_slot=3), 3, href) for e in s.entries]
    assert [(e.slot, e.href) for e in entries] == [(1, None), (2, None), (3, "/q/3"), (4, None)]
    assert [e.label for e in entries if e.href is None] == [
        "Question 1, closed, answered",
        "Question 2, closed",
        "Question 4, not yet open",
    ]
    assert all(e.css == "nav-slot unavailable" for e in entries if e.href is None)


def test_the_markup_names_every_question_marks_the_current_one_and_escapes_every_value() -> None:
    html = str(markup(navigator(view(open_section=1), 3, href)))
    assert html.startswith('<nav class="navigator" aria-label="Questions">') and html.endswith("</nav>")
    assert '<h2 class="nav-section">Part A <span class="nav-state">(closed)</span></h2>' in html
    assert '<li><span class="nav-slot unavailable" aria-label="Question 1, closed, answered">1 ✓</span></li>' in html
    assert (
        '<li><a href="/q/3" class="nav-slot current answered flagged" aria-label="Question 3, answered, flagged"'
        ' aria-current="page">3 ⚑ ✓</a></li>'
    ) in html
    assert html.count("aria-current") == 1 and html.count("<ol>") == html.count("</ol>") == 2


def test_the_markup_escapes_a_hostile_title_link_and_name() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    entry = NavEntry(1, f'/q/1"{hostile}', "nav-slot", f"Question 1 {hostile}", "", False)
    html = str(markup((NavSection(hostile, "open", (entry,)),)))
    assert "<img" not in html and 'onerror="' not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html
