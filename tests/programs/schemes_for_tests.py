"""Schemes for tests, inserted as foundation rows (Scheme, SchemeHandbook, SchemeExam) while the schemes API of
another slice is not on main: a certification with two pathways and a certificate of attendance without any."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from examengine.clock import utcnow
from examengine.db import Database
from examengine.programs.models import Scheme, SchemeExam, SchemeHandbook, SchemeKind

PATHWAYS: list[dict[str, Any]] = [
    {
        "code": "degree",
        "title": "Degree and experience",
        "requirements": [
            {"code": "degree", "title": "Degree certificate", "evidence": "file"},
            {"code": "experience", "title": "Two years of experience", "evidence": "attestation"},
        ],
    },
    {
        "code": "experience",
        "title": "Five years of experience",
        "requirements": [{"code": "years", "title": "Five years of experience", "evidence": "attestation"}],
    },
]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def insert_scheme(
    db: Database,
    *,
    code: str = "SAFE",
    kind: SchemeKind = SchemeKind.CERTIFICATION,
    pathways: list[dict[str, Any]] | None = None,
    handbooks: tuple[str, ...] = ("2026.1",),
    exam_ids: tuple[str, ...] = (),
    **fields: Any,
) -> str:
    """A scheme with its handbook versions (the last one newest) and exams; returns its id."""
    now = utcnow()
    values: dict[str, Any] = {
        "authorization_period": "P180D",
        "attempts_per_authorization": 2,
        "appeal_period": "P30D",
        "cycle": "P3Y" if kind == SchemeKind.CERTIFICATION else None,
        **fields,
    }

    def insert(*, session: Session) -> str:
        chosen = PATHWAYS if pathways is None else pathways
        scheme = Scheme(code=code, title=f"{code} scheme", kind=kind, pathways=chosen, created_at=now, **values)
        session.add(scheme)
        session.flush()
        for index, version in enumerate(handbooks):
            published = now - timedelta(days=len(handbooks) - index)
            session.add(
                SchemeHandbook(
                    scheme_id=scheme.id, version=version, text=f"Handbook {version}.", published_at=published
                )
            )
        for exam_id in exam_ids:
            session.add(SchemeExam(exam_id=exam_id, scheme_id=scheme.id))
        return scheme.id

    return db.call(insert)


def publish_handbook(db: Database, scheme_id: str, version: str, *, at: datetime | None = None) -> None:
    def insert(*, session: Session) -> None:
        session.add(
            SchemeHandbook(
                scheme_id=scheme_id, version=version, text=f"Handbook {version}.", published_at=at or utcnow()
            )
        )

    db.call(insert)
