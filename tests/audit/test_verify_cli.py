"""`examengine audit verify`: OK with the counts and exit 0, or the first broken record and exit 1."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, update
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, col

from examengine import cli
from examengine.audit.models import AuditRecord
from examengine.context import Services
from tests.audit.conftest import KEY, append


@pytest.fixture
def cli_env(services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    monkeypatch.setenv("DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("EXAMENGINE_AUDIT_KEY", KEY)
    return services


def test_verify_prints_ok_with_counts(cli_env: Services, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["audit", "verify"]) == 0
    assert capsys.readouterr().out.startswith("OK: 0 audit records")
    append(cli_env, 4)
    assert cli.main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 4 audit records (0 sealed by checkpoint), 0 checkpoints, 0 events in 0 attempt chains")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            update(AuditRecord).where(col(AuditRecord.id) == 2).values(detail={"n": 7}),
            r"^BROKEN: audit_record 2: content does not match its hash \(expected [0-9a-f]{64}, stored [0-9a-f]{64}\)",
        ),
        (
            update(AuditRecord).where(col(AuditRecord.id) == 3).values(actor_id=None),
            r"^BROKEN: audit_record 3: content does not match its hash",
        ),
        (
            delete(AuditRecord).where(col(AuditRecord.id) == 2),
            r"^BROKEN: audit_record 3: does not follow record 1: records 2\.\.2 are missing \(expected [0-9a-f]{64}",
        ),
    ],
)
def test_verify_names_the_first_broken_record_and_exits_1(
    cli_env: Services, capsys: pytest.CaptureFixture[str], change: Executable, expected: str
) -> None:
    append(cli_env, 4)

    def tamper(*, session: Session) -> None:
        session.execute(change)

    cli_env.db.call(tamper)
    assert cli.main(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert re.search(expected, out), out
    assert "checked before the break:" in out


def test_an_unknown_retention_kind_stops_the_command_with_the_reason(
    cli_env: Services, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXAMENGINE_AUDIT_RETENTION_DAYS", "login_failed=90,logins=30")
    assert cli.main(["audit", "verify"]) == 2
    assert "EXAMENGINE_AUDIT_RETENTION_DAYS: unknown record kind 'logins'" in capsys.readouterr().err
