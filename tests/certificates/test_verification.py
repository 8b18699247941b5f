"""Verification by code (valid, expired, revoked, unknown; typed as people type), revocation and its record."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from examengine.certificates import codes, service
from examengine.certificates.models import Certificate, CertificateStatus
from examengine.errors import Conflict, InvalidInput, NotFound, Throttled
from examengine.settings import ThrottleLimits
from tests.certificates.conftest import issue, passed_attempt
from tests.scoring.conftest import Program

LIMITS = ThrottleLimits(window_seconds=900, per_address=3)
ADDRESS = "192.0.2.7"


def verify(program: Program, code: str, now: datetime | None = None, address: str = ADDRESS) -> service.Verification:
    return program.call(service.verify, code=code, address=address, limits=LIMITS, now=now or datetime.now(UTC))


def revoke(program: Program, code: str, reason: str, now: datetime | None = None) -> service.AdminCertificate:
    return program.call(
        service.revoke, code=code, actor_id=program.admin.id, reason=reason, now=now or datetime.now(UTC)
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("7K3MQW2D9TXB4HNP", "7K3MQW2D9TXB4HNP"),
        ("7k3m-qw2d-9txb-4hnp", "7K3MQW2D9TXB4HNP"),
        (" 7K3M QW2D 9TXB 4HNP ", "7K3MQW2D9TXB4HNP"),
        ("7K3M_QW2D.9TXB-4HNP", "7K3MQW2D9TXB4HNP"),
        ("OOOO-IIII-LLLL-oili", "0000111111110111"),  # Crockford's look-alikes read as digits
        ("7K3M-QW2D-9TXB-4HN", None),  # one symbol short
        ("7K3M-QW2D-9TXB-4HNPP", None),  # one too many
        ("7K3M-QW2D-9TXB-4HNU", None),  # U is not a symbol
        ("7K3M-QW2D-9TXB-4HN!", None),
        ("", None),
        ("-" * 60 + "7K3MQW2D9TXB4HNP", None),  # longer than anyone types: refused unread
    ],
)
def test_typed_codes_are_read_forgivingly_and_strictly(typed: str, expected: str | None) -> None:
    assert codes.normalize(typed) == expected


def test_new_codes_are_16_symbols_of_the_alphabet_and_print_in_groups() -> None:
    drawn = {codes.new_code() for _ in range(500)}
    assert len(drawn) == 500
    assert all(len(code) == 16 and set(code) <= set(codes.ALPHABET) for code in drawn)
    assert len(codes.ALPHABET) == 32 and not set("ILOU") & set(codes.ALPHABET)
    assert codes.grouped("7K3MQW2D9TXB4HNP") == "7K3M-QW2D-9TXB-4HNP"


def test_a_valid_certificate_verifies_however_its_code_is_typed(
    program: Program, certified: tuple[str, Certificate]
) -> None:
    _, certificate = certified
    printed = codes.grouped(certificate.code)
    for typed in (certificate.code, printed, printed.lower(), " ".join(printed.split("-"))):
        found = verify(program, typed)
        assert found == service.Verification(
            printed,
            CertificateStatus.VALID,
            "Candidate 0",
            "Scoring",
            "SCORE-1",
            certificate.issued_at,
            None,
            None,
            None,
        )


def test_an_expired_certificate_says_so(program: Program) -> None:
    certificate = issue(program, passed_attempt(program, certificate_valid_days=30))
    assert certificate is not None and certificate.expires_at is not None
    assert verify(program, certificate.code, certificate.expires_at - timedelta(seconds=1)).status == "valid"
    assert verify(program, certificate.code, certificate.expires_at).status == "expired"


def test_unknown_and_malformed_codes_get_the_same_refusal(program: Program, certified: tuple[str, Certificate]) -> None:
    refusals: list[Any] = []
    for typed in ("0000-0000-0000-0000", "not a code", "x" * 500):
        with pytest.raises(NotFound) as refused:
            verify(program, typed, address=f"198.51.100.{len(refusals)}")
        refusals.append((refused.value.code, refused.value.message, str(refused.value.details)))
    assert len(set(refusals)) == 1 and refusals[0][0] == "certificate_not_found"


def test_misses_are_limited_per_address_and_hits_are_not_counted(
    program: Program, certified: tuple[str, Certificate]
) -> None:
    _, certificate = certified
    now = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)  # 5 s into a 15-minute window
    for _ in range(5):
        verify(program, certificate.code, now)  # hits never count
    for _ in range(LIMITS.per_address):
        with pytest.raises(NotFound):  # each miss is counted although the unit of work ends in an error
            verify(program, "0000-0000-0000-0000", now)
    with pytest.raises(Throttled) as throttled:
        verify(program, certificate.code, now)  # over budget: refused whatever the code
    assert throttled.value.retry_after_seconds == 896
    assert verify(program, certificate.code, now, address="192.0.2.8").status == "valid"  # another address
    assert verify(program, certificate.code, now + timedelta(minutes=15)).status == "valid"  # the next window


def test_revocation_records_who_when_and_why_and_shows_on_verification(
    program: Program, certified: tuple[str, Certificate]
) -> None:
    _, certificate = certified
    at = datetime.now(UTC).replace(microsecond=0)
    revoked = revoke(program, codes.grouped(certificate.code).lower(), "  Identity fraud found on review.  ", at)
    stored = revoked.certificate
    assert (stored.revoked_at, stored.revoked_by, stored.revoked_reason) == (
        at,
        program.admin.id,
        "Identity fraud found on review.",
    )
    assert revoked.status == CertificateStatus.REVOKED and revoked.revoked_by_name == "Test User"
    found = verify(program, certificate.code)
    assert (found.status, found.revoked_at, found.revoked_reason) == (
        CertificateStatus.REVOKED,
        at,
        "Identity fraud found on review.",
    )
    with pytest.raises(Conflict) as twice:
        revoke(program, certificate.code, "Again.", at + timedelta(days=1))
    assert twice.value.code == "certificate_revoked"
    assert verify(program, certificate.code).revoked_at == at  # the first revocation stands


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        ("", "reason_required"),
        ("   \n\t", "reason_required"),
        ("x" * 1001, "reason_too_long"),
        ("a\x00b", "reason_invalid"),
    ],
)
def test_revocation_needs_a_reason(
    program: Program, certified: tuple[str, Certificate], reason: str, code: str
) -> None:
    _, certificate = certified
    with pytest.raises(InvalidInput) as refused:
        revoke(program, certificate.code, reason)
    assert refused.value.code == code
    assert verify(program, certificate.code).status == "valid"


def test_revoking_an_unknown_code_is_not_found(program: Program) -> None:
    with pytest.raises(NotFound):
        revoke(program, "0000-0000-0000-0000", "No such certificate.")


def test_candidates_reach_only_their_own_certificates(program: Program, certified: tuple[str, Certificate]) -> None:
    _, certificate = certified
    owner, other = program.candidates[0].id, program.candidates[1].id
    assert program.call(service.own_certificate, code=certificate.code.lower(), user_id=owner).id == certificate.id
    with pytest.raises(NotFound):
        program.call(service.own_certificate, code=certificate.code, user_id=other)
    assert [c.id for c in program.call(service.candidate_certificates, user_id=owner)] == [certificate.id]
    assert program.call(service.candidate_certificates, user_id=other) == []


def test_admins_search_by_exam_code_name_or_email(program: Program, certified: tuple[str, Certificate]) -> None:
    _, first = certified
    second = issue(program, passed_attempt(program, who=1))
    assert second is not None
    now = datetime.now(UTC)

    def found(**kwargs: object) -> list[str]:
        return [row.certificate.id for row in program.call(service.search, now=now, **kwargs)]

    assert set(found()) == {first.id, second.id}
    assert found(query=codes.grouped(first.code).lower()) == [first.id]
    assert found(query="candidate 1") == [second.id]
    assert found(query="CAND0@example") == [first.id]
    assert found(exam_id=second.exam_id) == [second.id]
    assert found(exam_id=first.exam_id, query="Candidate 1") == []
    assert found(query="100%_") == []  # LIKE wildcards are matched literally
