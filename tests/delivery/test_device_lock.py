"""The device lock at the service level: which session may read and change an attempt, the second device noted once,
and the proctor's move to a new device (the old session ended, answers and clock kept)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlmodel import Session, col

from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind
from examengine.delivery import answers, attempt_view, attempts, device, trail
from examengine.delivery.models import Attempt, AttemptEvent
from examengine.errors import Conflict, DomainError, InvalidInput
from examengine.ids import token_digest
from examengine.proctoring import dashboard
from tests.conftest import save_answer
from tests.scoring.conftest import Program, program  # noqa: F401 - the fixture
from tests.shown import as_shown

LAPTOP, PHONE, TABLET, TOKEN = "laptop", "phone", "tablet", "token"


@dataclass
class Sitting:
    program: Program
    sitting_id: str
    attempt_id: str
    user_id: str
    sessions: dict[str, str | None]  # device name -> the holder key its requests carry (None: a bearer token)
    tokens: dict[str, str]  # device name -> the session's secret

    def call(self, fn: Callable[..., Any], /, **kwargs: Any) -> Any:
        return self.program.call(fn, **kwargs)

    def attempt(self) -> Attempt:
        found: Attempt | None = self.call(lambda *, session: session.get(Attempt, self.attempt_id))
        assert found is not None
        return found

    def set(self, **values: Any) -> None:
        def change(*, session: Session) -> None:
            session.execute(update(Attempt).where(col(Attempt.id) == self.attempt_id).values(**values))

        self.call(change)

    def events(self, kind: str) -> list[AttemptEvent]:
        def read(*, session: Session) -> list[AttemptEvent]:
            query = select(AttemptEvent).where(
                col(AttemptEvent.attempt_id) == self.attempt_id, col(AttemptEvent.type) == kind
            )
            return list(session.scalars(query.order_by(col(AttemptEvent.id))))

        found: list[AttemptEvent] = self.call(read)
        return found

    def holder_name(self) -> str | None:
        bound = self.attempt().holder_session
        return next((name for name, key in self.sessions.items() if key is not None and key == bound), bound)

    def shown(self, slot: int, authored: Any) -> Any:
        return as_shown(self.program.services.db, self.attempt_id, slot, authored)

    def outcome(self, fn: Callable[..., Any], /, **kwargs: Any) -> str:
        return outcome_of(lambda: self.call(fn, **kwargs))


def outcome_of(action: Callable[[], Any]) -> str:
    try:
        action()
    except DomainError as error:
        return error.code
    return "ok"


@pytest.fixture
def sitting(program: Program) -> Sitting:  # noqa: F811
    _, sitting_id = program.exam(essay=False)
    user = program.candidates[0]
    attempt_id = program.begin(sitting_id, user, {})
    tokens = {
        name: program.call(
            credentials.issue, user_id=user.id, kind=CredentialKind.WEB, lifetime=timedelta(hours=8), address=address
        ).token
        for name, address in ((LAPTOP, "10.0.0.1"), (PHONE, "10.0.0.2"), (TABLET, "10.0.0.3"))
    }
    sessions: dict[str, str | None] = {name: token_digest(token) for name, token in tokens.items()}
    return Sitting(program, sitting_id, attempt_id, user.id, {**sessions, TOKEN: None}, tokens)


def operations(s: Sitting, who: str) -> dict[str, Callable[[], str]]:
    """Every candidate action on the attempt, as the request of one device."""
    common = {"attempt_id": s.attempt_id, "user_id": s.user_id, "holder": s.sessions[who]}
    seq = iter(range(100, 200))
    return {
        "item page": lambda: s.outcome(device.claim, **common),
        "save": lambda: outcome_of(
            lambda: save_answer(s.program.services.db, **common, slot=1, response=s.shown(1, "A"), seq=next(seq))
        ),
        "flag": lambda: s.outcome(answers.set_flag, **common, slot=1, flagged=True),
        "browser event": lambda: s.outcome(
            answers.report_event, **common, kind="focus_lost", client_time=None, detail={}
        ),
        "submit": lambda: s.outcome(device.held(attempts.submit), **common),
    }


# (held by before, asking device, attempt status) -> (refused with device_locked, held by after an action that went
# through)
CASES = [
    (None, LAPTOP, "in_progress", False, LAPTOP),  # the first session to open it takes it
    (None, TOKEN, "in_progress", False, None),  # a bearer token is not bound and takes nothing
    (LAPTOP, LAPTOP, "in_progress", False, LAPTOP),  # same session: other tabs, reloads
    (LAPTOP, PHONE, "in_progress", True, LAPTOP),  # another session: the second device
    (LAPTOP, TOKEN, "in_progress", False, LAPTOP),
    (LAPTOP, LAPTOP, "paused", False, LAPTOP),
    (LAPTOP, PHONE, "paused", True, LAPTOP),
    (None, LAPTOP, "waiting", False, LAPTOP),
    (LAPTOP, PHONE, "waiting", True, LAPTOP),
    (LAPTOP, PHONE, "submitted", False, LAPTOP),  # a finished attempt: its result is for any device
    (LAPTOP, PHONE, "terminated", False, LAPTOP),
    (None, PHONE, "expired", False, None),
]


@pytest.mark.parametrize(("held_by", "who", "status", "locked", "held_after"), CASES)
def test_who_may_use_the_attempt(
    sitting: Sitting, held_by: str | None, who: str, status: str, locked: bool, held_after: str | None
) -> None:
    for name, action in operations(sitting, who).items():
        sitting.set(status=status, holder_session=sitting.sessions[held_by] if held_by else None)
        outcome = action()
        assert (outcome == device.LOCKED_CODE) is locked, (name, outcome)
        # a refusal (the lock's or the action's own rule) rolls back, taking of a free attempt included
        assert sitting.holder_name() == (held_after if outcome == "ok" else held_by), name


def test_the_save_answers_each_case_as_before_apart_from_the_lock(sitting: Sitting) -> None:
    save = operations(sitting, LAPTOP)["save"]
    for status, expected in (("in_progress", "ok"), ("paused", "attempt_paused"), ("waiting", "attempt_waiting")):
        sitting.set(status=status)
        assert save() == expected
    sitting.set(status="submitted")
    assert save() == "attempt_closed" and operations(sitting, PHONE)["save"]() == "attempt_closed"


def test_a_second_device_is_noted_once_per_session_however_often_it_retries(sitting: Sitting) -> None:
    assert operations(sitting, LAPTOP)["item page"]() == "ok"
    phone = operations(sitting, PHONE)
    for action in ("item page", "save", "save", "flag", "item page", "submit"):
        assert phone[action]() == device.LOCKED_CODE
    noted = sitting.events("second_device")
    assert len(noted) == 1
    laptop_key, phone_key = sitting.sessions[LAPTOP], sitting.sessions[PHONE]
    assert laptop_key and phone_key
    assert noted[0].detail == {"session": phone_key[:8], "address": "10.0.0.2", "held_by": laptop_key[:8]}
    assert noted[0].actor_id == sitting.user_id
    assert operations(sitting, TABLET)["save"]() == device.LOCKED_CODE
    assert len(sitting.events("second_device")) == 2  # a third device is news again
    assert sitting.attempt().waiting_session == sitting.sessions[TABLET]
    assert [e.detail["address"] for e in sitting.events("device_bound")] == ["10.0.0.1"]

    def rows(*, session: Session) -> list[dashboard.CandidateRow]:
        return dashboard.sitting_rows(session=session, sitting_id=sitting.sitting_id, now=datetime.now(UTC))

    row = next(r for r in sitting.call(rows) if r.attempt_id == sitting.attempt_id)
    assert row.incidents.get("second_device") == 2 and "incidents" in row.attention
    assert operations(sitting, LAPTOP)["save"]() == "ok"  # the holder was never disturbed


def test_moving_to_the_waiting_device_ends_the_old_session_and_keeps_answers_and_clock(sitting: Sitting) -> None:
    laptop, phone = operations(sitting, LAPTOP), operations(sitting, PHONE)
    assert laptop["save"]() == "ok"
    assert phone["item page"]() == device.LOCKED_CODE
    before = sitting.attempt()
    proctor = sitting.program.admin.id
    view = sitting.call(
        device.move_to_new_device, attempt_id=sitting.attempt_id, actor_id=proctor, reason="laptop battery died"
    )
    after = sitting.attempt()
    assert (after.holder_session, after.waiting_session) == (sitting.sessions[PHONE], None)
    assert view.responses == {1: "A"} and after.deadline_at == before.deadline_at
    assert after.status == before.status == "in_progress"
    resolve: dict[str, Any] = {"kind": CredentialKind.WEB, "idle_timeout": None}
    with sitting.program.services.db.engine.connect() as connection:
        assert credentials.resolve(connection=connection, token=sitting.tokens[LAPTOP], **resolve) is None  # signed out
        assert credentials.resolve(connection=connection, token=sitting.tokens[PHONE], **resolve) is not None
    moved = sitting.events("device_unlocked")
    laptop_key, phone_key = sitting.sessions[LAPTOP], sitting.sessions[PHONE]
    assert laptop_key and phone_key
    assert [(e.actor_id, e.detail) for e in moved] == [
        (
            proctor,
            {
                "reason": "laptop battery died",
                "ended_session": laptop_key[:8],
                "signed_out": True,
                "moved_to": phone_key[:8],
            },
        )
    ]
    assert phone["save"]() == "ok" and phone["flag"]() == "ok"
    assert laptop["save"]() == device.LOCKED_CODE  # even a stolen cookie of the ended session gets nowhere


def test_moving_with_nobody_waiting_frees_the_attempt_for_the_next_session(sitting: Sitting) -> None:
    assert operations(sitting, LAPTOP)["item page"]() == "ok"
    sitting.call(
        device.move_to_new_device, attempt_id=sitting.attempt_id, actor_id=sitting.program.admin.id, reason="x"
    )
    assert sitting.attempt().holder_session is None
    assert operations(sitting, TABLET)["save"]() == "ok"
    assert sitting.holder_name() == TABLET


def test_a_waiting_session_that_ended_is_not_handed_the_attempt(sitting: Sitting) -> None:
    assert operations(sitting, LAPTOP)["item page"]() == "ok"
    assert operations(sitting, PHONE)["item page"]() == device.LOCKED_CODE
    sitting.call(credentials.revoke, token=sitting.tokens[PHONE])
    sitting.call(
        device.move_to_new_device, attempt_id=sitting.attempt_id, actor_id=sitting.program.admin.id, reason="x"
    )
    assert (sitting.attempt().holder_session, sitting.attempt().waiting_session) == (None, None)


@pytest.mark.parametrize(
    ("setup", "reason", "error", "code"),
    [
        ({"holder_session": "h" * 64}, "   ", InvalidInput, "reason_required"),
        ({"holder_session": "h" * 64, "status": "submitted"}, "why", Conflict, "attempt_submitted"),
        ({"holder_session": "h" * 64, "status": "expired"}, "why", Conflict, "attempt_expired"),
        ({"holder_session": None}, "why", Conflict, "device_not_held"),
    ],
)
def test_moving_is_refused_when_it_cannot_mean_anything(
    sitting: Sitting, setup: dict[str, Any], reason: str, error: type[DomainError], code: str
) -> None:
    sitting.set(**setup)
    with pytest.raises(error) as refused:
        sitting.call(
            device.move_to_new_device, attempt_id=sitting.attempt_id, actor_id=sitting.program.admin.id, reason=reason
        )
    assert refused.value.code == code
    assert sitting.events("device_unlocked") == []


# The same browser: a new sign-in carries the device cookie of the browser (its hash on the credential).
LAPTOP_AGAIN, OTHER_USER = "laptop again", "someone else"
LAPTOP_BROWSER, PHONE_BROWSER = "cookie of the laptop's browser", "cookie of the phone's browser"


def sign_in_on(s: Sitting, name: str, browser: str | None, *, address: str, user_id: str | None = None) -> None:
    """A new web session signed in on a browser known by its device cookie (None: the browser had none)."""
    issued = s.call(
        credentials.issue,
        user_id=user_id or s.user_id,
        kind=CredentialKind.WEB,
        lifetime=timedelta(hours=8),
        address=address,
        device_hash=token_digest(browser) if browser else None,
    )
    s.sessions[name], s.tokens[name] = token_digest(issued.token), issued.token


def is_live(s: Sitting, name: str) -> bool:
    with s.program.services.db.engine.connect() as connection:
        found = credentials.resolve(
            connection=connection, token=s.tokens[name], kind=CredentialKind.WEB, idle_timeout=None
        )
    return found is not None


@pytest.mark.parametrize("action", ["item page", "save", "flag", "browser event"])
def test_signing_in_again_on_the_same_browser_resumes_the_attempt_and_ends_the_old_session(
    sitting: Sitting, action: str
) -> None:
    sign_in_on(sitting, LAPTOP, LAPTOP_BROWSER, address="10.0.0.1")
    assert operations(sitting, LAPTOP)["save"]() == "ok"
    before = sitting.attempt()
    sign_in_on(sitting, LAPTOP_AGAIN, LAPTOP_BROWSER, address="10.0.0.7")

    assert operations(sitting, LAPTOP_AGAIN)[action]() == "ok"
    after = sitting.attempt()
    assert sitting.holder_name() == LAPTOP_AGAIN and after.waiting_session is None
    assert (after.status, after.deadline_at) == (before.status, before.deadline_at)
    view = sitting.call(lambda *, session: attempt_view.view(session, after, datetime.now(UTC)))
    assert view.responses == {1: "A"}
    assert not is_live(sitting, LAPTOP) and is_live(sitting, LAPTOP_AGAIN)
    old, new = sitting.sessions[LAPTOP], sitting.sessions[LAPTOP_AGAIN]
    assert old and new
    resumed = sitting.events("device_resumed")
    assert [(e.actor_id, e.detail) for e in resumed] == [
        (
            sitting.user_id,
            {
                "session": new[:8],
                "address": "10.0.0.7",
                "ended_session": old[:8],
                "signed_out": True,
                "same_browser": True,
            },
        )
    ]
    assert sitting.events("second_device") == []
    assert operations(sitting, LAPTOP_AGAIN)["save"]() == "ok" and len(sitting.events("device_resumed")) == 1
    # the ended session cannot take it back, even past its cookie's check
    assert operations(sitting, LAPTOP)["save"]() == device.LOCKED_CODE
    assert sitting.holder_name() == LAPTOP_AGAIN


# (holder's browser, asking browser, asking user): every other device is refused as before, the proctor needed
OTHER_DEVICES = {
    "another browser": (LAPTOP_BROWSER, PHONE_BROWSER, None),
    "a browser without a device cookie": (LAPTOP_BROWSER, None, None),
    "a session signed in before browsers were told apart": (None, None, None),
    "a holder of before, asked by a browser with a cookie": (None, LAPTOP_BROWSER, None),
    "another user's session on the same browser": (LAPTOP_BROWSER, LAPTOP_BROWSER, OTHER_USER),
}


@pytest.mark.parametrize("case", OTHER_DEVICES)
def test_another_device_still_needs_the_proctor(sitting: Sitting, case: str) -> None:
    held_on, asked_on, asker = OTHER_DEVICES[case]
    sign_in_on(sitting, LAPTOP, held_on, address="10.0.0.1")
    other = sitting.program.candidates[1].id if asker else None
    sign_in_on(sitting, PHONE, asked_on, address="10.0.0.2", user_id=other)
    assert operations(sitting, LAPTOP)["item page"]() == "ok"
    for name, action in operations(sitting, PHONE).items():
        assert action() == device.LOCKED_CODE, name
    assert sitting.holder_name() == LAPTOP and sitting.attempt().waiting_session == sitting.sessions[PHONE]
    assert len(sitting.events("second_device")) == 1 and sitting.events("device_resumed") == []
    assert is_live(sitting, LAPTOP) and operations(sitting, LAPTOP)["save"]() == "ok"


def test_the_proctor_still_moves_the_exam_after_the_same_browser_resumed_it(sitting: Sitting) -> None:
    sign_in_on(sitting, LAPTOP, LAPTOP_BROWSER, address="10.0.0.1")
    sign_in_on(sitting, PHONE, PHONE_BROWSER, address="10.0.0.2")
    sign_in_on(sitting, LAPTOP_AGAIN, LAPTOP_BROWSER, address="10.0.0.1")
    assert operations(sitting, LAPTOP)["save"]() == "ok"
    assert operations(sitting, PHONE)["item page"]() == device.LOCKED_CODE
    assert operations(sitting, LAPTOP_AGAIN)["item page"]() == "ok"
    # the phone is still the device waiting for the proctor: resuming on the laptop does not forget it
    assert sitting.holder_name() == LAPTOP_AGAIN and sitting.attempt().waiting_session == sitting.sessions[PHONE]
    sitting.call(
        device.move_to_new_device, attempt_id=sitting.attempt_id, actor_id=sitting.program.admin.id, reason="x"
    )
    assert sitting.holder_name() == PHONE and not is_live(sitting, LAPTOP_AGAIN)
    assert operations(sitting, PHONE)["save"]() == "ok"
    assert operations(sitting, LAPTOP_AGAIN)["save"]() == device.LOCKED_CODE  # the proctor's move stands


def test_the_first_session_binds_a_free_attempt_on_its_chain_and_the_trail_still_verifies(sitting: Sitting) -> None:
    """The bind of a free attempt (the first page after Start) is written in plain statements: its event must land
    on the attempt's chain exactly as the ORM's would, between events written either way."""
    laptop = sitting.sessions[LAPTOP]
    assert laptop is not None
    common = {"attempt_id": sitting.attempt_id, "user_id": sitting.user_id}
    sitting.call(answers.report_event, **common, holder=None, kind="focus_lost", client_time=None, detail={})
    sitting.call(device.claim, **common, holder=laptop)
    sitting.call(answers.report_event, **common, holder=laptop, kind="focus_lost", client_time=None, detail={})

    assert sitting.holder_name() == LAPTOP
    (bound,) = sitting.events("device_bound")
    assert bound.actor_id == sitting.user_id and bound.detail == {"session": laptop[:8], "address": "10.0.0.1"}
    chained = [e for e in sitting.call(_all_events, attempt_id=sitting.attempt_id) if e.type != "answer_saved"]
    assert [e.type for e in chained][-3:] == ["focus_lost", "device_bound", "focus_lost"]
    assert all(later.prev_hash == earlier.hash for earlier, later in itertools.pairwise(chained))
    assert sitting.call(trail.verify, key="").problem is None
    # A second claim by the same session changes nothing; another session's is refused and noted, not bound.
    sitting.call(device.claim, **common, holder=laptop)
    assert sitting.outcome(device.claim, **common, holder=sitting.sessions[PHONE]) == "device_locked"
    assert len(sitting.events("device_bound")) == 1 and sitting.holder_name() == LAPTOP


def _all_events(*, session: Session, attempt_id: str) -> list[AttemptEvent]:
    query = select(AttemptEvent).where(col(AttemptEvent.attempt_id) == attempt_id).order_by(col(AttemptEvent.id))
    return list(session.scalars(query))
