"""Each interaction kind as form controls, for `itembank.html` (which documents the field names and values).

Python works out the ids, names and current values; the markup is the macros of templates/items/_interactions.html.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from markupsafe import Markup

from itembank.html.controls import NUMERIC, Page, choice_hint, is_single, legend, option_text, select
from itembank.html.form import pairs_in
from itembank.html.markup import Replacement, rewrite
from itembank.html.templating import authored, macro


def _choice(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    single = is_single(view)
    kind = "radio" if single else "checkbox"
    chosen = set(page.values(rid)[:1] if single else page.values(rid))
    hint = choice_hint(view, single, "answer")
    rows = []
    for number, option in enumerate(view.get("options", []), 1):
        control_id, value = page.new_id(rid, number), option["identifier"]
        label = authored(option.get("html", ""))
        rows.append(_option("div", kind, page, rid, control_id, value, value in chosen, label))
    return macro("fieldset", kind="ie-choice", heading=legend(view.get("prompt", ""), hint, hint), rows=rows)


def _option(
    tag: str, kind: str, page: Page, rid: str, control_id: str, value: str, checked: bool, label: Markup
) -> Markup:
    return macro(
        "option",
        tag=tag,
        kind=kind,
        id=control_id,
        name=page.name(rid),
        value=value,
        checked=checked,
        disabled=page.disabled,
        label=label,
    )


def _order(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    options = view.get("options", [])
    positions = {value: n for n, value in enumerate(page.values(rid), 1)}
    rows = []
    for number, option in enumerate(options, 1):
        control_id, value = page.new_id(rid, number), option["identifier"]
        choices = [(f"{value} {n}", str(n)) for n in range(1, len(options) + 1)]
        chosen = f"{value} {positions[value]}" if value in positions else ""
        control = select(page, rid, control_id, choices, chosen, "")
        rows.append(macro("select_row", id=control_id, label=authored(option.get("html", "")), control=control))
    hint = f"Give each option its position, from 1 (first) to {len(options)} (last)"
    heading = legend(view.get("prompt", ""), "Put the options in order", hint)
    return macro("fieldset", kind="ie-order", heading=heading, rows=rows)


def _pair_rows(
    page: Page,
    rid: str,
    sources: Sequence[Mapping[str, Any]],
    targets_of: Callable[[str], list[Mapping[str, Any]]],
    unordered: bool = False,
) -> list[Markup]:
    """One row per source: a select of its targets, or checkboxes when the source may take several."""
    placed = _place_pairs(page.values(rid), sources, targets_of, unordered)
    rows = []
    for number, source in enumerate(sources, 1):
        sid, label = source["identifier"], authored(source.get("html", ""))
        targets = targets_of(sid)
        if source.get("match_max") == 1:
            control_id = page.new_id(rid, number)
            options = [(f"{sid} {t['identifier']}", option_text(t, n)) for n, t in enumerate(targets, 1)]
            current = f"{sid} {placed[sid][0]}" if placed[sid] else ""
            control = select(page, rid, control_id, options, current, "")
            rows.append(macro("select_row", id=control_id, label=label, control=control))
            continue
        boxes = []
        for n, target in enumerate(targets, 1):
            control_id, tid = page.new_id(rid, number, n), target["identifier"]
            target_label = authored(target.get("html", ""))
            boxes.append(
                _option("span", "checkbox", page, rid, control_id, f"{sid} {tid}", tid in placed[sid], target_label)
            )
        rows.append(macro("boxes_row", label=label, boxes=boxes))
    return rows


def _place_pairs(
    chosen: list[str],
    sources: Sequence[Mapping[str, Any]],
    targets_of: Callable[[str], list[Mapping[str, Any]]],
    unordered: bool,
) -> dict[str, list[str]]:
    """Which row shows each chosen pair: its source's, or (associate, unordered) the other end's if that is full."""
    placed: dict[str, list[str]] = {s["identifier"]: [] for s in sources}
    single = {s["identifier"] for s in sources if s.get("match_max") == 1}
    for first, second in pairs_in(chosen):
        for source, target in ((first, second), (second, first))[: 2 if unordered else 1]:
            fits = source in placed and target in {t["identifier"] for t in targets_of(source)}
            if fits and not (source in single and placed[source]):
                placed[source].append(target)
                break
    return placed


def _match(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    targets = list(view.get("targets", []))
    rows = _pair_rows(page, rid, view.get("options", []), lambda _source: targets)
    heading = legend(view.get("prompt", ""), "Match each item on the left with one from the list")
    return macro("fieldset", kind="ie-match", heading=heading, rows=rows)


def _associate(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    options = list(view.get("options", []))
    rows = _pair_rows(page, rid, options, lambda source: [o for o in options if o["identifier"] != source], True)
    most = view.get("max_associations") or 0
    hint = f"Make up to {most} pairs" if most else ""
    heading = legend(view.get("prompt", ""), "Pair each option with its partner", hint)
    return macro("fieldset", kind="ie-associate", heading=heading, rows=rows)


def _gap_match(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    texts = [(o["identifier"], option_text(o, n)) for n, o in enumerate(view.get("options", []), 1)]
    gaps = {g["identifier"]: n for n, g in enumerate(view.get("targets", []), 1)}
    current: dict[str, str] = {}
    for text, gap in pairs_in(page.values(rid)):
        current.setdefault(gap, f"{text} {gap}")
    done: set[str] = set()

    def gap_select(tag: str, attrs: dict[str, str]) -> Replacement | None:
        gap = attrs.get("data-gap")
        if gap is None:
            return None
        if gap not in gaps or gap in done:
            return ("", "", True)
        done.add(gap)
        options = [(f"{text} {gap}", label) for text, label in texts]
        control = select(page, rid, page.new_id(rid, gaps[gap]), options, current.get(gap, ""), f"Gap {gaps[gap]}")
        return (control, "", True)

    content = Markup(rewrite(view.get("content", ""), gap_select))
    heading = legend(view.get("prompt", ""), "Fill each gap from its list")
    return macro("content_fieldset", kind="ie-gap-match", heading=heading, content=content)


def _hottext(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    single = is_single(view)
    kind = "radio" if single else "checkbox"
    known = {o["identifier"] for o in view.get("options", [])}
    chosen = set(page.values(rid)[:1] if single else page.values(rid))
    done: set[str] = set()

    def hot_word(tag: str, attrs: dict[str, str]) -> Replacement | None:
        value = attrs.get("data-hottext")
        if value is None or value not in known or value in done:
            return None
        done.add(value)
        control_id = page.new_id(rid, len(done))
        opening = macro(
            "hottext_open",
            kind=kind,
            id=control_id,
            name=page.name(rid),
            value=value,
            checked=value in chosen,
            disabled=page.disabled,
        )
        return (opening, "</label>", False)

    content = Markup(rewrite(view.get("content", ""), hot_word))
    hint = choice_hint(view, single, "word")
    heading = legend(view.get("prompt", ""), hint, hint)
    return macro("content_fieldset", kind="ie-hottext", heading=heading, content=content)


def _textarea(page: Page, view: Mapping[str, Any], control_id: str, value: str) -> Markup:
    lines = view.get("expected_lines") or max(3, min(20, (view.get("expected_length") or 400) // 60))
    expected = view.get("expected_length")
    return macro(
        "textarea",
        id=control_id,
        name=page.name(view["response_identifier"]),
        lines=int(lines),
        placeholder=view.get("placeholder") or "",
        expected=int(expected) if expected else None,
        value=value,
        disabled=page.disabled,
    )


def _extended_text(page: Page, view: Mapping[str, Any]) -> str:
    rid = view["response_identifier"]
    values = page.values(rid)
    prompt = view.get("prompt", "")
    if view.get("cardinality") in ("multiple", "ordered") or (view.get("max_strings") or 0) > 1:
        count = max(view.get("max_strings") or 0, view.get("min_strings") or 0, len(values), 1)
        rows = []
        for n in range(1, count + 1):
            control_id = page.new_id(rid, n)
            value = values[n - 1] if n <= len(values) else ""
            control = _textarea(page, view, control_id, value)
            rows.append(macro("answer_row", id=control_id, number=n, control=control))
        return macro("fieldset", kind="ie-extended-text", heading=legend(prompt, "Your answers"), rows=rows)
    control_id = page.new_id(rid)
    label = authored(prompt) if prompt.strip() else "Your answer"
    textarea = _textarea(page, view, control_id, values[0] if values else "")
    return macro("labelled", kind="ie-extended-text", id=control_id, label=label, control=textarea)


def inline_control(page: Page, view: Mapping[str, Any], control_id: str, label: str) -> str:
    """An inlineChoice select or a textEntry input; `label` is its aria-label ('' when a <label> names it)."""
    rid = view["response_identifier"]
    values = page.values(rid)
    if view["kind"] == "inlineChoice":
        options = [(o["identifier"], option_text(o, n)) for n, o in enumerate(view.get("options", []), 1)]
        return select(page, rid, control_id, options, values[0] if values else "", label)
    expected = view.get("expected_length")
    return macro(
        "text_input",
        id=control_id,
        name=page.name(rid),
        values=values,
        label=label,
        size=max(2, min(60, int(expected))) if expected else 0,
        placeholder=view.get("placeholder") or "",
        numeric=view.get("base_type") in NUMERIC,
        disabled=page.disabled,
    )


BLOCKS: dict[str, Callable[[Page, Mapping[str, Any]], str]] = {
    "choice": _choice,
    "order": _order,
    "match": _match,
    "associate": _associate,
    "gapMatch": _gap_match,
    "hottext": _hottext,
    "extendedText": _extended_text,
}
