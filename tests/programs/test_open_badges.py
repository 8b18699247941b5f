"""Open Badges 3.0: the OpenBadgeCredential's structure, its VC-JWT verified with the published key, key rotation,
and the Bitstring Status Lists' bits following suspension, reinstatement and revocation."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from starlette.testclient import TestClient

from examengine import cli
from examengine.accounts.service import UserView
from examengine.context import Services
from examengine.programs import signing_keys
from examengine.programs.models import SchemeKind
from examengine.settings import Settings
from tests.conftest import TEST_PASSWORD
from tests.programs.registry_rows import NOW, add_credential, add_scheme, set_dates

NUMBER = "SAFE-2026-000007"
INDEX = 70_001
BASE = "http://testserver"


def bearer(client: TestClient, email: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": email, "password": TEST_PASSWORD})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['token']}"}


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture
def holder(services: Services, make_user: Callable[..., UserView]) -> UserView:
    ada = make_user("ada@example.org", name="Ada Lovelace")
    make_user("admin@example.org", "admin", name="Admin")
    make_user("grace@example.org", name="Grace Hopper")
    scheme = add_scheme(services, "SAFE", title="Safety Officer", designation="CSO")
    add_credential(services, scheme_id=scheme, user_id=ada.id, number=NUMBER, holder_name="Ada Lovelace", index=INDEX)
    return ada


def verified(client: TestClient, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, payload) of a compact JWS whose signature verifies with its kid's key from /.well-known/jwks.json;
    raises InvalidSignature otherwise."""
    encoded_header, encoded_payload, signature = token.split(".")
    header = json.loads(b64decode(encoded_header))
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    jwk = next(key for key in keys if key["kid"] == header["kid"])
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    assert "d" not in jwk  # never the private part
    public = Ed25519PublicKey.from_public_bytes(b64decode(jwk["x"]))
    public.verify(b64decode(signature), f"{encoded_header}.{encoded_payload}".encode())
    return header, json.loads(b64decode(encoded_payload))


def test_the_credential_is_an_open_badge_credential(app_client: TestClient, holder: UserView) -> None:
    response = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3", headers=bearer(app_client, "ada@example.org"))
    assert response.status_code == 200
    badge = response.json()
    assert badge["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == f"{BASE}/verify/{NUMBER}"
    assert badge["issuer"]["type"] == ["Profile"] and badge["issuer"]["id"].startswith(BASE)
    assert badge["issuer"]["name"]
    granted = NOW - timedelta(days=10)
    assert badge["validFrom"] == granted.replace(microsecond=0).isoformat().replace("+00:00", "Z")
    assert badge["validUntil"] == (granted + timedelta(days=3 * 365)).replace(microsecond=0).isoformat().replace(
        "+00:00", "Z"
    )
    assert badge["name"] == "Safety Officer"
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert "ada@example.org" not in json.dumps(badge) and "Ada Lovelace" not in json.dumps(badge)
    assert subject["identifier"][0]["hashed"] is True
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "Certification"
    assert achievement["name"] == "Safety Officer" and "CSO" in achievement["description"]
    assert achievement["criteria"]["narrative"]
    assert badge["credentialStatus"] == [
        {
            "id": f"{BASE}/api/v1/status-lists/{purpose}#{INDEX}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": purpose,
            "statusListIndex": str(INDEX),
            "statusListCredential": f"{BASE}/api/v1/status-lists/{purpose}",
        }
        for purpose in ("revocation", "suspension")
    ]


@pytest.mark.parametrize(
    ("kind", "achievement_type"),
    [
        (SchemeKind.CERTIFICATION, "Certification"),
        (SchemeKind.ASSESSMENT_BASED_CERTIFICATE, "Certificate"),
        (SchemeKind.CERTIFICATE_OF_ATTENDANCE, "CertificateOfCompletion"),
    ],
)
def test_the_achievement_type_follows_the_schemes_kind(
    app_client: TestClient,
    services: Services,
    make_user: Callable[..., UserView],
    kind: SchemeKind,
    achievement_type: str,
) -> None:
    holder = make_user("holder@example.org")
    scheme = add_scheme(services, "KIND", kind)
    add_credential(
        services, scheme_id=scheme, user_id=holder.id, number="KIND-1", holder_name="H", index=5, valid_until=None
    )
    badge = app_client.get("/api/v1/credentials/KIND-1/ob3", headers=bearer(app_client, "holder@example.org")).json()
    assert badge["credentialSubject"]["achievement"]["achievementType"] == achievement_type
    assert "validUntil" not in badge  # no end date


def test_only_the_holder_and_admins_read_it(app_client: TestClient, holder: UserView) -> None:
    for suffix in ("ob3", "ob3.jwt"):
        path = f"/api/v1/credentials/{NUMBER}/{suffix}"
        assert app_client.get(path).status_code == 401
        assert app_client.get(path, headers=bearer(app_client, "grace@example.org")).status_code == 404
        assert app_client.get(path, headers=bearer(app_client, "admin@example.org")).status_code == 200
        assert (
            app_client.get(path.replace(NUMBER, "SAFE-0"), headers=bearer(app_client, "admin@example.org")).status_code
            == 404
        )


def test_the_vc_jwt_verifies_with_the_published_key(app_client: TestClient, holder: UserView) -> None:
    ada = bearer(app_client, "ada@example.org")
    response = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3.jwt", headers=ada)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vc+jwt")
    header, payload = verified(app_client, response.text)
    assert header == {"alg": "EdDSA", "kid": header["kid"], "typ": "vc+jwt"}
    assert payload == app_client.get(f"/api/v1/credentials/{NUMBER}/ob3", headers=ada).json()
    encoded_header, _, signature = response.text.split(".")
    tampered = json.dumps({**payload, "name": "Chief Safety Officer"}, separators=(",", ":")).encode()
    forged = f"{encoded_header}.{base64.urlsafe_b64encode(tampered).rstrip(b'=').decode()}.{signature}"
    with pytest.raises(InvalidSignature):
        verified(app_client, forged)


