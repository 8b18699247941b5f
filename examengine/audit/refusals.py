"""Anonymous refusals cannot flood the audit trail.

A refused request with no signed-in actor (a missing CSRF token, a failed login, access denied to nobody) costs its
sender nothing, and each one used to append a record to the global chain under its lock: 300 tokenless POSTs to
/login wrote 300 chained records. Now each address gets RECORDED_PER_WINDOW individual records per window of
WINDOW_SECONDS; further refusals only increment a counter, and when the window is over one `refusals_summarized`
record states how many there were in all (written by the scheduler's sweep, or by the address's next refusal).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from examengine.audit import service
from examengine.audit.kinds import AuditKind
from examengine.audit.models import AuditRefusalWindow
from examengine.audit.service import record
from examengine.clock import utcnow
from examengine.db import dialect_insert

RECORDED_PER_WINDOW = 20
WINDOW_SECONDS = 600
MAX_ADDRESS = 100


def window_start(now: datetime) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % WINDOW_SECONDS, UTC)


def record_anonymous_refusal(
    *, session: Session, kind: AuditKind, subject: str, address: str, detail: dict[str, Any], at: datetime | None = None
) -> bool:
    """Count a refusal with no actor from `address`; record it in the chain while the address is under its
    per-window allowance. Returns whether it was recorded individually."""
    now = at or utcnow()
    address = address[:MAX_ADDRESS]
    start = window_start(now)
    _summarize(session, now, address=address)
    upsert = (
        dialect_insert(session, AuditRefusalWindow)
        .values(address=address, window_start=start, refusals=1)
        .on_conflict_do_update(
            index_elements=["address", "window_start"], set_={"refusals": col(AuditRefusalWindow.refusals) + 1}
        )
        .returning(col(AuditRefusalWindow.refusals))
    )
    count = int(session.execute(upsert).scalar_one())
    if count > RECORDED_PER_WINDOW:
        return False
    record(session=session, kind=kind, actor_id=None, subject=subject, detail={**detail, "address": address}, at=now)
    return True


def record_denied(*, session: Session, actor_id: str | None, method: str, path: str, code: str, address: str) -> None:
    """A refused request (403): who asked for what, from where, and which rule refused it; refusals of nobody
    count against the address's allowance."""
    if actor_id is not None:
        service.record_denied(session=session, actor_id=actor_id, method=method, path=path, code=code, address=address)
        return
    record_anonymous_refusal(
        session=session,
        kind=AuditKind.ACCESS_DENIED,
        subject=f"{method} {path}",
        address=address,
        detail={"code": code},
    )


def summarize_closed_windows(*, session: Session, now: datetime | None = None) -> int:
    """One summary record per address and finished window that went over the allowance; counters of finished
    windows are then deleted. Returns the number of summaries written."""
    return _summarize(session, now or utcnow(), address=None)


def _summarize(session: Session, now: datetime, *, address: str | None) -> int:
    closed_before = window_start(now)
    query = select(col(AuditRefusalWindow.address), col(AuditRefusalWindow.window_start)).where(
        col(AuditRefusalWindow.window_start) < closed_before
    )
    if address is not None:
        query = query.where(col(AuditRefusalWindow.address) == address)
    written = 0
    for window_address, start in session.execute(query.order_by(col(AuditRefusalWindow.window_start))).all():
        # DELETE ... RETURNING: of two sweeps racing for one window, only the one that removed it writes the summary.
        removed = session.execute(
            delete(AuditRefusalWindow)
            .where(col(AuditRefusalWindow.address) == window_address, col(AuditRefusalWindow.window_start) == start)
            .returning(col(AuditRefusalWindow.refusals))
        ).scalar_one_or_none()
        if removed is None or removed <= RECORDED_PER_WINDOW:
            continue
        record(
            session=session,
            kind=AuditKind.REFUSALS_SUMMARIZED,
            actor_id=None,
            subject=f"address:{window_address}",
            detail={
                "address": window_address,
                "window_start": start.isoformat(),
                "window_seconds": WINDOW_SECONDS,
                "refusals": removed,
                "recorded_individually": RECORDED_PER_WINDOW,
                "not_recorded_individually": removed - RECORDED_PER_WINDOW,
            },
            at=now,
        )
        written += 1
    return written
