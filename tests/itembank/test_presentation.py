"""Opaque identifiers on the IMS example items: every interaction kind the renderer supports is shown without an
authored identifier (in the view, the form controls and the hot word/gap markers), and an answer given in the
shown identifiers, through the JSON shape or through the HTML form, scores exactly as the authored answer does."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from itembank.content import ItemContent
from itembank.html import render_item_html, responses_from_form
from itembank.presentation import UnknownOption, authored_response, presentation, presented_response, presented_view
from itembank.rendering import candidate_view
from itembank.scoring import score
from tests.itembank.formdom import parse, submitted
from tests.itembank.test_qti_ims_items import _cases, _import

MARKER = re.compile(r"""data-(?:hottext|gap)="([^"]*)\"""")


def _authored_ids(content: ItemContent) -> set[str]:
    return {c.identifier for i in content.interactions for c in (*i.choices, *i.targets)}


def _shown_ids(view: dict[str, Any]) -> list[str]:
    found = []
    for interaction in view["interactions"]:
        found += [o["identifier"] for o in (*interaction.get("options", []), *interaction.get("targets", []))]
        found += MARKER.findall(interaction.get("content", ""))
    return found


@pytest.mark.parametrize(("path", "key", "attempts"), _cases())
def test_ims_item_scores_the_same_through_the_shown_identifiers(
    path: Path, key: tuple[str, ...] | None, attempts: list[Any]
) -> None:
    content = _import(path)
    authored = _authored_ids(content)
    for n in range(5):
        shown = presentation(content, f"attempt-{n}:{n}:1", None)
        view = presented_view(content, shown)
        assert not authored & set(_shown_ids(view)), _shown_ids(view)
        for response, expected in attempts:
            as_shown = presented_response(shown, {"RESPONSE": response})
            if authored & set(str(as_shown["RESPONSE"]).replace("'", " ").replace(",", " ").split()):
                # a pair the wrong way round ("R C" for a match): nothing a candidate was shown, so refused
                with pytest.raises(UnknownOption):
                    authored_response(shown, as_shown)
                continue
            back = authored_response(shown, as_shown)
            assert back == {"RESPONSE": response}
            assert score(content, back).score == expected, (response, as_shown)
            # the HTML door: the form rendered with the shown answer submits it back
            markup = str(render_item_html(view, responses=as_shown))
            assert not authored & {part for v in submitted(parse(markup)) for part in v[1].split()}
            from_form = authored_response(shown, responses_from_form(view, submitted(parse(markup))))
            # what the authored form would submit (a form cannot hold every answer the JSON can: two targets for a
            # source that takes one): the same answer, so the same score
            plain = candidate_view(content, {rid: s.choices for rid, s in shown.interactions.items()})
            markup = str(render_item_html(plain, responses={"RESPONSE": response}))
            authored_form = responses_from_form(plain, submitted(parse(markup)))
            assert score(content, from_form).score == score(content, authored_form).score, response


@pytest.mark.parametrize(("path", "key", "attempts"), [c for c in _cases() if c.values[1]])
def test_the_authored_key_is_refused(path: Path, key: tuple[str, ...], attempts: list[Any]) -> None:
    content = _import(path)
    shown = presentation(content, "attempt:1:1", None)
    if "RESPONSE" not in shown.interactions:
        pytest.skip("a text response has no identifiers")
    with pytest.raises(UnknownOption):
        authored_response(shown, {"RESPONSE": list(key)})


def test_identifiers_and_orders_are_hmac_sha256_of_the_attempt_key() -> None:
    """The derivation is pinned: an attempt under way keeps its identifiers and orders across an upgrade of how
    they are computed (each is HMAC-SHA256 under the presentation key, as first released)."""
    import hashlib
    import hmac
    import random

    from itembank.content import Choice, Interaction, ResponseDeclaration

    def mac(*parts: str) -> bytes:
        return hmac.digest(b"attempt-key", "\x1f".join(parts).encode(), hashlib.sha256)

    content = ItemContent(
        identifier="pin",
        interactions=(
            Interaction(
                kind="order", response_identifier="RESPONSE", choices=tuple(Choice(identifier=c) for c in "ABCD")
            ),
        ),
        responses=(ResponseDeclaration(identifier="RESPONSE", cardinality="ordered", base_type="identifier"),),
    )
    shown = presentation(content, "attempt-key", None).interactions["RESPONSE"]
    order = list("ABCD")
    random.Random(mac("order", "RESPONSE")).shuffle(order)
    assert shown.choices == tuple(order)
    tag = "RESPONSE\x1fc"
    assert shown.choice_ids == {c: "o" + mac("id", tag, c, "0")[:5].hex() for c in order}
