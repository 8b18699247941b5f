"""The answer key never reaches a candidate: every place a key or scoring rule lives carries a marker, and every
byte the candidate receives through the JSON API and the HTML pages (status lines, headers, bodies, redirects,
fragments, the exam page's scripts) is scanned for those markers before submission, after it, and after the results
are released.

The implemented release rule (examengine/scoring/release.py `CandidateResult`): a released result shows the candidate
raw score, maximum, percent, scaled score, pass/fail and domain subscores; never the key, option feedback or
rationale. So the markers must stay absent after release too.

A key can also be read from identifiers and positions (GIFT names the right answer A, a matching key is the diagonal
L1 R1, an ordering item is authored in key order): no option identifier in a candidate's bytes equals an authored
one, an authored identifier in a save is refused, and over many attempts the key's position is uniform (chi-square,
fixed keys, so deterministic), ordering is rarely in key order and matching rarely the diagonal.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from httpx2 import Response
from starlette.testclient import TestClient

from itembank.formats.native import item_from_dict
from itembank.presentation import UnknownOption, authored_response, presentation, presented_response
from itembank.rendering import shuffled_order
from tests.api.test_exams_api import approved_bank, bearer, blueprint, open_sitting
from tests.conftest import TEST_PASSWORD
from tests.web.browsing import csrf_from, log_in

NUMERIC_KEY = "7351.0417"  # a numeric key cannot carry a word, so it is a number no page would show by accident
MARKERS = (
    "CANARY-KEY-7f3a",
    "CANARY-FEEDBACK-9b1c",
    "CANARY-RATIONALE-4d2e",
    "CANARY-ACCEPT-6e5f",
    "CANARY-GAPFB-2a8d",
    NUMERIC_KEY,
)


def canary_items() -> list[dict[str, Any]]:
    meta = {"domain": "CAN"}
    rationale = "<p>CANARY-RATIONALE-4d2e explains the key</p>"
    return [
        {
            "id": "can-single",
            "kind": "single_choice",
            "stem": "<p>Pick one</p>",
            "options": [
                {"id": "A", "text": "first", "correct": True, "feedback": "CANARY-FEEDBACK-9b1c right"},
                {"id": "B", "text": "second", "feedback": "CANARY-FEEDBACK-9b1c wrong"},
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-multi",
            "kind": "multiple_response",
            "stem": "<p>Pick some</p>",
            "points": 2,
            "options": [
                {"id": "A", "text": "alpha", "weight": 1, "feedback": "CANARY-FEEDBACK-9b1c alpha"},
                {"id": "B", "text": "beta", "weight": 1},
                {"id": "C", "text": "gamma", "weight": -1, "feedback": "CANARY-FEEDBACK-9b1c gamma"},
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-numeric",
            "kind": "numeric",
            "stem": "<p>How much?</p>",
            "answer": float(NUMERIC_KEY),
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-text",
            "kind": "short_text",
            "stem": "<p>Name it</p>",
            "answers": [{"text": "CANARY-KEY-7f3a"}, {"text": "CANARY-ACCEPT-6e5f", "points": 0.5}],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-order",
            "kind": "ordering",
            "stem": "<p>Order them</p>",
            "options": [{"id": "A", "text": "one"}, {"id": "B", "text": "two"}, {"id": "C", "text": "three"}],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-match",
            "kind": "matching",
            "stem": "<p>Match them</p>",
            "pairs": [{"left": "cat", "right": "kitten"}, {"left": "dog", "right": "puppy"}],
            "distractors": ["calf"],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-gap",
            "kind": "inline_choice",
            "stem": "<p>Fill {{g1}} in</p>",
            "gaps": [
                {
                    "id": "g1",
                    "options": [
                        {"id": "A", "text": "this", "correct": True, "feedback": "CANARY-GAPFB-2a8d"},
                        {"id": "B", "text": "that"},
                    ],
                }
            ],
            "rationale": rationale,
            "metadata": meta,
        },
        {
            "id": "can-tf",
            "kind": "true_false",
            "stem": "<p>True?</p>",
            "answer": True,
            "rationale": rationale,
            "metadata": meta,
        },
    ]


class Recorder:
    """Every byte a client received: status line, headers and body of each response, redirects included."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def hook(self, response: Response) -> None:
        response.read()
        headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
        self.received.append(f"{response.status_code} {response.request.url}\n{headers}\n\n{response.text}")

    def attach(self, client: TestClient) -> TestClient:
        client.event_hooks = {"request": [], "response": [self.hook]}
        return client

    def leaks(self) -> list[tuple[str, str]]:
        return [(m, text.split("\n", 1)[0]) for text in self.received for m in MARKERS if m in text]


