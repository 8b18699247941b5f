"""The device lock: an attempt that has not finished is held by one web session, and a request for it from another
session (the candidate signed in on a second device) is refused until a proctor moves the attempt there.

The binding is the web session (its credential's token hash), not the browser tab: tabs and reloads of one browser
share the session cookie and keep working, while another device means another sign-in, hence another session.
A new session of the same browser (it signed in with the same device cookie, whose hash its credential keeps) takes
the attempt over at once and the old session ends: signing out and in again is not a second device. A browser
without that cookie, with another one or a made-up one, is another device.
Bearer tokens (the JSON API) are not bound: integrations keep the contract of API.md, and an API client is its
own device, identified by its token. The first session to open the attempt takes it; a refused session is
remembered as the one waiting, so that "Move to new device" hands the attempt to it and ends the old session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, case, or_, select, update
from sqlmodel import Session, col

from examengine.accounts import credentials
from examengine.accounts.credentials import Principal
from examengine.accounts.models import CREDENTIAL_TABLE, Credential, CredentialKind
from examengine.clock import utcnow
from examengine.delivery import attempt_view, attempts
from examengine.delivery.acting import proctored_attempt, required_reason
from examengine.delivery.attempt_facts import AttemptFacts
from examengine.delivery.chain import append_candidate_event
from examengine.delivery.events import AttemptEventType
from examengine.delivery.models import ATTEMPT_TABLE, Attempt
from examengine.delivery.states import FINAL
from examengine.errors import Conflict

T = TypeVar("T")

LOCKED_CODE = "device_locked"
LOCKED_MESSAGE = "This exam is open on another device. Ask your proctor to move it to this device."
SHORT_ID = 8  # enough of a token hash to tell sessions apart on the timeline; the hash itself stays in the table


@dataclass(frozen=True)
class SessionFacts:
    """What a proctor can tell about one session: when and from where it signed in, and whether it still works."""

    short_id: str
    signed_in_at: datetime | None
    address: str | None
    live: bool


@dataclass(frozen=True)
class DeviceState:
    holder: SessionFacts | None
    waiting: SessionFacts | None


def holder_of(principal: Principal) -> str | None:
    """The lock key of a request: its web session's token hash; None for a bearer token, which is not bound."""
    return principal.token_hash if principal.kind == CredentialKind.WEB else None


def needs_claim(attempt: Attempt | AttemptFacts, holder: str | None) -> bool:
    """Whether this request must take the lock or be refused (a write); False when its session already holds the
    attempt, when it is not bound (a bearer token) or when the attempt has finished (results are for any device)."""
    return holder is not None and attempt.status not in FINAL and attempt.holder_session != holder


def ensure_holder(session: Session, attempt: Attempt, holder: str | None, *, user_id: str, now: datetime) -> None:
    """Let the request through if its session holds the attempt, take the attempt while no session does, or take it
    over from an earlier session of the same browser (the candidate signed out and in again: that session ends).
    Raises Conflict device_locked otherwise, committing the refusal's record (the second device, noted once per
    refused session so that retries do not flood the timeline)."""
    if holder is None:
        return
    for _ in range(3):  # each pass either goes through or lost a race to a change that it then reads
        if not needs_claim(attempt, holder):
            return
        if attempt.holder_session is None:
            if _take(session, attempt, holder, user_id=user_id, now=now):
                return
        elif _same_browser(session, attempt, attempt.holder_session, holder):
            if _resume(session, attempt, attempt.holder_session, holder, user_id=user_id, now=now):
                return
        else:
            break
        session.refresh(attempt)
    if needs_claim(attempt, holder):
        _refuse(session, attempt, holder, user_id=user_id, now=now)


def _take(session: Session, attempt: Attempt, holder: str, *, user_id: str, now: datetime) -> bool:
    if not _take_free(session.connection(), attempt.id, user_id, holder, now):
        return False
    session.refresh(attempt)
    return True


