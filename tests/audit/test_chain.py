"""The one serialisation behind every hash: hand-written canonical bytes, normalisation, and a round trip
through each engine that reads back exactly what was hashed."""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from examengine.audit import chain
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRecord
from examengine.audit.service import record
from examengine.context import Services
from tests.audit.conftest import check

AT = datetime(2026, 11, 23, 18, 30, 0, 5, tzinfo=UTC)


def test_a_record_hash_is_sha256_of_the_documented_canonical_json() -> None:
    written_by_hand = (
        '{"actor_id":"ab","at":"2026-11-23T18:30:00.000005Z","detail":{"a":[1,2.5,"\\u00e9"],"b":null},'
        '"id":7,"kind":"role_changed","prev_hash":"00","subject":"user:x","table":"audit_record"}'
    )
    computed = chain.record_hash(
        id=7,
        at=AT,
        kind="role_changed",
        actor_id="ab",
        subject="user:x",
        detail={"b": None, "a": [1, 2.5, "é"]},
        prev_hash="00",
    )
    assert computed == hashlib.sha256(written_by_hand.encode()).hexdigest()


def test_an_attempt_event_hash_and_the_genesis_values() -> None:
    written_by_hand = (
        '{"actor_id":null,"at":"2026-11-23T18:30:00.000005Z","attempt_id":"t1","client_time":null,'
        '"detail":{},"prev_hash":"' + chain.attempt_genesis("t1") + '","table":"attempt_event","type":"expired"}'
    )
    computed = chain.attempt_event_hash(
        attempt_id="t1",
        at=AT,
        actor_id=None,
        type="expired",
        client_time=None,
        detail={},
        prev_hash=chain.attempt_genesis("t1"),
    )
    assert computed == hashlib.sha256(written_by_hand.encode()).hexdigest()
    assert chain.attempt_genesis("t1") == hashlib.sha256(b"examengine attempt_event genesis:t1").hexdigest()
    assert chain.attempt_genesis("t1") != chain.attempt_genesis("t2")
    assert hashlib.sha256(b"examengine audit_record genesis").hexdigest() == chain.RECORD_GENESIS


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05.000000Z"),
        (datetime(2026, 1, 2, 3, 4, 5, 999999, tzinfo=UTC), "2026-01-02T03:04:05.999999Z"),
        (datetime(2026, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))), "2026-01-02T03:04:05.000000Z"),
        (datetime(2026, 1, 2, 3, 4, 5), "2026-01-02T03:04:05.000000Z"),  # naive: stored UTC (SQLite)
        (None, None),
    ],
)
def test_timestamps_are_utc_with_six_fractional_digits(moment: datetime | None, expected: str | None) -> None:
    assert chain.timestamp(moment) == expected


@pytest.mark.parametrize(
    ("detail", "normalized"),
    [
        ({"b": 1, "a": "x"}, {"a": "x", "b": 1}),
        ({"nul": "a\x00b"}, {"nul": "a\ufffdb"}),
        ({"surrogate": "a\udc80b"}, {"surrogate": "a?b"}),
        ({"nan": math.nan, "inf": -math.inf}, {"nan": "nan", "inf": "-inf"}),
        ({1: (1, 2), "t": True}, {"1": [1, 2], "t": True}),
        ({"when": AT}, {"when": "2026-11-23T18:30:00.000005Z"}),
        ({"k\x00": {"deep": [math.inf]}}, {"k\ufffd": {"deep": ["inf"]}}),
        ("not a dict", {"value": "not a dict"}),
        (None, {"value": None}),
    ],
)
def test_details_are_normalised_to_what_both_engines_store(detail: Any, normalized: dict[str, Any]) -> None:
    assert chain.normalize(detail) == normalized


def test_a_checkpoint_signature_needs_the_key() -> None:
    signature = chain.sign("key-one", "abc")
    assert chain.signature_ok("key-one", "abc", signature)
    assert not chain.signature_ok("key-two", "abc", signature)
    assert not chain.signature_ok("key-one", "abd", signature)


TRICKY: dict[str, Any] = {
    "unicode": "é€😀 \u2028 \\ \" '",
    "floats": [0.1, 1e300, -0.0, 1.5e-8, 123456789.123456789],
    "ints": [0, -1, 2**53 + 1, 2**62],
    "nested": {"z": {"y": [True, False, None, {}]}, "a": []},
    "empty": "",
    "nul": "x\x00y",
}


def test_a_round_trip_through_the_engine_reads_back_the_hashed_bytes(services: Services) -> None:
    odd_time = datetime(2026, 2, 28, 23, 59, 59, 999999, tzinfo=timezone(timedelta(hours=-5)))
    stored = services.db.call(
        record, kind=AuditKind.ROLE_CHANGED, actor_id=None, subject="user:é\x00", detail=TRICKY, at=odd_time
    )

    def read_back(*, session: Session) -> AuditRecord:
        return session.scalars(select(AuditRecord)).one()

    row = services.db.call(read_back, write=False)
    assert row.at == odd_time and row.subject == "user:é\ufffd"
    assert chain.canonical(row.detail) == chain.canonical(chain.normalize(TRICKY))
    recomputed = chain.record_hash(
        id=row.id,
        at=row.at,
        kind=row.kind,
        actor_id=row.actor_id,
        subject=row.subject,
        detail=row.detail,
        prev_hash=row.prev_hash,
    )
    assert recomputed == row.hash == stored.hash
    assert check(services).ok