@pytest.fixture
def canary_exam(app_client: TestClient, make_user: Callable[..., Any]) -> dict[str, Any]:
    users = {
        "admin": make_user("admin@example.org", "admin"),
        "author": make_user("author@example.org", "author"),
        "cara": make_user("cara@example.org", "candidate"),
        "carl": make_user("carl@example.org", "candidate"),
    }
    headers = {name: bearer(app_client, user.email) for name, user in users.items() if name in ("admin", "author")}
    items = canary_items()
    item_ids = approved_bank(app_client, {"users": users, "headers": headers}, items)
    body = blueprint(
        code="CANARY-1",
        sections=[{"title": "All", "draw": [{"domain": "CAN", "count": len(items)}]}],
        cut_score={"type": "percent", "value": 50},
        result_release="manual",
    )
    candidates = [{"user_id": users["cara"].id}, {"user_id": users["carl"].id}]
    exam_id, sitting_id = open_sitting(app_client, headers["admin"], body, candidates)
    return {"headers": headers, "item_ids": item_ids, "exam_id": exam_id, "sitting_id": sitting_id}


def test_the_author_view_holds_every_marker(app_client: TestClient, canary_exam: dict[str, Any]) -> None:
    """The scan looks at real data: the author's own item versions (GET /api/v1/items/{id}/versions/1) carry
    every marker the candidate must not see."""
    author_views = "".join(
        app_client.get(f"/api/v1/items/{item_id}/versions/1", headers=canary_exam["headers"]["author"]).text
        for item_id in canary_exam["item_ids"]
    )
    assert [m for m in MARKERS if m not in author_views] == []


def first_shown_answer(view: dict[str, Any]) -> Any:
    """An answer in the identifiers the candidate was shown: the first option (or pair of options), else text."""
    interaction = view["interactions"][0]
    options = [o["identifier"] for o in interaction.get("options", [])]
    targets = [t["identifier"] for t in interaction.get("targets", [])]
    if interaction["kind"] == "order":
        return options
    if targets:
        return [f"{options[0]} {targets[0]}"]
    return options[0] if options else "typed"


def sit_through_the_api(client: TestClient, exam: dict[str, Any], recorder: Recorder) -> str:
    cara = bearer(client, "cara@example.org")
    started = client.post(f"/api/v1/sittings/{exam['sitting_id']}/attempts", headers=cara)
    assert started.status_code == 201, started.text
    attempt_id = str(started.json()["attempt_id"])
    base = f"/api/v1/attempts/{attempt_id}"
    slots = [s["slot"] for section in started.json()["sections"] for s in section["slots"]]
    assert len(slots) == len(canary_items())
    for seq, slot in enumerate(slots, start=1):
        item = client.get(f"{base}/items/{slot}", headers=cara)
        assert item.status_code == 200
        answer = first_shown_answer(item.json()["item"])
        saved = client.put(f"{base}/responses/{slot}", json={"response": answer, "seq": seq}, headers=cara)
        assert saved.status_code == 200, saved.text
        assert client.put(f"{base}/flags/{slot}", json={"flagged": True}, headers=cara).status_code == 200
    client.post(f"{base}/events", headers=cara, json={"type": "focus_lost"})
    client.get(base, headers=cara)
    client.get(f"{base}/result", headers=cara)  # still open: refused, and the refusal is scanned too
    assert client.post(f"{base}/submit", headers=cara).status_code == 200
    for slot in slots:
        client.get(f"{base}/items/{slot}", headers=cara)
    client.get(base, headers=cara)
    assert client.get(f"{base}/result", headers=cara).status_code == 200
    return attempt_id


