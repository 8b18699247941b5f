"""Forwarded headers are believed only from EXAMENGINE_TRUSTED_PROXIES; public links never come from a hostile Host."""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from examengine.app import create_app
from examengine.http.proxies import TrustedProxyHeaders
from examengine.http.public_url import public_base
from examengine.settings import Settings, SettingsError, ThrottleLimits
from tests.web.browsing import csrf_from

PROXIES = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("2001:db8::/32"))


async def echo(request: Request) -> JSONResponse:
    seen = sorted(name for name in request.headers if "forward" in name or name == "x-real-ip")
    return JSONResponse(
        {"client": request.client.host if request.client else None, "scheme": request.url.scheme, "seen": seen}
    )


def echo_client(peer: str) -> TestClient:
    app = Starlette(routes=[Route("/", echo)])
    return TestClient(TrustedProxyHeaders(app, PROXIES), client=(peer, 4000))


@pytest.mark.parametrize(
    ("peer", "headers", "client", "scheme"),
    [
        # Not from a trusted proxy: every forwarding header is ignored and dropped.
        ("203.0.113.9", {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}, "203.0.113.9", "http"),
        ("203.0.113.9", {"Forwarded": "for=1.2.3.4;proto=https"}, "203.0.113.9", "http"),
        ("203.0.113.9", {"X-Real-IP": "1.2.3.4"}, "203.0.113.9", "http"),
        ("127.0.0.1", {"X-Forwarded-For": "1.2.3.4"}, "127.0.0.1", "http"),  # uvicorn's default trust is gone
        # From a trusted proxy: the nearest hop that is not a trusted proxy.
        ("10.0.0.5", {"X-Forwarded-For": "1.2.3.4", "X-Forwarded-Proto": "https"}, "1.2.3.4", "https"),
        ("10.0.0.5", {"X-Forwarded-For": "6.6.6.6, 1.2.3.4, 10.0.0.7"}, "1.2.3.4", "http"),
        ("10.0.0.5", {"Forwarded": 'for=6.6.6.6, for="[2001:db9::1]:4711";proto=https'}, "2001:db9::1", "https"),
        ("10.0.0.5", {"X-Real-IP": "1.2.3.4"}, "1.2.3.4", "http"),
        ("10.0.0.5", {"X-Forwarded-For": "not-an-address"}, "10.0.0.5", "http"),
        ("10.0.0.5", {"X-Forwarded-Proto": "javascript"}, "10.0.0.5", "http"),
        ("2001:db8::2", {"X-Forwarded-For": "1.2.3.4:5555"}, "1.2.3.4", "http"),
    ],
)
def test_forwarded_headers_only_from_trusted_proxies(
    peer: str, headers: dict[str, str], client: str, scheme: str
) -> None:
    answer = echo_client(peer).get("/", headers=headers).json()
    assert (answer["client"], answer["scheme"]) == (client, scheme)
    assert answer["seen"] == []  # no route can read a forwarding header and trust it by mistake


def test_uvicorn_never_applies_forwarded_headers_itself() -> None:
    """uvicorn's --proxy-headers (on by default) trusts X-Forwarded-* from 127.0.0.1 whatever the setting says."""
    root = Path(__file__).resolve().parents[2]
    web = next(line for line in (root / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--no-proxy-headers" in web and "--proxy-headers" not in web.replace("--no-proxy-headers", "")
    serve = (root / "examengine" / "cli.py").read_text()
    assert "proxy_headers=False" in serve and "proxy_headers=True" not in serve


def test_the_setting_parses_addresses_and_networks() -> None:
    parsed = Settings.from_env({"EXAMENGINE_TRUSTED_PROXIES": "10.0.0.1, 10.1.0.0/16,::1"}).trusted_proxies
    assert [str(n) for n in parsed] == ["10.0.0.1/32", "10.1.0.0/16", "::1/128"]
    assert Settings.from_env({}).trusted_proxies == ()
    with pytest.raises(SettingsError, match=r"EXAMENGINE_TRUSTED_PROXIES: 'proxy\.local'"):
        Settings.from_env({"EXAMENGINE_TRUSTED_PROXIES": "proxy.local"})


def login_statuses(client: TestClient, email: str, forwarded: Callable[[int], dict[str, str]]) -> list[int]:
    statuses = []
    for n in range(8):
        token = csrf_from(client.get("/login"))
        response = client.post(
            "/login",
            data={"email": email, "password": f"guess-{n}", "csrf_token": token},
            headers=forwarded(n),
            follow_redirects=False,
        )
        statuses.append(response.status_code)
    return statuses


LIMITS = ThrottleLimits(window_seconds=900, per_account_and_address=5, per_address=20, per_account=100)


def test_a_spoofed_x_forwarded_for_does_not_escape_the_login_throttle(
    settings: Settings, make_user: Callable[..., object]
) -> None:
    make_user("victim@example.org", "candidate")
    with TestClient(create_app(replace(settings, throttle=LIMITS)), client=("203.0.113.9", 1)) as attacker:
        statuses = login_statuses(attacker, "victim@example.org", lambda n: {"X-Forwarded-For": f"198.51.100.{n}"})
    assert statuses == [401] * 5 + [429] * 3


def test_behind_a_trusted_proxy_each_client_is_counted_on_its_own(
    settings: Settings, make_user: Callable[..., object]
) -> None:
    make_user("victim@example.org", "candidate")
    behind = replace(settings, throttle=LIMITS, trusted_proxies=PROXIES)
    with TestClient(create_app(behind), client=("10.0.0.5", 1)) as proxy:
        statuses = login_statuses(proxy, "victim@example.org", lambda n: {"X-Forwarded-For": f"198.51.100.{n}"})
    assert statuses == [401] * 8


def test_start_up_warns_without_a_public_url(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="examengine.app"):
        create_app(replace(settings, public_url=None))
    assert any("EXAMENGINE_PUBLIC_URL is not set" in r.getMessage() for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="examengine.app"):
        create_app(replace(settings, public_url="https://certs.example.org"))
    assert not any("EXAMENGINE_PUBLIC_URL" in r.getMessage() for r in caplog.records)


def request_to(app: Starlette, host: bytes, **scope: object) -> Request:
    return Request(
        {
            "type": "http",
            "app": app,
            "method": "GET",
            "scheme": "http",
            "path": "/",
            "query_string": b"",
            "headers": [(b"host", host)],
            "server": ("10.0.0.9", 8000),
            **scope,
        }
    )


def test_public_links_never_come_from_a_hostile_host(settings: Settings) -> None:
    app = create_app(replace(settings, public_url=None))
    assert public_base(request_to(app, b"exams.example.org")) == "http://exams.example.org"
    assert public_base(request_to(app, b"exams.example.org:8443")) == "http://exams.example.org:8443"
    for hostile in (b"evil.example/phish?x=", b'a"onmouseover=x', b"exams.example.org@evil.example", b""):
        assert public_base(request_to(app, hostile)) == "http://10.0.0.9:8000"
    relayed = request_to(app, b"evil.example", **{"examengine.untrusted_forwarding": True})
    assert public_base(relayed) == "http://10.0.0.9:8000"
    configured = create_app(replace(settings, public_url="https://certs.example.org"))
    assert public_base(request_to(configured, b"evil.example")) == "https://certs.example.org"