def _same_browser(session: Session, attempt: Attempt, held_by: str, asking: str) -> bool:
    """Whether two web sessions of the attempt's candidate signed in on one browser (the same device cookie), the
    asking one still live. A session without a device (a bearer token, or one signed in before browsers were told
    apart) matches none."""
    old, new = session.get(Credential, held_by), session.get(Credential, asking)
    return (
        old is not None
        and new is not None
        and new.revoked_at is None
        and old.device_hash is not None
        and old.device_hash == new.device_hash
        and old.kind == new.kind == CredentialKind.WEB
        and old.user_id == new.user_id == attempt.user_id
    )


def _resume(session: Session, attempt: Attempt, old: str, new: str, *, user_id: str, now: datetime) -> bool:
    """Hand the attempt from the old session of this browser to the new one and end the old one, so that two
    sessions never hold one attempt; the timeline records it. False when the attempt changed meanwhile."""
    resumed = session.execute(
        update(Attempt)
        .where(col(Attempt.id) == attempt.id, col(Attempt.holder_session) == old)
        .values(
            holder_session=new,
            waiting_session=case((col(Attempt.waiting_session) == new, None), else_=col(Attempt.waiting_session)),
        )
    )
    if not getattr(resumed, "rowcount", 0):
        return False
    ended = credentials.revoke(session=session, token_hash=old, now=now)
    detail = {
        "session": new[:SHORT_ID],
        "address": _address(session, new),
        "ended_session": old[:SHORT_ID],
        "signed_out": ended,
        "same_browser": True,
    }
    attempts.record(session, attempt.id, AttemptEventType.DEVICE_RESUMED, actor_id=user_id, at=now, detail=detail)
    session.flush()
    session.refresh(attempt)
    return True


def _refuse(session: Session, attempt: Attempt, holder: str, *, user_id: str, now: datetime) -> None:
    noted = session.execute(
        update(Attempt)
        .where(
            col(Attempt.id) == attempt.id,
            or_(col(Attempt.waiting_session).is_(None), col(Attempt.waiting_session) != holder),
        )
        .values(waiting_session=holder)
    )
    if getattr(noted, "rowcount", 0):
        detail = {
            "session": holder[:SHORT_ID],
            "address": _address(session, holder),
            "held_by": (attempt.holder_session or "")[:SHORT_ID],
        }
        attempts.record(session, attempt.id, AttemptEventType.SECOND_DEVICE, actor_id=user_id, at=now, detail=detail)
    raise Conflict(LOCKED_MESSAGE, code=LOCKED_CODE, commit_before_raising=True)


def claim(*, session: Session, attempt_id: str, user_id: str, holder: str | None, now: datetime | None = None) -> None:
    """Take the candidate's attempt for this session, or refuse it (Conflict device_locked): the write a page
    makes when its read found that the session does not hold the attempt yet. The usual case, an attempt under
    way that no session holds (the first page after Start), is three plain statements; every other case (another
    session holds it, the attempt is not this candidate's or has finished) goes through ensure_holder."""
    now = now or utcnow()
    if holder is not None and _take_free(session.connection(), attempt_id, user_id, holder, now):
        return
    attempt = attempts.load(session, attempt_id, user_id=user_id)
    ensure_holder(session, attempt, holder, user_id=user_id, now=now)


# Built once: the candidate's own attempt, under way and held by no session, taken by this one.
TAKE_FREE = (
    update(ATTEMPT_TABLE)
    .where(
        ATTEMPT_TABLE.c.id == bindparam("b_attempt_id"),
        ATTEMPT_TABLE.c.user_id == bindparam("b_user_id"),
        ATTEMPT_TABLE.c.holder_session.is_(None),
        ATTEMPT_TABLE.c.status.not_in([status.value for status in FINAL]),
    )
    .values(holder_session=bindparam("b_holder"))
)
SESSION_ADDRESS = select(CREDENTIAL_TABLE.c.address).where(CREDENTIAL_TABLE.c.token_hash == bindparam("b_hash"))


def _take_free(connection: Connection, attempt_id: str, user_id: str, holder: str, now: datetime) -> bool:
    """_take for an attempt known to be free, without loading it: False when it was not (nothing written)."""
    taken = connection.execute(TAKE_FREE, {"b_attempt_id": attempt_id, "b_user_id": user_id, "b_holder": holder})
    if taken.rowcount != 1:
        return False
    detail = {"session": holder[:SHORT_ID], "address": connection.scalar(SESSION_ADDRESS, {"b_hash": holder})}
    append_candidate_event(
        connection,
        attempt_id=attempt_id,
        type=AttemptEventType.DEVICE_BOUND.value,
        candidate_id=user_id,
        at=now,
        detail=detail,
    )
    return True


