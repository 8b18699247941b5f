"""The `examengine` command: each subcommand works, and bad input gets a clear message and a non-zero exit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from examengine import cli
from examengine.accounts import credentials
from examengine.accounts.models import CredentialKind
from examengine.db import Database
from examengine.demo import DEMO_USERS
from tests.conftest import ENGINES, REFDATA, fresh_database


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
    with database.engine.connect() as connection:
        principal = credentials.resolve(connection=connection, token=token, kind=CredentialKind.API, idle_timeout=None)
    assert principal is not None and principal.email == "ed@example.org"
    database.dispose()
    assert cli.main(["tokens", "create", "--email", "nobody@example.org"]) == 2
    assert "No user with the email" in capsys.readouterr().err

    # A password set at the command line ends every session and token of the user.
    assert cli.main(["users", "set-password", "--email", "ed@example.org", "--password", "short"]) == 2
    assert "too short" in capsys.readouterr().err
    assert cli.main(["users", "set-password", "--email", "ed@example.org", "--password", "another-long-one"]) == 0
    assert "1 session(s) and token(s) of theirs ended" in capsys.readouterr().out
    database = Database(fresh_env)
    with database.engine.connect() as connection:
        assert (
            credentials.resolve(connection=connection, token=token, kind=CredentialKind.API, idle_timeout=None) is None
        )
    database.dispose()
    assert cli.main(["users", "set-password", "--email", "nobody@example.org", "--password", "another-long-one"]) == 2

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


MOODLE = REFDATA / "moodle-qformat"


def test_items_import_export_and_demo_bank(fresh_env: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if not MOODLE.is_dir():
        pytest.skip(f"reference data not found at {MOODLE} (it lives in ../shared beside the checkout)")
    assert cli.main(["migrate"]) == 0
    assert cli.main(["items", "import", str(MOODLE / "aiken" / "aiken_errors.txt")]) == 2
    err = capsys.readouterr().err
    for line in (3, 5, 7, 18):
        assert f"aiken_errors.txt:{line}:" in err
    assert "nothing was imported" in err
    assert cli.main(["items", "import", "--valid-only", str(MOODLE / "aiken" / "aiken_errors.txt")]) == 0
    assert "Imported 2 items: ITM-000001, ITM-000002" in capsys.readouterr().out
    assert cli.main(["items", "import", str(tmp_path / "missing.gift")]) == 2
    assert "No such file" in capsys.readouterr().err
    package = tmp_path / "bank.zip"
    assert cli.main(["items", "export", "--output", str(package)]) == 0
    assert package.stat().st_size > 0
    assert cli.main(["items", "import", str(package)]) == 0
    assert "Imported 2 items: ITM-000003, ITM-000004" in capsys.readouterr().out
    assert cli.main(["demo"]) == 0  # the bank is not empty: the demo items are not added on top
    database = Database(fresh_env)
    from itembank.search import list_items

    assert len(database.call(list_items, write=False).items) == 4
    database.dispose()


def test_analyze_prints_json_csv_and_html(capsys: pytest.CaptureFixture[str]) -> None:
    lsat = REFDATA / "psychometric" / "ltm_LSAT.csv"
    if not lsat.exists():
        pytest.skip(f"reference data not found at {lsat}")
    assert cli.main(["analyze", str(lsat)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [round(item["p_value"], 3) for item in report["items"]] == [0.924, 0.709, 0.553, 0.763, 0.870]
    assert round(report["test"]["kr20"], 3) == 0.295
    assert cli.main(["analyze", str(lsat), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("item_id,")
    assert cli.main(["analyze", str(lsat), "--format", "html", "--cut", "3"]) == 0
    assert "<svg" in capsys.readouterr().out
    assert cli.main(["analyze", "/nonexistent/responses.csv"]) == 2
    assert "No such file" in capsys.readouterr().err
