"""The answer key of a slot in words, for the admin's review of a fixed form (never for a candidate's page).

Choice keys say where the keyed option lands in the order the candidate sees, so a reviewer can spot keys that
pile up in one position.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlmodel import Session

from examengine.delivery.answers import pinned_content
from itembank.content import Interaction, ItemContent
from itembank.html.markup import plain_text


def _choice_words(interaction: Interaction, keyed: Sequence[str], order: Sequence[str] | None) -> str:
    choices = {c.identifier: c for c in (*interaction.choices, *interaction.targets)}
    shown = list(order) if order else [c.identifier for c in interaction.choices]
    words = []
    for value in keyed:
        # pairs (matching, associations) are "A B"; each side is named by its text
        parts = value.split(" ")
        names = [plain_text(choices[p].html) or p if p in choices else p for p in parts]
        where = f" (option {shown.index(value) + 1} of {len(shown)})" if value in shown else ""
        words.append(" → ".join(names) + where)
    return "; ".join(words)


def _interaction_key(content: ItemContent, interaction: Interaction, order: Sequence[str] | None) -> str:
    declaration = content.response(interaction.response_identifier)
    if declaration is None:
        return "no response declared"
    if declaration.correct_response:
        if interaction.choices:
            joined = _choice_words(interaction, declaration.correct_response, order)
            return f"in this order: {joined}" if interaction.kind == "order" else joined
        return ", ".join(declaration.correct_response)
    if declaration.mapping and declaration.mapping.entries:
        credited = [f"{e.key} ({e.value:g})" for e in declaration.mapping.entries if e.value > 0]
        return "credit for " + ", ".join(credited) if credited else "no answer gets credit"
    return "scored by its response processing"


def content_key(content: ItemContent, option_orders: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """One line per interaction: the keyed answer, or how the item is scored when it has no key to show."""
    if content.human_scored:
        return ("marked by a person against the rubric",)
    keys = (_interaction_key(content, i, option_orders.get(i.response_identifier)) for i in content.interactions)
    return tuple(keys) or ("no interaction",)


def slot_key(
    session: Session, item_id: str, version: int, option_orders: Mapping[str, Sequence[str]]
) -> tuple[str, ...]:
    return content_key(pinned_content(session, item_id, version), option_orders)
