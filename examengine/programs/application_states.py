"""The life of an eligibility application: one transition table, checked by every write.

    draft -> submitted -> (info_requested -> submitted) -> approved | denied
    withdrawn: by the applicant, from any status before a decision.

A stored status changes only through a guarded UPDATE (`... WHERE status = <from>`), so two people acting at once
never both win: the loser finds the row no longer in the status it read and is refused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from examengine.errors import Conflict
from examengine.programs.models import Application, ApplicationStatus

Status = ApplicationStatus

TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    Status.DRAFT: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.SUBMITTED: frozenset({Status.INFO_REQUESTED, Status.APPROVED, Status.DENIED, Status.WITHDRAWN}),
    Status.INFO_REQUESTED: frozenset({Status.SUBMITTED, Status.WITHDRAWN}),
    Status.APPROVED: frozenset(),
    Status.DENIED: frozenset(),
    Status.WITHDRAWN: frozenset(),
}
DECIDED = frozenset({Status.APPROVED, Status.DENIED})
# Evidence may be added while the applicant is still preparing it, or answering a request for more information.
TAKES_EVIDENCE = frozenset({Status.DRAFT, Status.INFO_REQUESTED})

WORDS = {
    Status.DRAFT: "Not submitted yet",
    Status.SUBMITTED: "Submitted, waiting for a reviewer",
    Status.INFO_REQUESTED: "More information requested",
    Status.APPROVED: "Approved",
    Status.DENIED: "Denied",
    Status.WITHDRAWN: "Withdrawn",
}


def allowed(current: ApplicationStatus, to: ApplicationStatus) -> bool:
    return to in TRANSITIONS[ApplicationStatus(current)]


def check(current: ApplicationStatus, to: ApplicationStatus) -> None:
    """Raise Conflict (`application_<current>`) when the table has no move from `current` to `to`."""
    current = ApplicationStatus(current)  # the column holds the value: a plain string once loaded
    if not allowed(current, to):
        raise Conflict(
            f"This application is {WORDS[current].lower()}: it cannot become {to.value.replace('_', ' ')} now.",
            code=f"application_{current.value}",
            details={"status": current.value, "to": to.value},
        )


def move(session: Session, application: Application, to: ApplicationStatus, **values: Any) -> None:
    """Change the application's status to `to` (and set `values`) if the table allows it and nobody changed the
    status since it was read; raise Conflict otherwise. `application` is refreshed to what is stored."""
    check(application.status, to)
    moved = session.execute(
        update(Application)
        .where(col(Application.id) == application.id, col(Application.status) == application.status)
        .values(status=to, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        session.refresh(application)
        check(application.status, to)
        raise Conflict("Someone changed this application at the same moment; reload it.", code="application_changed")
    session.refresh(application)