def sit_through_the_pages(client: TestClient, exam: dict[str, Any]) -> str:
    log_in(client, "carl@example.org", TEST_PASSWORD)
    home = client.get("/candidate")
    started = client.post(
        f"/candidate/sittings/{exam['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=True,
    )
    attempt_url = re.search(r"/candidate/attempts/[^/\"]+", str(started.url))
    assert attempt_url, started.url
    base = attempt_url.group(0)
    for script in re.findall(r'<script src="(/static/app/[^"]+)"', client.get(f"{base}/items/1").text):
        client.get(script)  # the exam page's scripts (static/exam/*.js, live.js)
    for slot in range(1, len(canary_items()) + 1):
        page = client.get(f"{base}/items/{slot}")
        assert page.status_code == 200, page.text
        client.get(f"{base}/items/{slot}", headers={"HX-Request": "true"})
        names = sorted(set(re.findall(r'name="(r\.[A-Za-z0-9_.]+)"', page.text)))
        answer: dict[str, str | list[str]] = dict.fromkeys(names, "typed")
        client.post(
            f"{base}/items/{slot}/save",
            data=answer,
            headers={"X-CSRF-Token": csrf_from(page), "X-Seq": str(slot), "X-Client-Id": "tab-1"},
        )
        client.post(
            f"{base}/items/{slot}",
            data={**answer, "csrf_token": csrf_from(page), "action": "flag", "seq": str(100 + slot)},
            follow_redirects=True,
        )
    client.post(f"{base}/events", data={"type": "focus_lost"}, headers={"X-CSRF-Token": csrf_from(page)})
    review = client.get(f"{base}/review")
    submitted = client.post(
        f"{base}/submit", data={"csrf_token": csrf_from(review), "confirm": "yes"}, follow_redirects=True
    )
    assert "<h1>Your result</h1>" in submitted.text or "Your exam was submitted" in submitted.text
    return base


def after_submission(client: TestClient, base: str) -> None:
    for path in ("/candidate", base, f"{base}/done", f"{base}/review", f"{base}/items/1", "/candidate/certificates"):
        client.get(path)


def test_no_marker_reaches_the_candidate_before_or_after_release(
    app_client: TestClient, canary_exam: dict[str, Any]
) -> None:
    api_seen, pages_seen = Recorder(), Recorder()
    api = api_seen.attach(TestClient(app_client.app))
    pages = pages_seen.attach(TestClient(app_client.app))
    attempt_id = sit_through_the_api(api, canary_exam, api_seen)
    base = sit_through_the_pages(pages, canary_exam)
    after_submission(pages, base)
    withheld = api.get(f"/api/v1/attempts/{attempt_id}/result", headers=bearer(api, "cara@example.org"))
    assert "released" not in withheld.json() or not withheld.json().get("released_at")
    assert api_seen.leaks() == [] and pages_seen.leaks() == []

    admin = canary_exam["headers"]["admin"]
    released = app_client.post(f"/api/v1/exams/{canary_exam['exam_id']}/release", json={"version": 1}, headers=admin)
    assert released.status_code == 200 and released.json()["released"] == 2, released.text
    result = api.get(f"/api/v1/attempts/{attempt_id}/result", headers=bearer(api, "cara@example.org"))
    assert result.status_code == 200 and "percent" in result.text, result.text
    after_submission(pages, base)
    assert api_seen.leaks() == [] and pages_seen.leaks() == []
    scripts = [text for text in pages_seen.received if "/static/app/exam/" in text.split("\n", 1)[0]]
    assert len(pages_seen.received) > 30 and len(scripts) > 5


AUTHORED_IDS = frozenset({"A", "B", "C", "L1", "L2", "R1", "R2", "R3", "true", "false"})


