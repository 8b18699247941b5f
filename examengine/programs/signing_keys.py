"""The Ed25519 keys that sign Open Badges credentials and status lists (VC-JWT, RFC 7515 compact JWS with EdDSA).

The newest key that is not retired signs; a rotation makes a new key and retires the others from signing, but every
key stays published at /.well-known/jwks.json so that a credential signed years ago still verifies. The signature
itself is the `cryptography` library's Ed25519; this module only lays out the JWS (base64url of header and payload).
A key's id is its RFC 7638 JWK thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import JSON, Column, LargeBinary, select
from sqlmodel import Field, Session, SQLModel, col

from examengine.audit.kinds import AuditKind
from examengine.audit.service import record
from examengine.db import UTCDateTime

ALGORITHM = "EdDSA"
JWT_TYPE = "vc+jwt"


class SigningKey(SQLModel, table=True):
    __tablename__ = "signing_key"

    kid: str = Field(primary_key=True, max_length=64)
    public_jwk: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # {kty, crv, x}
    private_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # PKCS#8 DER
    created_at: datetime = Field(sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # no longer signs; still published


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638: SHA-256 of the required members in lexicographic order, without whitespace."""
    required = {"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"]}
    return b64url(hashlib.sha256(json.dumps(required, separators=(",", ":"), sort_keys=True).encode()).digest())


def _new_key(now: datetime) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(raw_public)}
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(kid=thumbprint(jwk), public_jwk=jwk, private_key=der, created_at=now)


def all_keys(*, session: Session) -> list[SigningKey]:
    return list(session.scalars(select(SigningKey).order_by(col(SigningKey.created_at).desc(), col(SigningKey.kid))))


def published(*, session: Session) -> dict[str, Any]:
    """The JWK Set of every key, newest first (retired keys too: what they signed still verifies)."""
    return {
        "keys": [
            {**key.public_jwk, "kid": key.kid, "alg": ALGORITHM, "use": "sig"} for key in all_keys(session=session)
        ]
    }


def signer(*, session: Session, now: datetime) -> SigningKey:
    """The key that signs now: the newest one not retired, made on first use."""
    found = session.scalars(
        select(SigningKey)
        .where(col(SigningKey.retired_at).is_(None))
        .order_by(col(SigningKey.created_at).desc(), col(SigningKey.kid))
    ).first()
    if found is not None:
        return found
    made = _new_key(now)
    session.add(made)
    session.flush()
    return made


def rotate(*, session: Session, actor_id: str | None, now: datetime) -> SigningKey:
    """Make a new signing key and retire the others from signing (they stay published)."""
    for key in session.scalars(select(SigningKey).where(col(SigningKey.retired_at).is_(None))):
        key.retired_at = now
        session.add(key)
    made = _new_key(now)
    session.add(made)
    session.flush()
    record(
        session=session,
        kind=AuditKind.SIGNING_KEY_ROTATED,
        actor_id=actor_id,
        subject=f"signing_key:{made.kid}",
        detail={"kid": made.kid},
        at=now,
    )
    return made


def compact_jws(key: SigningKey, payload: dict[str, Any]) -> str:
    """A compact JWS of `payload` signed by `key`: header {alg: EdDSA, kid, typ: vc+jwt}."""
    header = {"alg": ALGORITHM, "kid": key.kid, "typ": JWT_TYPE}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode()) for part in (header, payload)
    )
    private = serialization.load_der_private_key(key.private_key, password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return f"{signing_input}.{b64url(private.sign(signing_input.encode('ascii')))}"


def sign(*, session: Session, payload: dict[str, Any], now: datetime) -> str:
    return compact_jws(signer(session=session, now=now), payload)
