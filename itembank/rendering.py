"""What a candidate's browser may receive for an item: built by allow-list, never by removing secrets.

The view holds the stem, the interactions' kinds, prompts and options (in the order delivery chose) and the
limits the page needs (max choices, expected length). It never holds the key, mapping, response processing,
outcomes, feedback, rubrics, rationale, pattern masks or the native authoring form. Every piece of markup in it
is cleaned again by the one cleaner: pages and the delivery API render this same view.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from itembank.cleaning import clean_markup
from itembank.content import Choice, Interaction, ItemContent

OptionOrder = Mapping[str, Sequence[str]] | Sequence[str] | None


def shuffled_order(interaction: Interaction, rng: random.Random) -> list[str]:
    """A delivery order for an interaction's options: shuffled if the item asks for it, fixed options kept in place."""
    identifiers = [c.identifier for c in interaction.choices]
    if not interaction.shuffle:
        return identifiers
    movable = [c.identifier for c in interaction.choices if not c.fixed]
    rng.shuffle(movable)
    moving = iter(movable)
    return [c.identifier if c.fixed else next(moving) for c in interaction.choices]


def _ordered(choices: tuple[Choice, ...], order: Sequence[str] | None, response: str) -> list[Choice]:
    if order is None:
        return list(choices)
    by_id = {c.identifier: c for c in choices}
    if sorted(order) != sorted(by_id):
        raise ValueError(
            f"option order for {response!r} must list each of {sorted(by_id)} exactly once, got {list(order)}"
        )
    return [by_id[identifier] for identifier in order]


def _orders(content: ItemContent, option_order: OptionOrder) -> Mapping[str, Sequence[str]]:
    if option_order is None:
        return {}
    if isinstance(option_order, Mapping):
        return option_order
    with_options = [i for i in content.interactions if i.choices and i.kind != "hottext"]
    if len(with_options) != 1:
        raise ValueError("a plain option order needs exactly one interaction with options; pass {response id: order}")
    return {with_options[0].response_identifier: option_order}


def _option(choice: Choice) -> dict[str, Any]:
    option: dict[str, Any] = {"identifier": choice.identifier, "html": clean_markup(choice.html)}
    if choice.match_max is not None:
        option["match_max"] = choice.match_max
    return option


def _interaction_view(content: ItemContent, interaction: Interaction, order: Sequence[str] | None) -> dict[str, Any]:
    declaration = content.response(interaction.response_identifier)
    view: dict[str, Any] = {
        "response_identifier": interaction.response_identifier,
        "kind": interaction.kind,
        "cardinality": declaration.cardinality if declaration else None,
        "base_type": declaration.base_type if declaration else None,
        "prompt": clean_markup(interaction.prompt),
    }
    if interaction.choices:
        view["options"] = [_option(c) for c in _ordered(interaction.choices, order, interaction.response_identifier)]
    if interaction.targets:
        view["targets"] = [_option(c) for c in interaction.targets]
    if interaction.content:
        view["content"] = clean_markup(interaction.content)
    for name in (
        "max_choices",
        "min_choices",
        "max_associations",
        "min_associations",
        "expected_length",
        "expected_lines",
        "placeholder",
        "format",
        "max_strings",
        "min_strings",
    ):
        value = getattr(interaction, name)
        if value is not None:
            view[name] = value
    return view


def candidate_view(content: ItemContent, option_order: OptionOrder = None) -> dict[str, Any]:
    """The JSON-ready view of an item for a candidate.

    `option_order` is either {response identifier: [choice identifiers]} or, for an item with one choice-like
    interaction, just the list. Without it options come in authored order (see `shuffled_order`).
    """
    orders = _orders(content, option_order)
    return {
        "identifier": content.identifier,
        "title": content.title,
        "language": content.language,
        "stem": clean_markup(content.stem),
        "interactions": [
            _interaction_view(content, i, orders.get(i.response_identifier)) for i in content.interactions
        ],
    }
