"""How one attempt presents one item: option orders and opaque option identifiers, so the key is not in the bytes.

Authored identifiers carry the key by convention (GIFT names the right answer A, a matching item's key is the
diagonal L1 R1, an ordering item is authored in key order). A candidate therefore never sees them: every option,
match target and gap gets an identifier derived from a per-attempt secret (an HMAC of the attempt's presentation
key, the slot and the authored id: short, URL-safe, never equal to an authored id of the item), and answers come
back in those identifiers and are mapped to authored ones before they are stored, so scoring never changes.

Orders: ordering, matching (both columns), association and gap-match options are always shuffled (options marked
fixed keep their place); choice and inline-choice options keep the form's stored order (shuffled when the item and
the section ask for it); hot words stay where the text has them. Every order is a pure function of the key, so
the same attempt shows the same order on every reload and through both doors.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from itembank.content import Choice, Interaction, ItemContent
from itembank.rendering import candidate_view

ALWAYS_SHUFFLED = frozenset({"order", "match", "associate", "gapMatch"})
WITH_OPTIONS = frozenset({"choice", "order", "match", "associate", "gapMatch", "inlineChoice", "hottext"})
PAIRED = frozenset({"match", "associate", "gapMatch"})
_MARKER = re.compile(r"""(data-(?:hottext|gap))(\s*=\s*)("[^"]*"|'[^']*'|[^\s>"']+)""")


class UnknownOption(ValueError):
    """An answer names an identifier this attempt never showed for the item."""

    def __init__(self, response_identifier: str, value: object) -> None:
        super().__init__(f"{value!r} is not one of the options shown for {response_identifier!r}")
        self.response_identifier = response_identifier
        self.value = value


@dataclass(frozen=True)
class Shown:
    """One interaction as presented: authored ids in delivery order, and the opaque id of each."""

    kind: str
    choices: tuple[str, ...]
    targets: tuple[str, ...]
    choice_ids: Mapping[str, str]  # authored -> opaque
    target_ids: Mapping[str, str]
    choices_back: Mapping[str, str]  # opaque -> authored
    targets_back: Mapping[str, str]


@dataclass(frozen=True)
class Presentation:
    interactions: Mapping[str, Shown]
    single: str | None  # the response a bare (non-dict) answer answers: the item's only one


class _Keyed:
    """HMAC-SHA256 under one attempt's presentation key, keyed once: each digest copies the keyed state. The
    one-shot `hmac.digest` releases the GIL around every call, and a thread that releases it waits behind any busy
    thread for the interpreter's switch interval (milliseconds) to get it back: on the event loop, a stall per
    option of every item shown."""

    def __init__(self, key: str) -> None:
        self._keyed = hmac.new(key.encode(), digestmod=hashlib.sha256)

    def digest(self, *parts: str) -> bytes:
        mac = self._keyed.copy()
        mac.update("\x1f".join(parts).encode())
        return mac.digest()


def _opaque(key: _Keyed, tag: str, authored: str, avoid: set[str]) -> str:
    for counter in range(100):
        candidate = f"o{key.digest('id', tag, authored, str(counter))[:5].hex()}"
        if candidate not in avoid:
            avoid.add(candidate)
            return candidate
    raise RuntimeError("no free opaque identifier")  # 100 collisions of 40-bit digests: not in this universe


def _shuffled(choices: Sequence[Choice], rng: random.Random) -> tuple[str, ...]:
    movable = [c.identifier for c in choices if not c.fixed]
    rng.shuffle(movable)
    moving = iter(movable)
    return tuple(c.identifier if c.fixed else next(moving) for c in choices)


def _choice_order(interaction: Interaction, stored: Sequence[str] | None, rng: random.Random) -> tuple[str, ...]:
    authored = tuple(c.identifier for c in interaction.choices)
    if interaction.kind in ALWAYS_SHUFFLED:
        return _shuffled(interaction.choices, rng)
    if stored is not None and sorted(stored) == sorted(authored):
        return tuple(stored)
    return authored


def _shown(key: _Keyed, interaction: Interaction, stored: Sequence[str] | None, avoid: set[str]) -> Shown:
    rid = interaction.response_identifier
    rng = random.Random(key.digest("order", rid))
    choices = _choice_order(interaction, stored, rng)
    if interaction.kind == "match":
        targets = _shuffled(interaction.targets, rng)
    else:
        targets = tuple(t.identifier for t in interaction.targets)
    choice_ids = {c: _opaque(key, f"{rid}\x1fc", c, avoid) for c in choices}
    target_ids = {t: _opaque(key, f"{rid}\x1ft", t, avoid) for t in targets}
    return Shown(
        interaction.kind,
        choices,
        targets,
        choice_ids,
        target_ids,
        {o: a for a, o in choice_ids.items()},
        {o: a for a, o in target_ids.items()},
    )


