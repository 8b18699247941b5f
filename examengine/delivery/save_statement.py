"""The answer save itself, built once: one UPDATE of the slot row guarded by everything that must hold for the
answer to be taken, and its timeline event (examengine.delivery.answers runs it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Update, bindparam, exists, or_, select, true, update

from examengine.accounts.credentials import CredentialCheck, live_credential_clause
from examengine.delivery import attempt_view
from examengine.delivery.chain import record_answer_saved
from examengine.delivery.models import ATTEMPT_TABLE, SLOT_TABLE
from examengine.delivery.states import AttemptStatus
from examengine.prepared import Prepared, Row


def _statement(*, bound: bool, checked: bool) -> Update:
    """The save itself, built once: one UPDATE of the slot row by primary key, taking effect only when the attempt
    is the user's, in progress before its deadline, held by the saving web session when `bound` (a bearer token is
    not bound), the slot is in the open section (when sections are timed) and is the linear position (when
    navigation is linear), `seq` is newer than the stored one, and when `checked` the request's credential is
    still live (CredentialCheck). It returns the attempt's time facts (attempt_view.LEDGER_FACTS), so the time left
    needs no read of its own."""
    slot, attempt = SLOT_TABLE.c, ATTEMPT_TABLE.c
    running = exists().where(
        attempt.id == bindparam("b_attempt_id"),
        attempt.user_id == bindparam("b_user_id"),
        attempt.status == AttemptStatus.IN_PROGRESS.value,
        attempt.deadline_at > bindparam("b_now"),
        or_(attempt.open_section.is_(None), attempt.open_section == slot.section),
        or_(attempt.linear_slot.is_(None), attempt.linear_slot == slot.slot),
        attempt.holder_session == bindparam("b_holder") if bound else true(),
    )
    return (
        update(SLOT_TABLE)
        .where(
            slot.attempt_id == bindparam("b_attempt_id"),
            slot.slot == bindparam("b_slot"),
            slot.seq < bindparam("b_seq"),
        )
        .where(running)
        .where(live_credential_clause() if checked else true())
        .values(response=bindparam("b_response"), seq=bindparam("b_seq"), saved_at=bindparam("b_now"))
        .returning(
            *(
                select(fact).where(attempt.id == slot.attempt_id).scalar_subquery().label(fact.name)
                for fact in attempt_view.LEDGER_FACTS
            )
        )
    )


SAVES = {
    (bound, checked): Prepared(_statement(bound=bound, checked=checked))
    for bound in (False, True)
    for checked in (False, True)
}


def store_answer(
    connection: Connection,
    attempt_id: str,
    user_id: str,
    slot: int,
    response: Any,
    seq: int,
    now: datetime,
    holder: str | None,
    credential: CredentialCheck | None = None,
) -> Row | None:
    """Run the save statement (prepared: the ORM has nothing to keep in step on this path, and it is the writer's
    most frequent statement) and, when it took effect, add its `answer_saved` event: the attempt's time facts as
    the UPDATE returned them, else None."""
    values: dict[str, Any] = {
        "b_attempt_id": attempt_id,
        "b_user_id": user_id,
        "b_slot": slot,
        "b_seq": seq,
        "b_response": response,
        "b_now": now,
    }
    if holder is not None:
        values["b_holder"] = holder
    if credential is not None:
        values.update(credential.parameters(now))
    facts = SAVES[holder is not None, credential is not None].first(connection, values)
    if facts is not None:
        record_answer_saved(
            connection, attempt_id=attempt_id, actor_id=user_id, at=now, detail={"slot": slot, "seq": seq}
        )
    return facts
