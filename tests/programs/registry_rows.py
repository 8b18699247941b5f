"""Schemes and credentials inserted as rows (the awarding slice's API is not needed to test the registry), and the
suspension, reinstatement and revocation of a credential by its dates, as that slice's services set them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from examengine.context import Services
from examengine.programs.models import ProgramCredential, Scheme, SchemeKind

NOW = datetime.now(UTC)


def _insert(*, session: Session, row: Any) -> str:
    session.add(row)
    session.flush()
    return str(row.id)


def add_scheme(services: Services, code: str, kind: SchemeKind = SchemeKind.CERTIFICATION, **fields: Any) -> str:
    scheme = Scheme(
        code=code,
        title=fields.pop("title", f"{code.title()} Officer"),
        kind=kind,
        cycle="P3Y" if kind == SchemeKind.CERTIFICATION else None,
        grace_period="P90D" if kind == SchemeKind.CERTIFICATION else None,
        created_at=NOW,
        **fields,
    )
    return services.db.call(_insert, row=scheme)


def add_credential(
    services: Services, *, scheme_id: str, user_id: str, number: str, holder_name: str, index: int, **fields: Any
) -> str:
    granted = fields.pop("granted_at", NOW - timedelta(days=10))
    credential = ProgramCredential(
        number=number,
        scheme_id=scheme_id,
        user_id=user_id,
        holder_name=holder_name,
        granted_at=granted,
        cycle_starts=granted,
        valid_until=fields.pop("valid_until", granted + timedelta(days=3 * 365)),
        status_index=index,
        **fields,
    )
    return services.db.call(_insert, row=credential)


def _set(*, session: Session, number: str, changes: dict[str, Any]) -> None:
    credential = session.exec(select(ProgramCredential).where(ProgramCredential.number == number)).one()
    for name, value in changes.items():
        setattr(credential, name, value)
    session.add(credential)


def set_dates(services: Services, number: str, **changes: Any) -> None:
    """suspended_at / revoked_at (None to reinstate), as the admin's suspend, reinstate and revoke set them."""
    services.db.call(_set, number=number, changes=changes)