def held(service: Callable[..., T]) -> Callable[..., T]:
    """A candidate's action on their attempt (a service taking `attempt_id` and `user_id`) behind the device lock,
    checked in the same unit of work; the wrapped service takes `holder` besides its own arguments."""

    def run(*, session: Session, attempt_id: str, user_id: str, holder: str | None, **kwargs: Any) -> T:
        attempt = attempts.load(session, attempt_id, user_id=user_id)
        ensure_holder(session, attempt, holder, user_id=user_id, now=utcnow())
        return service(session=session, attempt_id=attempt_id, user_id=user_id, **kwargs)

    return run


def move_to_new_device(
    *, session: Session, attempt_id: str, actor_id: str, reason: str, now: datetime | None = None
) -> attempt_view.AttemptView:
    """The proctor's "Move to new device": end the session holding the attempt (that device is signed out) and
    hand the attempt to the session waiting for it, or leave it free for the next session that opens it when none
    is waiting (or the waiting one has ended). The attempt keeps its answers and its clock. Raises InvalidInput
    without a reason, Conflict when the attempt has finished, is held by no session, or changed meanwhile."""
    attempt = proctored_attempt(session, attempt_id, actor_id)
    reason = required_reason(reason, "move the exam to a new device")
    now = now or utcnow()
    if attempt.status in FINAL:
        raise Conflict(
            "The attempt has finished; there is no device to move it from.", code=f"attempt_{attempt.status}"
        )
    old, waiting = attempt.holder_session, attempt.waiting_session
    if old is None and waiting is None:
        raise Conflict(
            "No device holds this attempt: the next one the candidate opens it on takes it.", code="device_not_held"
        )
    new = waiting if waiting is not None and _facts(session, waiting, now).live else None
    moved = session.execute(
        update(Attempt)
        .where(
            col(Attempt.id) == attempt.id,
            _is(col(Attempt.holder_session), old),
            _is(col(Attempt.waiting_session), waiting),
        )
        .values(holder_session=new, waiting_session=None)
    )
    if not getattr(moved, "rowcount", 0):
        raise Conflict("The attempt changed just now; try again.", code="attempt_changed")
    ended = False
    if old is not None and _owner(session, old) == attempt.user_id:  # never anyone else's session
        ended = credentials.revoke(session=session, token_hash=old, now=now)
    detail = {
        "reason": reason,
        "ended_session": (old or "")[:SHORT_ID] or None,
        "signed_out": ended,
        "moved_to": (new or "")[:SHORT_ID] or None,
    }
    attempts.record(session, attempt.id, AttemptEventType.DEVICE_UNLOCKED, actor_id=actor_id, at=now, detail=detail)
    session.flush()
    session.refresh(attempt)
    return attempt_view.view(session, attempt, now)


def device_state(*, session: Session, attempt: Attempt, now: datetime | None = None) -> DeviceState:
    """The sessions holding and waiting for the attempt, for the proctor's attempt page."""
    now = now or utcnow()
    return DeviceState(
        _facts(session, attempt.holder_session, now) if attempt.holder_session else None,
        _facts(session, attempt.waiting_session, now) if attempt.waiting_session else None,
    )


def _facts(session: Session, token_hash: str, now: datetime) -> SessionFacts:
    found = session.get(Credential, token_hash)
    if found is None:  # purged once it had expired or been revoked for a day
        return SessionFacts(token_hash[:SHORT_ID], None, None, False)
    live = found.revoked_at is None and found.expires_at > now
    return SessionFacts(token_hash[:SHORT_ID], found.created_at, found.address, live)


def _address(session: Session, token_hash: str) -> str | None:
    found = session.get(Credential, token_hash)
    return found.address if found else None


def _owner(session: Session, token_hash: str) -> str | None:
    found = session.get(Credential, token_hash)
    return found.user_id if found else None


def _is(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value
