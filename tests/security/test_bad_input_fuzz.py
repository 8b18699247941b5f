"""Generated bad input against a representative set of HTML forms and JSON API bodies: NUL bytes, invalid UTF-8
and lone surrogates (escaped in JSON), very long strings, other users' ids, negative and huge numbers. No request
may end in a 5xx, and a refused request (4xx) must leave every table as it was."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
import schemathesis
from httpx2 import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from sqlalchemy import text
from starlette.routing import Route
from starlette.testclient import TestClient

from examengine.context import Services
from examengine.models import metadata
from tests.api.test_delivery_api import sitting  # noqa: F401 - the fixture
from tests.conftest import TEST_PASSWORD
from tests.shown import shown_option
from tests.web.browsing import csrf_from, log_in

# Refusals that are recorded on purpose: the audit trail logs denied access and failed sign-ins (which also feed
# the sign-in throttle); everything else must stay as it was.
RECORDS_REFUSALS = {"audit_record", "audit_chain_head", "audit_checkpoint", "login_failure", "audit_refusal_window"}
FUZZ = settings(
    max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

interesting_bytes = st.sampled_from(
    [
        b"\x00",
        b"a\x00b",
        b"\xed\xa0\x80",  # a lone surrogate as (invalid) UTF-8
        b"\xff\xfe",
        b"\xe2\x80\xae\xf0\x9f\x92\xa5",  # right-to-left override, emoji
        b"x" * 30_000,
        b"-1",
        b"-99999999999999999999",
        b"99999999999999999999999999",
        b"1e309",
        b"NaN",
        b"../../etc/passwd",
        b"<script>alert(1)</script>",
    ]
)
form_values = st.one_of(interesting_bytes, st.binary(max_size=40), st.text(max_size=40).map(str.encode))
json_scalars = st.one_of(
    st.text(alphabet=st.characters(categories=["Cs", "Cc", "Lo", "Zs"]), max_size=30),
    st.sampled_from(["\x00", "\ud800", "x" * 30_000, "A", ""]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
json_values = st.one_of(
    json_scalars, st.lists(json_scalars, max_size=3), st.dictionaries(st.text(max_size=5), json_scalars, max_size=3)
)


def row_counts(services: Services) -> dict[str, int]:
    with services.db.engine.connect() as connection:
        return {
            table.name: connection.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar_one()
            for table in metadata.sorted_tables
            if table.name not in RECORDS_REFUSALS
        }


def slot_state(services: Services) -> list[tuple[Any, ...]]:
    with services.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT attempt_id, slot, seq, response, flagged FROM attempt_slot"))
        return sorted((r[0], r[1], r[2], json.dumps(r[3]), r[4]) for r in rows)


def _header_pairs(headers: dict[str, str | bytes]) -> list[tuple[bytes, bytes]]:
    """Raw header values (a fuzzed X-Seq is bytes), sent as they are."""
    return [(name.encode(), value if isinstance(value, bytes) else value.encode()) for name, value in headers.items()]


def post_raw_form(
    client: TestClient, path: str, fields: dict[str, bytes], headers: dict[str, str | bytes] | None = None
) -> Response:
    body = "&".join(f"{name}={quote_from_bytes(value)}" for name, value in fields.items())
    return client.post(
        path,
        content=body.encode(),
        headers=[(b"Content-Type", b"application/x-www-form-urlencoded"), *_header_pairs(headers or {})],
        follow_redirects=False,
    )


def check(response: Response, services: Services, before: dict[str, int], slots: list[tuple[Any, ...]]) -> None:
    assert response.status_code < 500, response.text[:500]
    if response.status_code >= 400:
        assert row_counts(services) == before, f"refused with {response.status_code} but rows changed"
        assert slot_state(services) == slots


@pytest.fixture
def fuzz_world(app_client: TestClient, sitting: dict[str, Any], services: Services) -> Iterator[dict[str, Any]]:  # noqa: F811
    def signed_in(email: str) -> TestClient:
        client = TestClient(app_client.app)
        assert log_in(client, email, TEST_PASSWORD).status_code == 303
        return client

    cara = signed_in("cara@example.org")
    home = cara.get("/candidate")
    started = cara.post(
        f"/candidate/sittings/{sitting['sitting_id']}/start",
        data={"csrf_token": csrf_from(home), "agree": "yes"},
        follow_redirects=False,
    )
    attempt_url = started.headers["location"]
    item_page = cara.get(attempt_url + "/items/1")
    radio = re.search(r'name="(r\.[A-Z_]+)"', item_page.text)
    assert radio
    yield {
        **sitting,
        "cara": cara,
        "cara_csrf": csrf_from(item_page),
        "radio": radio.group(1),
        "attempt_url": attempt_url,
        "attempt_id": attempt_url.rsplit("/", 1)[-1],
        "admin": signed_in("admin@example.org"),
        "author": signed_in("author@example.org"),
        "proctor": signed_in("proctor@example.org"),
        "ids": [u.id for u in sitting["users"].values()],
    }


def test_login_form(app_client: TestClient, services: Services, fuzz_world: dict[str, Any]) -> None:
    client = TestClient(app_client.app)
    token = csrf_from(client.get("/login")).encode()

    @FUZZ
    @given(email=form_values, password=form_values, next_path=form_values)
    def attempt(email: bytes, password: bytes, next_path: bytes) -> None:
        before, slots = row_counts(services), slot_state(services)
        fields = {"email": email, "password": password, "next": next_path, "csrf_token": token}
        check(post_raw_form(client, "/login", fields), services, before, slots)

    attempt()


def test_admin_user_create_form(services: Services, fuzz_world: dict[str, Any]) -> None:
    admin = fuzz_world["admin"]
    token = csrf_from(admin.get("/admin/users/new")).encode()

    @FUZZ
    @given(email=form_values, name=form_values, password=form_values, role=form_values)
    def attempt(email: bytes, name: bytes, password: bytes, role: bytes) -> None:
        before, slots = row_counts(services), slot_state(services)
        fields = {"email": email, "name": name, "password": password, "roles": role, "csrf_token": token}
        check(post_raw_form(admin, "/admin/users", fields), services, before, slots)

    attempt()


# The guard closes the parsed form after every request; an unclosed upload would fail here (filterwarnings=error).
def test_item_import_upload(services: Services, fuzz_world: dict[str, Any]) -> None:
    author = fuzz_world["author"]
    token = csrf_from(author.get("/author/items/import"))

    @FUZZ
    @given(content=form_values, filename=st.text(max_size=30), fmt=st.sampled_from(["auto", "native", "qti", "x\x00"]))
    def attempt(content: bytes, filename: str, fmt: str) -> None:
        before, slots = row_counts(services), slot_state(services)
        response = author.post(
            "/author/items/import",
            data={"csrf_token": token, "format": fmt, "mode": "all_or_nothing"},
            files={"file": (filename or "bank.json", content)},
            follow_redirects=False,
        )
        check(response, services, before, slots)

    attempt()


def test_proctor_action_form(services: Services, fuzz_world: dict[str, Any]) -> None:
    proctor = fuzz_world["proctor"]
    path = f"/proctor/attempts/{fuzz_world['attempt_id']}/actions"
    token = csrf_from(proctor.get(f"/proctor/attempts/{fuzz_world['attempt_id']}")).encode()
    actions = st.one_of(st.sampled_from([b"note", b"extend", b"credit", b"resume", b"admit"]), form_values)

    @FUZZ
    @given(action=actions, reason=form_values, minutes=form_values, category=form_values)
    def attempt(action: bytes, reason: bytes, minutes: bytes, category: bytes) -> None:
        before, slots = row_counts(services), slot_state(services)
        fields = {"action": action, "reason": reason, "minutes": minutes, "category": category, "csrf_token": token}
        check(post_raw_form(proctor, path, fields), services, before, slots)

    attempt()


def test_candidate_autosave_and_item_submit(services: Services, fuzz_world: dict[str, Any]) -> None:
    cara, url, radio = fuzz_world["cara"], fuzz_world["attempt_url"], fuzz_world["radio"]
    token = fuzz_world["cara_csrf"]
    slot_numbers = st.one_of(st.sampled_from(["1", "0", "-1", "99999999999999999999"]), st.integers(1, 4).map(str))

    @FUZZ
    @given(value=form_values, seq=form_values, slot=slot_numbers, action=form_values)
    def attempt(value: bytes, seq: bytes, slot: str, action: bytes) -> None:
        before, slots = row_counts(services), slot_state(services)
        seq_header = seq.replace(b"\n", b"").replace(b"\r", b"")[:200]
        autosaved = post_raw_form(
            cara, f"{url}/items/{slot}/save", {radio: value}, headers={"X-CSRF-Token": token, "X-Seq": seq_header}
        )
        check(autosaved, services, before, slots)
        before, slots = row_counts(services), slot_state(services)
        fields = {radio: value, "seq": seq, "action": action, "csrf_token": token.encode()}
        check(post_raw_form(cara, f"{url}/items/{slot}", fields), services, before, slots)

    attempt()


def test_certificate_verify_form(app_client: TestClient, services: Services, fuzz_world: dict[str, Any]) -> None:
    @FUZZ
    @given(code=form_values)
    def attempt(code: bytes) -> None:
        before = row_counts(services)
        for response in (
            app_client.get(f"/verify?code={quote_from_bytes(code)}"),
            app_client.get(f"/verify/{quote_from_bytes(code[:300], safe='')}"),
        ):
            assert response.status_code < 500, response.text[:300]
        assert row_counts(services) == before  # verifying reads only

    attempt()


def test_json_api_bodies(app_client: TestClient, services: Services, fuzz_world: dict[str, Any]) -> None:
    headers: dict[str, dict[str, str]] = fuzz_world["headers"]
    base = f"/api/v1/attempts/{fuzz_world['attempt_id']}"
    ids = st.sampled_from(fuzz_world["ids"])
    targets: list[tuple[str, str, str, Callable[[Any], Any]]] = [
        ("PUT", f"{base}/responses/1", "cara", lambda v: {"response": v[0], "seq": v[1]}),
        ("POST", f"{base}/events", "cara", lambda v: {"type": v[0], "detail": v[1]}),
        ("POST", f"{base}/extend", "proctor", lambda v: {"minutes": v[0], "reason": v[1]}),
        ("POST", f"{base}/pause", "carl", lambda v: {"reason": v[0]}),
        ("POST", "/api/v1/users", "admin", lambda v: {"email": v[0], "name": v[1], "roles": [v[0]]}),
        ("POST", "/api/v1/sittings", "admin", lambda v: {"exam_id": v[0], "candidates": [{"user_id": v[1]}]}),
    ]

    @FUZZ
    @given(target=st.sampled_from(targets), first=st.one_of(json_values, ids), second=json_values)
    def attempt(target: tuple[str, str, str, Callable[[Any], Any]], first: Any, second: Any) -> None:
        method, path, who, body = target
        before, slots = row_counts(services), slot_state(services)
        content = json.dumps(body((first, second)))  # ensure_ascii: lone surrogates travel as \ud800 escapes
        response = app_client.request(
            method, path, content=content, headers={**headers[who], "Content-Type": "application/json"}
        )
        check(response, services, before, slots)

    attempt()


def test_a_form_body_to_the_candidate_events_route_is_refused_not_a_crash(
    services: Services, fuzz_world: dict[str, Any]
) -> None:
    cara, url, token = fuzz_world["cara"], fuzz_world["attempt_url"], fuzz_world["cara_csrf"]
    before, slots = row_counts(services), slot_state(services)
    as_form = post_raw_form(cara, f"{url}/events", {"type": b"blur", "csrf_token": token.encode()})
    check(as_form, services, before, slots)
    assert as_form.status_code == 415 and "application/json" in as_form.json()["error"]["message"]
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    for body in (b"[1]", b'{"type": NaN}', b"[" * 50_000, b"\xff\xfe"):
        refused = cara.post(f"{url}/events", content=body, headers=headers)
        check(refused, services, before, slots)
        assert 400 <= refused.status_code < 500


NON_FINITE = ("NaN", "Infinity", "-Infinity", "1e999", "-1e999")


@pytest.mark.parametrize("constant", NON_FINITE)
def test_non_finite_numbers_in_an_answer_are_refused_with_422(
    app_client: TestClient, services: Services, fuzz_world: dict[str, Any], constant: str
) -> None:
    path = f"/api/v1/attempts/{fuzz_world['attempt_id']}/responses/1"
    headers = {**fuzz_world["headers"]["cara"], "Content-Type": "application/json"}
    before, slots = row_counts(services), slot_state(services)
    for body in (f'{{"response": {constant}, "seq": 1}}', f'{{"response": [1, {constant}], "seq": 1}}'):
        refused = app_client.put(path, content=body, headers=headers)
        check(refused, services, before, slots)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "non_finite_number"


def test_non_finite_numbers_are_refused_in_every_json_body(
    app_client: TestClient, services: Services, fuzz_world: dict[str, Any]
) -> None:
    base = f"/api/v1/attempts/{fuzz_world['attempt_id']}"
    for method, path, who, body in (
        ("POST", f"{base}/extend", "proctor", '{"minutes": NaN, "reason": "x"}'),
        ("POST", f"{base}/events", "cara", '{"type": "blur", "detail": {"offline_seconds": Infinity}}'),
        ("POST", "/api/v1/sittings", "admin", '{"exam_id": "x", "candidates": [{"time_multiplier": NaN}]}'),
    ):
        before, slots = row_counts(services), slot_state(services)
        refused = app_client.request(
            method, path, content=body, headers={**fuzz_world["headers"][who], "Content-Type": "application/json"}
        )
        check(refused, services, before, slots)
        assert refused.status_code == 422 and refused.json()["error"]["code"] == "non_finite_number", path


@pytest.mark.parametrize("seq", ['"7"', "true", "7.0", "7.5", "null", "[7]"])
def test_seq_must_be_a_true_integer(
    app_client: TestClient, services: Services, fuzz_world: dict[str, Any], seq: str
) -> None:
    path = f"/api/v1/attempts/{fuzz_world['attempt_id']}/responses/1"
    headers = {**fuzz_world["headers"]["cara"], "Content-Type": "application/json"}
    before, slots = row_counts(services), slot_state(services)
    refused = app_client.put(path, content=f'{{"response": "A", "seq": {seq}}}', headers=headers)
    check(refused, services, before, slots)
    assert refused.status_code == 422 and "seq" in refused.json()["error"]["message"]
    answer = shown_option(services.db, fuzz_world["attempt_id"], 1)
    accepted = app_client.put(path, json={"response": answer, "seq": 7}, headers=headers)
    assert accepted.status_code == 200 and accepted.json()["saved_seq"] == 7, accepted.text


def json_routes(app: Any) -> list[tuple[str, str]]:
    """Every API operation that reads a JSON body, from the OpenAPI document, with its path parameters filled."""
    document = TestClient(app).get("/api/openapi.json").json()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                found.append((method.upper(), re.sub(r"\{[^}]+\}", "x", path)))
    return found


def test_every_json_route_refuses_wrong_content_types_and_malformed_bodies(
    app_client: TestClient, services: Services, fuzz_world: dict[str, Any]
) -> None:
    routes = json_routes(app_client.app)
    assert len(routes) > 20
    headers = fuzz_world["headers"]["admin"]
    bodies = [
        ("application/x-www-form-urlencoded", b"a=1&b=2"),
        ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n"),
        ("text/plain", b'{"a": 1}'),
        ("application/json", b"{not json"),
        ("application/json", b"[" * 100_000),
        ("application/json", b'{"a": NaN}'),
        ("application/json", b"\xff\xfe\x00"),
        ("application/json", b'"just a string"'),
        ("application/json", b"[1, 2]"),
    ]
    for method, path in routes:
        for content_type, body in bodies:
            before, slots = row_counts(services), slot_state(services)
            response = app_client.request(method, path, content=body, headers={**headers, "Content-Type": content_type})
            check(response, services, before, slots)
            assert 400 <= response.status_code < 500, (method, path, content_type, body[:20])
            assert response.json()["error"]["message"], (method, path)


GENERATED = settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), database=None)


def send_generated(
    operation: Any, mode: GenerationMode, headers: dict[str, str], real: dict[str, str], failures: list[str]
) -> None:
    @GENERATED
    @given(case=operation.as_strategy(generation_mode=mode))
    def send(case: schemathesis.Case[Any]) -> None:
        for name, value in real.items():
            if case.path_parameters and name in case.path_parameters:
                case.path_parameters[name] = value
        response = case.call(headers=headers)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {operation.path}: {case.body!r:.200}")

    send()


def test_generated_bodies_against_a_live_attempt_never_end_in_a_5xx(
    app_client: TestClient, fuzz_world: dict[str, Any]
) -> None:
    """Schemathesis, with real ids in the path (tests/api/test_openapi.py runs as an admin against unknown ids, so
    most of its cases end at a 404 before the body is read): the candidate and the proctor of a running attempt
    send generated valid and invalid bodies to the delivery, proctoring and item operations."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app_client.app)
    real = {"attempt_id": fuzz_world["attempt_id"], "sitting_id": fuzz_world["sitting_id"]}
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid operation raises here, failing the test
        if not operation.path.startswith(("/api/v1/attempts", "/api/v1/sittings", "/api/v1/items")):
            continue
        operations += 1
        for who in ("cara", "proctor"):
            for mode in (GenerationMode.NEGATIVE, GenerationMode.POSITIVE):
                send_generated(operation, mode, fuzz_world["headers"][who], real, failures)
    assert operations >= 10
    assert failures == []


