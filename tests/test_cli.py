"""The `examengine` command: each subcommand works, and bad input gets a clear message and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from examengine import cli
from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind
from examengine.db import Database
from examengine.demo import DEMO_USERS
from tests.conftest import ENGINES, fresh_database


@pytest.fixture(params=ENGINES)
def fresh_env(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request, request.param, "examengine_cli", tmp_path) as url:
        monkeypatch.setenv("DATABASE_URL", url)
        monkeypatch.setenv("EXAMENGINE_ARGON2_MEMORY_KIB", "1024")
        monkeypatch.setenv("EXAMENGINE_ARGON2_TIME_COST", "1")
        yield url


def test_migrate_demo_users_and_tokens(fresh_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == 2
    assert "Run `examengine migrate` first" in capsys.readouterr().err
    assert cli.main(["migrate"]) == 0
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert all(user.email in out for user in DEMO_USERS) and "examengine-demo" in out
    assert cli.main(["demo"]) == 0
    assert "0 new users" in capsys.readouterr().out

    assert (
        cli.main(
            [
                "users",
                "create",
                "--email",
                "Ed@Example.org",
                "--name",
                "Ed",
                "--role",
                "author",
                "--role",
                "proctor",
                "--password",
                "a-long-password",
            ]
        )
        == 0
    )
    assert "ed@example.org with roles author, proctor" in capsys.readouterr().out
    assert cli.main(["users", "create", "--email", "ed@example.org", "--name", "Ed", "--role", "author"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert cli.main(["users", "create", "--email", "x@example.org", "--name", "X", "--role", "wizard"]) == 2
    assert "Unknown role 'wizard'" in capsys.readouterr().err
    assert (
        cli.main(
            ["users", "create", "--email", "y@example.org", "--name", "Y", "--role", "author", "--password", "short"]
        )
        == 2
    )
    assert "too short" in capsys.readouterr().err

    assert cli.main(["tokens", "create", "--email", "ed@example.org"]) == 0
    token = capsys.readouterr().out.strip()
    database = Database(fresh_env)
    principal = database.call(credentials.resolve, token=token, kind=CredentialKind.API, idle_timeout=None)
    assert principal is not None and principal.email == "ed@example.org"
    database.dispose()
    assert cli.main(["tokens", "create", "--email", "nobody@example.org"]) == 2
    assert "No user with the email" in capsys.readouterr().err

    assert cli.main(["scheduler", "--once"]) == 0
    assert "purge_dead_credentials: 0" in capsys.readouterr().out


def test_bad_settings_are_reported(
    fresh_env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EXAMENGINE_SESSION_IDLE_MINUTES", "soon")
    assert cli.main(["migrate"]) == 2
    assert "EXAMENGINE_SESSION_IDLE_MINUTES must be a whole number" in capsys.readouterr().err


def test_usage_errors_exit_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["users", "create", "--email", "a@example.org"])
    assert exit_info.value.code == 2
