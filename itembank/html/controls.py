"""The shared pieces of `itembank.html`: one render call's state (names, unique ids, values) and small controls."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from itembank.html.markup import plain_text
from itembank.html.templating import macro
from itembank.qti.values import RawResponse

INLINE = frozenset({"inlineChoice", "textEntry"})
NUMERIC = frozenset({"float", "integer"})


def raw_values(raw: RawResponse) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, bool):
        return ["true" if raw else "false"]
    if isinstance(raw, str | int | float):
        return [str(raw)]
    return [str(item) for item in raw]


class Page:
    """What every control of one render call shares: names, unique ids, current values, read-only state."""

    def __init__(self, prefix: str, responses: Mapping[str, RawResponse], disabled: bool) -> None:
        self.prefix = prefix
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", prefix).strip("-") or "r"
        self.id_prefix = slug if slug[0].isalpha() else f"r-{slug}"
        self.responses = responses
        self.disabled = disabled
        self.ids: set[str] = set()

    def new_id(self, *parts: object) -> str:
        base = "-".join([self.id_prefix, *(re.sub(r"[^A-Za-z0-9_-]+", "_", str(p)) for p in parts)])
        candidate, n = base, 1
        while candidate in self.ids:
            n += 1
            candidate = f"{base}~{n}"
        self.ids.add(candidate)
        return candidate

    def name(self, rid: str) -> str:
        """The field name of response `rid` (unescaped: the macros escape it)."""
        return f"{self.prefix}.{rid}"

    def values(self, rid: str) -> list[str]:
        return raw_values(self.responses.get(rid))


def select(
    page: Page, rid: str, control_id: str, options: Sequence[tuple[str, str]], chosen: str, label: str
) -> Markup:
    """A select of (value, text) options with an empty first option; `label` is an aria-label or ''."""
    return macro(
        "select",
        id=control_id,
        name=page.name(rid),
        options=options,
        chosen=chosen,
        label=label,
        disabled=page.disabled,
    )


def option_text(option: Mapping[str, Any], number: int) -> str:
    return plain_text(option.get("html", "")) or f"Option {number}"


def legend(prompt: str, default: str, hint: str = "") -> Markup:
    """The fieldset's legend: the (cleaned) prompt, else `default`, with `hint` after it unless it is the default."""
    return macro("legend", prompt=prompt, default=default, hint=hint)


def is_single(view: Mapping[str, Any]) -> bool:
    cardinality = view.get("cardinality")
    return cardinality == "single" if cardinality else view.get("max_choices") == 1


def choice_hint(view: Mapping[str, Any], single: bool, what: str) -> str:
    if single:
        return f"Choose one {what}"
    most, least = view.get("max_choices") or 0, view.get("min_choices") or 0
    if most and least:
        return f"Choose between {least} and {most} {what}s" if least != most else f"Choose {most} {what}s"
    if most:
        return f"Choose up to {most} {what}" + ("s" if most > 1 else "")
    return f"Choose at least {least} {what}s" if least > 1 else f"Choose all {what}s that apply"