def presentation(content: ItemContent, key: str, stored_orders: Mapping[str, Sequence[str]] | None) -> Presentation:
    """The item as the attempt with presentation key `key` shows it; `stored_orders` are the form's option orders
    ({response id: authored ids}) for choice-like interactions."""
    stored_orders = stored_orders or {}
    keyed = _Keyed(key)
    avoid = {c.identifier for i in content.interactions for c in (*i.choices, *i.targets)}
    shown = {
        i.response_identifier: _shown(keyed, i, stored_orders.get(i.response_identifier), avoid)
        for i in content.interactions
        if i.kind in WITH_OPTIONS
    }
    declared = [r.identifier for r in content.responses]
    return Presentation(shown, declared[0] if len(declared) == 1 else None)


def _relabel(option: dict[str, Any], ids: Mapping[str, str]) -> dict[str, Any]:
    return {**option, "identifier": ids[option["identifier"]]}


def _markers(markup: str, shown: Shown) -> str:
    ids = {**shown.target_ids, **shown.choice_ids} if shown.kind == "hottext" else shown.target_ids

    def swap(match: re.Match[str]) -> str:
        authored = html.unescape(match.group(3).strip("\"'"))
        return f'{match.group(1)}{match.group(2)}"{html.escape(ids.get(authored, ""), quote=True)}"'

    return _MARKER.sub(swap, markup)


def presented_view(content: ItemContent, shown: Presentation) -> dict[str, Any]:
    """The candidate view (see `rendering.candidate_view`) in this presentation's orders and identifiers."""
    view = candidate_view(content, {rid: s.choices for rid, s in shown.interactions.items() if s.kind != "hottext"})
    for interaction in view["interactions"]:
        one = shown.interactions.get(interaction["response_identifier"])
        if one is None:
            continue
        if "options" in interaction:
            interaction["options"] = [_relabel(o, one.choice_ids) for o in interaction["options"]]
        if "targets" in interaction:
            by_id = {t["identifier"]: t for t in interaction["targets"]}
            interaction["targets"] = [_relabel(by_id[t], one.target_ids) for t in one.targets]
        if "content" in interaction:
            interaction["content"] = _markers(interaction["content"], one)
    return view


def _map_one(value: object, ids: Mapping[str, str], rid: str, strict: bool) -> object:
    if isinstance(value, str) and value in ids:
        return ids[value]
    if isinstance(value, str) and value == "":
        return value
    if strict:
        raise UnknownOption(rid, value)
    return value


def _map_pair(value: object, shown: Shown, rid: str, strict: bool, back: bool) -> object:
    parts = value.split() if isinstance(value, str) else []
    if len(parts) != 2:
        return _map_one(value, {}, rid, strict)
    choices = shown.choices_back if back else shown.choice_ids
    targets = choices if shown.kind == "associate" else (shown.targets_back if back else shown.target_ids)
    first = _map_one(parts[0], choices, rid, strict)
    second = _map_one(parts[1], targets, rid, strict)
    return f"{first} {second}"


def _map_value(value: object, shown: Shown, rid: str, strict: bool, back: bool) -> object:
    if value is None:
        return None
    if isinstance(value, list):
        return [_map_value(v, shown, rid, strict, back) for v in value]
    if shown.kind in PAIRED:
        return _map_pair(value, shown, rid, strict, back)
    ids = shown.choices_back if back else shown.choice_ids
    if shown.kind == "hottext":
        ids = {**(shown.targets_back if back else shown.target_ids), **ids}
    return _map_one(value, ids, rid, strict)


def _map(shown: Presentation, response: Any, *, back: bool) -> Any:
    if isinstance(response, dict):
        return {
            rid: _map_value(value, shown.interactions[rid], rid, back, back) if rid in shown.interactions else value
            for rid, value in response.items()
        }
    if shown.single is None or shown.single not in shown.interactions:
        return response
    return _map_value(response, shown.interactions[shown.single], shown.single, back, back)


def authored_response(shown: Presentation, response: Any) -> Any:
    """An answer in presented identifiers as the authored identifiers scoring reads. Raises UnknownOption for an
    identifier the presentation does not have (an authored id among them: a candidate never saw one)."""
    return _map(shown, response, back=True)


def presented_response(shown: Presentation, response: Any) -> Any:
    """A stored answer (authored identifiers) in the identifiers this presentation shows."""
    return _map(shown, response, back=False)
