"""Credentials for life through the services (API.md "Credentials"), on both engines, with time passed as `now`:
status boundaries, suspend/reinstate/revoke, the reinstatement window, CE counting and renewal, numbers stable for
life and unique under concurrent awards, certificates of attendance, reminders sent once each."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, col

from examengine.accounts.models import Role
from examengine.accounts.service import UserView
from examengine.audit.models import AuditRecord
from examengine.context import Services
from examengine.errors import Conflict, InvalidInput, NotFound
from examengine.mail.models import OutboxMail
from examengine.programs import credentials
from examengine.programs.models import CredentialEvent, SchemeKind
from tests.programs.credential_helpers import T0, as_principal, award, make_scheme, stored

SECOND = timedelta(seconds=1)
TINY = timedelta(microseconds=1)
Maker = Callable[..., UserView]


def _status(services: Services, number: str, now: Any) -> str:
    who = as_principal(_admin_of(services), Role.ADMIN)
    return services.db.call(credentials.get_credential, number=number, who=who, now=now, write=False).status.value


_ADMINS: dict[int, UserView] = {}


def _admin_of(services: Services) -> UserView:
    return _ADMINS[id(services)]


@pytest.fixture
def people(services: Services, make_user: Maker) -> dict[str, UserView]:
    found = {
        "admin": make_user("admin@example.org", "admin", name="Ada Admin"),
        "holder": make_user("holder@example.org", "candidate", name="Hal Holder"),
        "other": make_user("other@example.org", "candidate", name="Olga Other"),
    }
    _ADMINS[id(services)] = found["admin"]
    return found


def _decide(services: Services, action: credentials.Action, number: str, now: Any, reason: str = "because") -> Any:
    admin = _admin_of(services)
    return services.db.call(action, number=number, reason=reason, actor_id=admin.id, now=now)


def test_status_follows_time_at_the_exact_boundaries(services: Services, people: dict[str, UserView]) -> None:
    number = award(services, make_scheme(services), people["holder"])
    credential = stored(services, number)
    assert credential.granted_at == credential.cycle_starts == T0
    assert credential.valid_until == T0 + 10 * SECOND
    ends = T0 + 10 * SECOND
    assert _status(services, number, ends - TINY) == "active"
    assert _status(services, number, ends) == "grace"
    assert _status(services, number, ends + 5 * SECOND - TINY) == "grace"
    assert _status(services, number, ends + 5 * SECOND) == "lapsed"


def test_numbers_follow_scheme_and_year_and_status_indexes_are_unique(
    services: Services, people: dict[str, UserView], make_user: Maker
) -> None:
    safe, fire = make_scheme(services), make_scheme(services, "fire")
    first = award(services, safe, people["holder"])
    second = award(services, safe, people["other"])
    third = award(services, fire, people["holder"])
    next_year = award(services, safe, make_user("late@example.org"), T0.replace(year=2027))
    assert [first, second, third, next_year] == [
        "SAFE-2026-000001",
        "SAFE-2026-000002",
        "FIRE-2026-000001",
        "SAFE-2027-000001",
    ]
    indexes = {stored(services, n).status_index for n in (first, second, third, next_year)}
    assert len(indexes) == 4


def test_concurrent_awards_never_share_a_number(services: Services, make_user: Maker) -> None:
    scheme = make_scheme(services)
    holders = [make_user(f"h{n}@example.org") for n in range(8)]
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(holders))

    def one(user: UserView) -> None:
        try:
            barrier.wait()
            numbers.append(award(services, scheme, user))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=one, args=(u,)) for u in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(numbers) == [f"SAFE-2026-{n:06d}" for n in range(1, 9)]
    assert len({stored(services, n).status_index for n in numbers}) == 8


def test_suspend_reinstate_revoke_rules(services: Services, people: dict[str, UserView]) -> None:
    number = award(services, make_scheme(services), people["holder"])
    now = T0 + 2 * SECOND
    with pytest.raises(InvalidInput) as missing:
        _decide(services, credentials.suspend, number, now, reason="  ")
    assert missing.value.code == "reason_required"
    with pytest.raises(Conflict) as nothing:
        _decide(services, credentials.reinstate, number, now)
    assert nothing.value.code == "not_reinstatable"
    _decide(services, credentials.suspend, number, now)
    assert _status(services, number, now) == "suspended"
    assert _status(services, number, now + 100 * SECOND) == "suspended"  # time does not lift a suspension
    with pytest.raises(Conflict):
        _decide(services, credentials.suspend, number, now)
    _decide(services, credentials.reinstate, number, now + SECOND)
    assert _status(services, number, now + SECOND) == "active"
    assert stored(services, number).suspended_at is None
    _decide(services, credentials.revoke_credential, number, now + 2 * SECOND)
    for action in (credentials.suspend, credentials.reinstate, credentials.revoke_credential):
        with pytest.raises(Conflict) as final:
            _decide(services, action, number, now + 3 * SECOND)
        assert final.value.code == "credential_revoked"
    assert _status(services, number, now + 3 * SECOND) == "revoked"
    _decide(services, credentials.restore_credential, number, now + 4 * SECOND)
    assert _status(services, number, now + 4 * SECOND) == "active"
    kinds = [e.kind for e in _events(services, number)]
    assert kinds == ["awarded", "suspended", "reinstated", "revoked", "restored"]
    audited = _audit_kinds(services, number)
    assert audited == [
        "credential_awarded",
        "credential_suspended",
        "credential_reinstated",
        "credential_revoked",
        "credential_restored",
    ]


def test_a_lapsed_credential_is_reinstated_only_within_the_period(
    services: Services, people: dict[str, UserView]
) -> None:
    scheme = make_scheme(services)
    number = award(services, scheme, people["holder"])
    other = award(services, scheme, people["other"])
    lapse = T0 + 15 * SECOND  # valid_until + grace
    with pytest.raises(Conflict):
        _decide(services, credentials.suspend, number, lapse)  # a lapsed one is not suspended
    closes = lapse + 20 * SECOND
    with pytest.raises(Conflict) as late:
        _decide(services, credentials.reinstate, other, closes)
    assert late.value.code == "reinstatement_period_over"
    _decide(services, credentials.reinstate, number, closes - TINY)
    credential = stored(services, number)
    assert credential.number == number
    assert credential.cycle_starts == closes - TINY
    assert credential.valid_until == closes - TINY + 10 * SECOND
    assert _status(services, number, closes) == "active"


def _record(
    services: Services, number: str, user: UserView, credits: float, on: date, category: str | None = None
) -> None:
    services.db.call(
        credentials.record_activity,
        number=number,
        who=as_principal(user),
        title="Course",
        provider="Provider",
        category=category,
        credits=credits,
        completed_on=on,
        now=T0,
    )


def _cycle(services: Services, number: str, user: UserView) -> credentials.CycleView:
    return services.db.call(credentials.current_cycle, number=number, who=as_principal(user), write=False)


def test_ce_counts_within_the_cycle_dates_inclusive_and_per_category(
    services: Services, people: dict[str, UserView]
) -> None:
    scheme = make_scheme(services, cycle="P1Y", grace_period="P90D")
    holder = people["holder"]
    number = award(services, scheme, holder)
    first, last = T0.date(), date(2027, 3, 1)
    _record(services, number, holder, 1, first - timedelta(days=1))  # before the cycle
    _record(services, number, holder, 1.5, first, "ethics")
    _record(services, number, holder, 2, last)
    _record(services, number, holder, 4, last + timedelta(days=1))  # after it
    cycle = _cycle(services, number, holder)
    assert (cycle.credits_required, cycle.credits_earned) == (6, 3.5)
    assert cycle.by_category == {"ethics": 1.5}
    assert (cycle.shortfall.total, cycle.shortfall.by_category) == (2.5, {"ethics": 0.5})
    with pytest.raises(InvalidInput) as refused:
        services.db.call(credentials.renew, number=number, who=as_principal(holder), now=T0 + SECOND)
    assert refused.value.code == "ce_shortfall"
    assert refused.value.details["shortfall"] == {"total": 2.5, "by_category": {"ethics": 0.5}}
    _record(services, number, holder, 3, last, "general")
    short = _cycle(services, number, holder).shortfall
    assert (short.total, short.by_category) == (0, {"ethics": 0.5})  # the total is met, ethics is not
    _record(services, number, holder, 0.5, last, "ethics")
    assert _cycle(services, number, holder).shortfall.met


def test_renewal_by_ce_starts_the_next_cycle_from_the_old_end(services: Services, people: dict[str, UserView]) -> None:
    holder = people["holder"]
    number = award(services, make_scheme(services), holder)
    _record(services, number, holder, 6, T0.date(), "ethics")
    grace = T0 + 12 * SECOND
    with pytest.raises(NotFound):  # only the holder renews
        services.db.call(credentials.renew, number=number, who=as_principal(people["other"]), now=grace)
    services.db.call(credentials.renew, number=number, who=as_principal(holder), now=grace)
    credential = stored(services, number)
    assert (credential.number, credential.cycle_starts) == (number, T0 + 10 * SECOND)
    assert credential.valid_until == T0 + 20 * SECOND
    assert _status(services, number, grace) == "active"
    assert _audit_kinds(services, number)[-1] == "credential_renewed"
    lapsed = award(services, make_scheme(services, "late"), people["other"])
    with pytest.raises(Conflict) as over:
        services.db.call(credentials.renew, number=lapsed, who=as_principal(people["other"]), now=T0 + 15 * SECOND)
    assert over.value.code == "credential_lapsed"


@pytest.mark.parametrize("kind", [SchemeKind.ASSESSMENT_BASED_CERTIFICATE, SchemeKind.CERTIFICATE_OF_ATTENDANCE])
def test_other_kinds_have_no_recertification(services: Services, people: dict[str, UserView], kind: str) -> None:
    holder = people["holder"]
    number = award(services, make_scheme(services, "TERM", kind=kind, recertification=None), holder)
    with pytest.raises(Conflict) as no_ce:
        _record(services, number, holder, 1, T0.date())
    assert no_ce.value.code == "no_recertification"
    with pytest.raises(Conflict):
        services.db.call(credentials.renew, number=number, who=as_principal(holder), now=T0)
    with pytest.raises(Conflict):
        _cycle(services, number, holder)


def test_certificates_of_attendance(services: Services, people: dict[str, UserView]) -> None:
    make_scheme(services, "CONF", kind=SchemeKind.CERTIFICATE_OF_ATTENDANCE, cycle=None, recertification=None)
    exam_scheme = make_scheme(services)
    ids = [people["holder"].id, people["other"].id]

    def attend(code: str, user_ids: list[str]) -> list[credentials.CredentialView]:
        return services.db.call(
            credentials.award_attendance,
            code=code,
            user_ids=user_ids,
            event="Safety Summit 2026",
            attended_on=date(2026, 2, 20),
            actor_id=people["admin"].id,
            now=T0,
        )

    views = attend("CONF", ids)
    assert [v.number for v in views] == ["CONF-2026-000001", "CONF-2026-000002"]
    assert {(v.event, v.attended_on, v.valid_until, v.attempt_id, v.status.value) for v in views} == {
        ("Safety Summit 2026", date(2026, 2, 20), None, None, "active")
    }
    with pytest.raises(Conflict) as again:
        attend("CONF", ids)
    assert again.value.code == "already_awarded" and again.value.details["user_ids"] == ids
    with pytest.raises(Conflict) as wrong:
        attend(exam_scheme.code, ids)
    assert wrong.value.code == "not_attendance_scheme"
    with pytest.raises(InvalidInput) as unknown:
        attend("CONF", ["f" * 32])
    assert unknown.value.code == "unknown_users"


def test_reminders_are_sent_once_each_before_the_end_and_at_grace(
    services: Services, people: dict[str, UserView]
) -> None:
    number = award(services, make_scheme(services, cycle="PT8S"), people["holder"])

    def send(now: Any) -> int:
        return services.db.call(credentials.send_reminders, settings=services.settings, now=now)

    assert send(T0 + 5 * SECOND) == 0  # lead: a quarter of an 8 s cycle, 2 s
    assert send(T0 + 6 * SECOND) == 1
    assert send(T0 + 7 * SECOND) == 0
    assert send(T0 + 8 * SECOND) == 1  # grace starts
    assert send(T0 + 9 * SECOND) == 0
    assert send(T0 + 20 * SECOND) == 0  # lapsed
    subjects = [m.subject for m in _outbox(services)]
    assert len(subjects) == 2 and all(number in s for s in subjects)
    assert "about to end" in subjects[0] and "grace" in subjects[1]


def _outbox(services: Services) -> list[OutboxMail]:
    def read(*, session: Session) -> list[OutboxMail]:
        rows = list(session.scalars(select(OutboxMail).order_by(col(OutboxMail.created_at))))
        for row in rows:
            session.expunge(row)
        return rows

    return services.db.call(read, write=False)


def _events(services: Services, number: str) -> list[CredentialEvent]:
    credential_id = stored(services, number).id

    def read(*, session: Session) -> list[CredentialEvent]:
        query = select(CredentialEvent).where(col(CredentialEvent.credential_id) == credential_id)
        rows = list(session.scalars(query.order_by(col(CredentialEvent.at))))
        for row in rows:
            session.expunge(row)
        return rows

    return services.db.call(read, write=False)


def _audit_kinds(services: Services, number: str) -> list[str]:
    def read(*, session: Session) -> list[str]:
        query = select(AuditRecord).where(col(AuditRecord.subject) == f"credential:{number}")
        return [str(r.kind) for r in session.scalars(query.order_by(col(AuditRecord.id)))]

    return services.db.call(read, write=False)