MALFORMED_BODIES = [
    ("multipart/form-data", b"no boundary"),
    ("multipart/form-data; boundary=x", b'--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n'),
    ("application/json", b'{"a": NaN, "b": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}'),
    ("application/x-www-form-urlencoded", b"a=%ZZ&b=\xff&" + b"c=1&" * 2000),
    ("text/plain", b"\x00\x01"),
]


def test_every_page_post_route_survives_malformed_bodies(app_client: TestClient, fuzz_world: dict[str, Any]) -> None:
    """Each role, with a valid CSRF header, posts bodies no form sends to every page route that takes a POST."""
    real = {key: fuzz_world[key] for key in ("attempt_id", "sitting_id", "exam_id")}
    tokens = {
        "cara": fuzz_world["cara_csrf"],
        "admin": csrf_from(fuzz_world["admin"].get("/admin/users/new")),
        "proctor": csrf_from(fuzz_world["proctor"].get("/proctor")),
        "author": csrf_from(fuzz_world["author"].get("/author/items/import")),
    }
    reached = 0
    for route in app_client.app.routes:  # type: ignore[attr-defined]  # the Starlette app the client wraps
        if not isinstance(route, Route) or "POST" not in (route.methods or ()) or route.path.startswith("/api"):
            continue
        path = re.sub(r"\{(\w+)(:[a-z]+)?\}", lambda m: real.get(m[1], "1" if m[2] else "x"), route.path)
        for who, token in tokens.items():
            for content_type, body in MALFORMED_BODIES:
                response = fuzz_world[who].post(
                    path,
                    content=body,
                    headers={"Content-Type": content_type, "X-CSRF-Token": token},
                    follow_redirects=False,
                )
                assert response.status_code < 500, (path, who, content_type, response.text[:300])
                reached += response.status_code != 403
    assert reached > 100
