"""A candidate's item as accessible HTML form controls: `render_item_html(view)`, and `responses_from_form`.

Pure functions over the dict from `rendering.candidate_view` (no key, no rationale ever reaches them). The markup
works in a plain `<form method="post">` without JavaScript and, unchanged, with htmx autosave. Everything that
came from item content is cleaned again (see `itembank.html.markup`) and all other text is escaped.

Form fields. Every control of the interaction with response identifier RID is named `{name_prefix}.RID`
(default prefix "r": `r.RESPONSE`); a field repeats when the interaction takes several values. Its values:

| kind | control | submitted values | response value |
|---|---|---|---|
| choice, hottext (single) | radio | `A` | `"A"` or None |
| choice, hottext (multiple) | checkbox | `A`, `C`, ... | `["A", "C"]` |
| inlineChoice | select | `A` or `""` | `"A"` or None |
| order | one position select per option | `A 2` (option A at position 2), or `""` | options by position |
| match | one select per source (checkboxes if it may take several) | `SRC TGT` or `""` | `["SRC TGT", ...]` |
| associate | one select per choice, of the other choices | `A P` or `""` | `["A P", ...]` |
| gapMatch | one select per gap | `TEXT GAP` or `""` | `["TEXT GAP", ...]` |
| textEntry | text input | the text | the trimmed text, or None if empty |
| extendedText | textarea (several when it takes several strings) | the text | text (CRLF made LF) or None |

A server rebuilds responses with `responses_from_form(view, list_of_(name, value))`, e.g. from Starlette's
`(await request.form()).multi_items()`. Fields of other names (a CSRF token) are ignored, and values that
name no option of the item are dropped (`unknown_values` lists them, for a server that refuses such a form).
Unchecked boxes send nothing, so post the whole form each time
(htmx: `hx-post` on the `<form>` with `hx-trigger="change, input delay:1s"`): every interaction of the view
gets a value, and one with no field counts as answered with nothing.

In delivery the view is `presentation.presented_view(...)`: the values above are then the attempt's opaque option
identifiers (never the authored ones), and the server maps answers back with `presentation.authored_response`.

Ids are `{prefix}-{response id}[-n]`, made unique within one call: give each item on a page its own prefix.
`disabled=True` (review screens) disables choices and selects and makes text fields read-only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from markupsafe import Markup

from itembank.html.controls import INLINE, Page
from itembank.html.form import responses_from_form, unknown_values
from itembank.html.interactions import BLOCKS, inline_control
from itembank.html.markup import Replacement, placeholder_split, plain_text, rewrite
from itembank.html.templating import authored, macro
from itembank.qti.values import RawResponse

__all__ = ["render_item_html", "responses_from_form", "unknown_values"]


def _inline_label(view: Mapping[str, Any], number: int, count: int) -> str:
    prompt = plain_text(view.get("prompt", ""))
    return prompt or ("Answer" if count == 1 else f"Answer {number}")


def _after_stem(page: Page, view: Mapping[str, Any]) -> str:
    """An interaction the stem has no placeholder for; an inline one gets a visible label of its own."""
    if view["kind"] in INLINE:
        control_id = page.new_id(view["response_identifier"])
        control = inline_control(page, view, control_id, "")
        label = authored(view.get("prompt", "")) if view.get("prompt", "").strip() else "Answer"
        return macro("labelled", kind="ie-inline", id=control_id, label=label, control=control, gap=" ")
    render = BLOCKS.get(view["kind"])
    return render(page, view) if render else ""


def render_item_html(
    view: Mapping[str, Any],
    *,
    responses: Mapping[str, RawResponse] | None = None,
    name_prefix: str = "r",
    disabled: bool = False,
) -> Markup:
    """The item's stem with its interactions as form controls, placed where the stem's placeholders are.

    `view` is `rendering.candidate_view(...)`; `responses` (response id -> value, as the API stores them)
    pre-fill the controls. See the module docstring for the field names and values.
    """
    page = Page(name_prefix, responses or {}, disabled)
    interactions: dict[str, Mapping[str, Any]] = {}
    for interaction in view.get("interactions", []):
        interactions.setdefault(interaction["response_identifier"], interaction)
    inline = [rid for rid, i in interactions.items() if i["kind"] in INLINE]
    placed: set[str] = set()

    def control(rid: str) -> str:
        if rid not in interactions or rid in placed:
            return ""
        placed.add(rid)
        interaction = interactions[rid]
        if interaction["kind"] in INLINE:
            label = _inline_label(interaction, inline.index(rid) + 1, len(inline))
            return inline_control(page, interaction, page.new_id(rid), label)
        render = BLOCKS.get(interaction["kind"])
        return render(page, interaction) if render else ""

    def place(tag: str, attrs: dict[str, str]) -> Replacement | None:
        rid = attrs.get("data-interaction")
        return None if rid is None else (control(rid), "", True)

    # the stem went through the one cleaner in rewrite(); the controls placed in it are the macros' own markup.
    # It is parsed once per stem (placeholder_split): a page renders only the controls, which show the answer.
    stem = view.get("stem", "")
    split = placeholder_split(stem, "data-interaction")
    if split is None:
        body = Markup(rewrite(stem, place))
    else:
        parts, rids = split
        cut = (f"{control(rid)}{part}" for rid, part in zip(rids, parts[1:], strict=True))  # str: nothing escaped
        body = Markup(parts[0] + "".join(cut))
    rest = Markup("".join(_after_stem(page, i) for rid, i in interactions.items() if rid not in placed))
    language = str(view.get("language") or "")
    lang = language if re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", language) else ""
    return macro("item", lang=lang, body=body, rest=rest)