class _ShownValues(HTMLParser):
    """The values of the answer controls (fields named r.*) of an HTML page, and the hot word and gap markers."""

    def __init__(self) -> None:
        super().__init__()
        self.select: str | None = None
        self.values: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "select":
            self.select = name
        answer_field = name.startswith("r.") or (tag == "option" and (self.select or "").startswith("r."))
        if answer_field and tag in ("input", "option"):
            self.values.append(found.get("value") or "")
        self.values.extend(v or "" for k, v in attrs if k in ("data-hottext", "data-gap"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def _json_values(node: Any, under: str = "") -> list[str]:
    if isinstance(node, dict):
        found = []
        for key, value in node.items():
            if key == "identifier" and under in ("options", "targets"):
                found.append(str(value))
            elif key in ("response", "responses") or under in ("response", "responses"):
                found.extend(_json_values(value, "response"))
            else:
                found.extend(_json_values(value, key))
        return found
    if isinstance(node, list):
        return [v for item in node for v in _json_values(item, under)]
    return [node] if under == "response" and isinstance(node, str) else []


def identifiers_received(recorder: Recorder) -> list[str]:
    """Every option identifier a candidate received, split into the parts of "A P" pairs."""
    found: list[str] = []
    for text in recorder.received:
        body = text.split("\n\n", 1)[1] if "\n\n" in text else ""
        if body.startswith("{"):
            found.extend(_json_values(json.loads(body)))
        elif "<" in body:
            parser = _ShownValues()
            parser.feed(body)
            found.extend(parser.values)
    return [part for value in found for part in value.split()]


def test_no_authored_identifier_reaches_the_candidate(app_client: TestClient, canary_exam: dict[str, Any]) -> None:
    """Option identifiers a candidate receives are the attempt's opaque ones, never the authored ones (GIFT's A for
    the key, the matching diagonal L1 R1): in item JSON, echoed answers, form controls and hot word/gap markers."""
    api_seen, pages_seen = Recorder(), Recorder()
    api = api_seen.attach(TestClient(app_client.app))
    pages = pages_seen.attach(TestClient(app_client.app))
    attempt_id = sit_through_the_api(api, canary_exam, api_seen)
    api.get(f"/api/v1/attempts/{attempt_id}", headers=bearer(api, "cara@example.org"))
    base = sit_through_the_pages(pages, canary_exam)
    after_submission(pages, base)
    api_ids, page_ids = identifiers_received(api_seen), identifiers_received(pages_seen)
    assert len(api_ids) > 30 and len(page_ids) > 30
    assert [i for i in api_ids if i in AUTHORED_IDS] == []
    assert [i for i in page_ids if i in AUTHORED_IDS and not i.isdigit()] == []


def test_an_authored_identifier_is_refused_with_422(app_client: TestClient, canary_exam: dict[str, Any]) -> None:
    cara = bearer(app_client, "cara@example.org")
    started = app_client.post(f"/api/v1/sittings/{canary_exam['sitting_id']}/attempts", headers=cara)
    base = f"/api/v1/attempts/{started.json()['attempt_id']}"
    for slot in range(1, len(canary_items()) + 1):
        kind = app_client.get(f"{base}/items/{slot}", headers=cara).json()["item"]["interactions"][0]["kind"]
        if kind in ("textEntry", "extendedText"):
            continue
        for authored in ("A", ["A", "B"], ["L1 R1"], "true", 1):
            refused = app_client.put(f"{base}/responses/{slot}", json={"response": authored, "seq": 1}, headers=cara)
            assert refused.status_code == 422, (kind, authored, refused.text)
            assert refused.json()["error"]["code"] == "unknown_option"
    stored = app_client.get(base, headers=cara).json()["responses"]
    assert stored == {}


# The statistical part: pure functions over many attempts (fixed keys, so the test is deterministic).
ATTEMPTS = 2000


def _chi2_tail_even(statistic: float, df: int) -> float:
    """P(X > statistic) for X ~ chi-square with an even number of degrees of freedom (a closed form)."""
    half = statistic / 2
    return math.exp(-half) * sum(half**i / math.factorial(i) for i in range(df // 2))


def _uniform_enough(counts: list[int]) -> float:
    """The chi-square p-value of `counts` against the uniform distribution (len(counts) - 1 must be even)."""
    expected = sum(counts) / len(counts)
    statistic = sum((c - expected) ** 2 / expected for c in counts)
    return _chi2_tail_even(statistic, len(counts) - 1)


def _content(item: dict[str, Any]) -> Any:
    return item_from_dict({"stem": "<p>?</p>", "metadata": {"domain": "CAN"}, **item})


FIVE = [{"id": letter, "text": letter.lower()} for letter in "ABCDE"]


def test_ordering_is_shuffled_uniformly_and_rarely_in_key_order() -> None:
    content = _content({"id": "ord", "kind": "ordering", "options": FIVE})
    first_key_position, in_key_order, orders = [0] * 5, 0, set()
    for n in range(ATTEMPTS):
        shown = presentation(content, f"attempt-{n}:{n}:1", None).interactions["RESPONSE"]
        first_key_position[shown.choices.index("A")] += 1
        in_key_order += shown.choices == ("A", "B", "C", "D", "E")
        orders.add(shown.choices)
    assert _uniform_enough(first_key_position) > 1e-6, first_key_position
    # 1/120 of attempts by chance: 16.7 expected; P(more than 45) is far below 1e-6
    assert in_key_order <= 45, in_key_order
    assert len(orders) > 100  # close to all 120 permutations occur


def test_matching_shuffles_both_columns_and_is_not_the_diagonal() -> None:
    pairs = [{"left": f"left {n}", "right": f"right {n}"} for n in range(1, 6)]
    content = _content({"id": "mat", "kind": "matching", "pairs": pairs})
    target_of_first_row, diagonal, first_rows = [0] * 5, 0, [0] * 5
    for n in range(ATTEMPTS):
        shown = presentation(content, f"attempt-{n}:{n}:2", None).interactions["RESPONSE"]
        first = shown.choices[0]
        target_of_first_row[shown.targets.index(f"R{first[1:]}")] += 1
        first_rows[int(first[1:]) - 1] += 1
        diagonal += all(shown.targets[i] == f"R{s[1:]}" for i, s in enumerate(shown.choices))
    assert _uniform_enough(target_of_first_row) > 1e-6, target_of_first_row
    assert _uniform_enough(first_rows) > 1e-6, first_rows
    assert diagonal <= 45, diagonal


def test_choice_key_position_is_uniform_over_attempts() -> None:
    """A shuffled choice item (the form's option order from the attempt's seed) shows its key anywhere."""
    content = _content({"id": "one", "kind": "single_choice", "options": [{**FIVE[0], "correct": True}, *FIVE[1:]]})
    positions = [0] * 5
    for seed in range(ATTEMPTS):
        order = shuffled_order(content.interactions[0], random.Random(f"{seed}:1"))
        shown = presentation(content, f"attempt-{seed}:{seed}:1", {"RESPONSE": order}).interactions["RESPONSE"]
        positions[shown.choices.index("A")] += 1
    assert _uniform_enough(positions) > 1e-6, positions


def test_opaque_identifiers_are_per_attempt_unique_and_never_authored() -> None:
    """Over many attempts no opaque id equals an authored id of the item; within an attempt they are unique;
    across attempts the same authored id gets different ones; and the mapping is the same on every reload."""
    gap = {"id": "g1", "options": [{"id": "A", "text": "x", "correct": True}, {"id": "B", "text": "y"}]}
    items = [
        _content(
            {"id": "mat", "kind": "matching", "pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}]}
        ),
        _content({"id": "ord", "kind": "ordering", "options": FIVE}),
        _content({"id": "gap", "kind": "inline_choice", "stem": "<p>{{g1}}</p>", "gaps": [gap]}),
    ]
    for content in items:
        authored = {c.identifier for i in content.interactions for c in (*i.choices, *i.targets)}
        seen_for_first: set[str] = set()
        for n in range(200):
            key = f"attempt-{n}:{n}:3"
            shown = presentation(content, key, None)
            assert shown == presentation(content, key, None)
            opaque = [o for s in shown.interactions.values() for o in (*s.choice_ids.values(), *s.target_ids.values())]
            assert not authored & set(opaque) and len(set(opaque)) == len(opaque)
            assert all(re.fullmatch(r"o[0-9a-f]{10}", o) for o in opaque)
            seen_for_first.add(
                next(iter(shown.interactions.values())).choice_ids[content.interactions[0].choices[0].identifier]
            )
        assert len(seen_for_first) == 200


def test_answers_map_back_to_authored_identifiers_for_every_interaction_kind() -> None:
    """presented -> authored -> presented is the identity for every kind's answer shape, and the authored form
    scores as the key does."""
    content = _content(
        {"id": "mat", "kind": "matching", "pairs": [{"left": "a", "right": "b"}, {"left": "c", "right": "d"}]}
    )
    shown = presentation(content, "k:1:1", None)
    key = ["L1 R1", "L2 R2"]
    as_shown = presented_response(shown, key)
    assert all(part not in AUTHORED_IDS for pair in as_shown for part in pair.split())
    assert authored_response(shown, as_shown) == key
    with pytest.raises(UnknownOption):
        authored_response(shown, key)


def test_the_same_attempt_shows_the_same_order_and_identifiers_through_both_doors(
    app_client: TestClient, canary_exam: dict[str, Any]
) -> None:
    """Reproducible from the stored seed and key: every reload and both doors show one order and one set of
    identifiers, and an answer saved through the page reads back through the API in those identifiers."""
    pages = TestClient(app_client.app)
    log_in(pages, "carl@example.org", TEST_PASSWORD)
    home = pages.get("/candidate")
    started = pages.post(
        f"/candidate/sittings/{canary_exam['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=True,
    )
    attempt_id = str(started.url).split("/candidate/attempts/")[1].split("/")[0]
    carl = bearer(app_client, "carl@example.org")
    base = f"/api/v1/attempts/{attempt_id}"
    for slot in range(1, len(canary_items()) + 1):
        views = [app_client.get(f"{base}/items/{slot}", headers=carl).json()["item"] for _ in range(2)]
        assert views[0] == views[1]
        interaction = views[0]["interactions"][0]
        if interaction["kind"] not in ("order", "choice", "match"):
            continue
        ids = [o["identifier"] for o in interaction["options"]]
        shown = pages.get(f"/candidate/attempts/{attempt_id}/items/{slot}")
        page = shown.text
        positions = [page.find(f'value="{i}') for i in ids]
        assert -1 not in positions and positions == sorted(positions), (interaction["kind"], ids)
        if interaction["kind"] == "choice":
            name = re.search(r'name="(r\.[A-Za-z0-9_.]+)"', page).group(1)  # type: ignore[union-attr]
            saved = pages.post(
                f"/candidate/attempts/{attempt_id}/items/{slot}/save",
                data={name: ids[-1]},
                headers={"X-CSRF-Token": csrf_from(shown), "X-Seq": "1"},
            )
            assert saved.status_code == 200, saved.text
            echoed = app_client.get(base, headers=carl).json()["responses"][str(slot)]
            assert echoed in (ids[-1], [ids[-1]])


def test_the_page_refuses_an_authored_identifier_with_422(app_client: TestClient, canary_exam: dict[str, Any]) -> None:
    """The HTML door too: a form naming an option the page never showed (an authored "A", an "L1 R1" pair) is
    refused (autosave 422 unknown_option; the no-JavaScript form shows the message), and the answer stays."""
    pages = TestClient(app_client.app)
    log_in(pages, "carl@example.org", TEST_PASSWORD)
    home = pages.get("/candidate")
    started = pages.post(
        f"/candidate/sittings/{canary_exam['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=True,
    )
    base = re.search(r"/candidate/attempts/[^/\"]+", str(started.url)).group(0)  # type: ignore[union-attr]
    refused_kinds = set()
    for slot in range(1, len(canary_items()) + 1):
        page = pages.get(f"{base}/items/{slot}")
        block = re.search(r'class="ie ie-([a-z-]+)', page.text)
        kind = block.group(1) if block else "inline-choice" if "<select" in page.text else "inline"
        names = sorted(set(re.findall(r'name="(r\.[A-Za-z0-9_.]+)"', page.text)))
        headers = {"X-CSRF-Token": csrf_from(page), "X-Seq": "1"}
        for authored in ("A", "L1 R1", "A 1"):
            saved = pages.post(f"{base}/items/{slot}/save", data=dict.fromkeys(names, authored), headers=headers)
            if kind in ("extended-text", "inline"):
                continue
            assert saved.status_code == 422 and saved.json()["error"]["code"] == "unknown_option", (kind, saved.text)
            refused_kinds.add(kind)
        if kind not in ("extended-text", "inline"):
            form = pages.post(
                f"{base}/items/{slot}",
                data={**dict.fromkeys(names, "A"), "csrf_token": csrf_from(page), "action": "stay"},
            )
            assert form.status_code == 422 and "did not show" in form.text
    assert refused_kinds >= {"choice", "order", "match", "inline-choice"}