def test_rotation_signs_with_the_new_key_and_old_credentials_still_verify(
    app_client: TestClient, services: Services, holder: UserView
) -> None:
    ada = bearer(app_client, "ada@example.org")
    before = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3.jwt", headers=ada).text
    old_kid = verified(app_client, before)[0]["kid"]
    new_key = services.db.call(signing_keys.rotate, actor_id=None, now=NOW)
    assert new_key.kid != old_kid
    after = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3.jwt", headers=ada).text
    assert verified(app_client, after)[0]["kid"] == new_key.kid
    assert verified(app_client, before)[0]["kid"] == old_kid  # the retired key is still published
    kids = [key["kid"] for key in app_client.get("/.well-known/jwks.json").json()["keys"]]
    assert sorted(kids) == sorted([old_kid, new_key.kid])


def test_an_admin_or_the_cli_rotates_the_key(
    app_client: TestClient,
    settings: Settings,
    holder: UserView,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert (
        app_client.post("/api/v1/signing-keys/rotate", headers=bearer(app_client, "ada@example.org")).status_code == 403
    )
    rotated = app_client.post("/api/v1/signing-keys/rotate", headers=bearer(app_client, "admin@example.org"))
    assert rotated.status_code == 201
    by_api = rotated.json()["kid"]
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    assert cli.main(["signing-key", "rotate"]) == 0
    by_cli = capsys.readouterr().out.split()[3].rstrip(";")
    assert by_cli != by_api
    assert {by_api, by_cli} <= {key["kid"] for key in app_client.get("/.well-known/jwks.json").json()["keys"]}
    token = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3.jwt", headers=bearer(app_client, "ada@example.org"))
    assert verified(app_client, token.text)[0]["kid"] == by_cli


def status_bit(client: TestClient, purpose: str, index: int = INDEX) -> bool:
    response = client.get(f"/api/v1/status-lists/{purpose}")
    assert response.status_code == 200
    listed = response.json()
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = listed["credentialSubject"]
    assert (subject["type"], subject["statusPurpose"]) == ("BitstringStatusList", purpose)
    encoded = subject["encodedList"]
    assert encoded.startswith("u") and "=" not in encoded
    bits = gzip.decompress(b64decode(encoded[1:]))
    assert len(bits) * 8 >= 131_072
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_the_status_bits_follow_suspension_reinstatement_and_revocation(
    app_client: TestClient, services: Services, holder: UserView
) -> None:
    assert not status_bit(app_client, "suspension") and not status_bit(app_client, "revocation")
    set_dates(services, NUMBER, suspended_at=NOW)
    assert status_bit(app_client, "suspension") and not status_bit(app_client, "revocation")
    assert not status_bit(app_client, "suspension", INDEX + 1) and not status_bit(app_client, "suspension", INDEX - 1)
    set_dates(services, NUMBER, suspended_at=None)  # reinstated
    assert not status_bit(app_client, "suspension")
    set_dates(services, NUMBER, revoked_at=NOW)
    assert status_bit(app_client, "revocation") and not status_bit(app_client, "suspension")
    assert app_client.get("/api/v1/status-lists/expiry").status_code == 404


def test_the_status_list_is_public_and_signed_on_request(
    app_client: TestClient, services: Services, holder: UserView
) -> None:
    set_dates(services, NUMBER, suspended_at=NOW)
    response = app_client.get("/api/v1/status-lists/suspension", headers={"Accept": "application/vc+jwt"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/vc+jwt")
    header, payload = verified(app_client, response.text)
    assert header["typ"] == "vc+jwt"
    assert (
        payload["credentialSubject"]["encodedList"]
        == app_client.get("/api/v1/status-lists/suspension").json()["credentialSubject"]["encodedList"]
    )


def test_the_admins_suspend_reinstate_and_revoke_flip_the_bits_of_a_still_verifiable_credential(
    app_client: TestClient, holder: UserView
) -> None:
    admin = bearer(app_client, "admin@example.org")
    token = app_client.get(f"/api/v1/credentials/{NUMBER}/ob3.jwt", headers=bearer(app_client, "ada@example.org"))
    _, credential = verified(app_client, token.text)
    entries = {entry["statusPurpose"]: entry for entry in credential["credentialStatus"]}
    assert {entry["statusListIndex"] for entry in entries.values()} == {str(INDEX)}

    def act(action: str) -> None:
        done = app_client.post(f"/api/v1/credentials/{NUMBER}/{action}", json={"reason": "Review"}, headers=admin)
        assert done.status_code == 200, done.text

    act("suspend")
    assert status_bit(app_client, "suspension") and not status_bit(app_client, "revocation")
    act("reinstate")
    assert not status_bit(app_client, "suspension") and not status_bit(app_client, "revocation")
    act("revoke")
    assert status_bit(app_client, "revocation")
    assert verified(app_client, token.text)[1]["id"] == credential["id"]  # the signature still holds; the bit speaks
