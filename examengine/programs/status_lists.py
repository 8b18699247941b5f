"""Bitstring Status Lists (W3C Bitstring Status List v1.0) for revocation and for suspension.

Each credential owns one bit (`status_index`) in both lists. The lists are computed on every read from the
credentials' own dates, so a suspension shows at the next fetch: bit i is set in the revocation list when the
credential is revoked, in the suspension list while it is suspended (and not revoked). The bitstring is at least
131,072 bits (the specification's minimum, for herd privacy), its first bit the most significant bit of the first
byte, GZIP-compressed and encoded as multibase base64url without padding (prefix "u").
"""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session, col

from examengine.programs.models import ProgramCredential
from examengine.programs.signing_keys import b64url

REVOCATION = "revocation"
SUSPENSION = "suspension"
PURPOSES = (REVOCATION, SUSPENSION)
MIN_BITS = 131_072
LIST_TTL_MS = 5_000  # how long a verifier may keep a fetched list (the specification's `ttl`, milliseconds)
V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def list_url(base: str, purpose: str) -> str:
    return f"{base}/api/v1/status-lists/{purpose}"


def set_indexes(*, session: Session, purpose: str, now: datetime) -> set[int]:
    """The status indexes whose bit is set in the `purpose` list at `now`."""
    rows = session.execute(
        select(
            col(ProgramCredential.status_index), col(ProgramCredential.suspended_at), col(ProgramCredential.revoked_at)
        ).where(or_(col(ProgramCredential.revoked_at).is_not(None), col(ProgramCredential.suspended_at).is_not(None)))
    ).all()
    revoked = {index for index, _, revoked_at in rows if revoked_at is not None and revoked_at <= now}
    if purpose == REVOCATION:
        return revoked
    return {
        index
        for index, suspended_at, _ in rows
        if suspended_at is not None and suspended_at <= now and index not in revoked
    }


def encoded_list(indexes: Iterable[int]) -> str:
    wanted = set(indexes)
    size = max(MIN_BITS, (max(wanted, default=0) // MIN_BITS + 1) * MIN_BITS)
    bits = bytearray(size // 8)
    for index in wanted:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def bit_is_set(encoded: str, index: int) -> bool:
    """Read bit `index` of an encoded list (what a verifier does)."""
    bits = gzip.decompress(_b64url_decode(encoded.removeprefix("u")))
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def status_list_credential(
    *, session: Session, purpose: str, base: str, issuer: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """The BitstringStatusListCredential of `purpose` at `now`."""
    url = list_url(base, purpose)
    return {
        "@context": [V2_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": timestamp(now),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list(set_indexes(session=session, purpose=purpose, now=now)),
            "ttl": LIST_TTL_MS,
        },
    }


def timestamp(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
