"""The hash chains' one serialisation (format 1; changing it would break every stored chain).

A record's hash is SHA-256 over the canonical JSON of its stored fields plus `table` and `prev_hash`: keys sorted,
no whitespace (`separators=(",", ":")`), ASCII only (other characters as `\\uXXXX`), times as ISO 8601 UTC with
exactly six fractional digits and a `Z` (`2026-11-23T18:30:00.000000Z`), absent values as `null`. JSON details are
normalised before they are stored (NUL, lone surrogates and non-finite numbers replaced, keys made strings) so that
what SQLite and PostgreSQL hand back serialises to the same bytes that were hashed.

- attempt_event: `{table, attempt_id, at, actor_id, type, client_time, detail, prev_hash}`; the first event of an
  attempt chains from `sha256("examengine attempt_event genesis:" + attempt_id)`. The row id is not hashed (it is
  assigned by the insert); the order is the id order, which the chain pins. `answer_saved` events are not chained
  (their hashes are empty): answer saves are the hot path, and the answers themselves live in `attempt_slot`.
- audit_record: `{table, id, at, kind, actor_id, subject, detail, prev_hash}`; ids are gapless from 1, the first
  chains from `sha256("examengine audit_record genesis")`.
- audit_checkpoint: `{table, id, at, upto_id, upto_hash, sealed_count, sealed_digest, counts, prev_hash}`, chained
  from `sha256("examengine audit_checkpoint genesis")` and signed with HMAC-SHA256(EXAMENGINE_AUDIT_KEY, hash).
- a checkpoint's `sealed_digest` is SHA-256 over `"{id}:{hash}\\n"` of every kept record up to `upto_id`, in id order.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from datetime import datetime
from typing import Any

from examengine.clock import as_utc

# Answer saves stay on the timeline but outside the chain: the save path is one update and one insert, no hashing.
UNCHAINED_EVENT = "answer_saved"
RECORD_GENESIS = hashlib.sha256(b"examengine audit_record genesis").hexdigest()
CHECKPOINT_GENESIS = hashlib.sha256(b"examengine audit_checkpoint genesis").hexdigest()


def attempt_genesis(attempt_id: str) -> str:
    return hashlib.sha256(f"examengine attempt_event genesis:{attempt_id}".encode()).hexdigest()


def timestamp(moment: datetime | None) -> str | None:
    return None if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def clean_text(value: str) -> str:
    """Text both engines store unchanged: PostgreSQL refuses NUL, and lone surrogates cannot be encoded."""
    return value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): _clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(item) for item in value]
    if isinstance(value, datetime):
        return timestamp(value)
    return clean_text(str(value))


def canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode()


def normalize(detail: Any) -> dict[str, Any]:
    """The detail as it will read back from either engine (a dict; anything else is wrapped as `value`)."""
    cleaned = _clean(detail if isinstance(detail, dict) else {"value": detail})
    normalized: dict[str, Any] = json.loads(canonical(cleaned))
    return normalized


def digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(fields)).hexdigest()


def attempt_event_hash(
    *,
    attempt_id: str,
    at: datetime,
    actor_id: str | None,
    type: str,
    client_time: datetime | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    return digest(
        {
            "table": "attempt_event",
            "attempt_id": attempt_id,
            "at": timestamp(at),
            "actor_id": actor_id,
            "type": type,
            "client_time": timestamp(client_time),
            "detail": detail,
            "prev_hash": prev_hash,
        }
    )


def record_hash(
    *, id: int, at: datetime, kind: str, actor_id: str | None, subject: str, detail: dict[str, Any], prev_hash: str
) -> str:
    return digest(
        {
            "table": "audit_record",
            "id": id,
            "at": timestamp(at),
            "kind": kind,
            "actor_id": actor_id,
            "subject": subject,
            "detail": detail,
            "prev_hash": prev_hash,
        }
    )


def checkpoint_hash(
    *,
    id: int,
    at: datetime,
    upto_id: int,
    upto_hash: str,
    sealed_count: int,
    sealed_digest: str,
    counts: dict[str, Any],
    prev_hash: str,
) -> str:
    return digest(
        {
            "table": "audit_checkpoint",
            "id": id,
            "at": timestamp(at),
            "upto_id": upto_id,
            "upto_hash": upto_hash,
            "sealed_count": sealed_count,
            "sealed_digest": sealed_digest,
            "counts": counts,
            "prev_hash": prev_hash,
        }
    )


def sign(key: str, value: str) -> str:
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()


def signature_ok(key: str, value: str, signature: str) -> bool:
    return hmac.compare_digest(sign(key, value), signature)


class SealDigest:
    """The running digest of the kept records a checkpoint seals."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()
        self.count = 0

    def add(self, record_id: int, record_hash: str) -> None:
        self._hash.update(f"{record_id}:{record_hash}\n".encode())
        self.count += 1

    def hexdigest(self) -> str:
        return self._hash.hexdigest()
