"""Bulk import of users from CSV: every row checked first, then all stored or none."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session, col

from examengine import shutdown
from examengine.accounts import service
from examengine.accounts.models import Role, User
from examengine.accounts.passwords import check_password_policy
from examengine.errors import InvalidInput, TooLarge

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
KNOWN_COLUMNS = {"email", "name", "roles", "password"}


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


@dataclass(frozen=True)
class UserRow:
    line: int
    email: str
    name: str
    roles: tuple[Role, ...]
    password: str | None


@dataclass(frozen=True)
class ImportReport:
    created: tuple[service.UserView, ...]
    problems: tuple[RowProblem, ...]


def parse_users_csv(data: bytes, *, default_roles: tuple[Role, ...] = (Role.CANDIDATE,)) -> list[UserRow]:
    """Parse and check every row; raises InvalidInput listing every problem (details["problems"]).

    Columns (header required): email, name, and optionally roles (separated by ';' or spaces) and password.
    """
    if len(data) > MAX_CSV_BYTES:
        raise TooLarge(f"The file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MiB; split it into parts.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again.") from None
    if "\x00" in text:
        raise InvalidInput("The file contains NUL bytes: it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header or "name" not in header:
        raise InvalidInput("The first line must be a header naming at least the columns email and name.")
    unknown = sorted(set(header) - KNOWN_COLUMNS)
    if unknown:
        raise InvalidInput(f"Unknown columns {', '.join(unknown)}: allowed are {', '.join(sorted(KNOWN_COLUMNS))}.")
    reader.fieldnames = header
    rows: list[UserRow] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        if len(rows) + len(problems) >= MAX_ROWS:
            raise TooLarge(f"The file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}: split it into parts.")
        shutdown.check()
        if None in record:
            problems.append(RowProblem(line, "This row has more fields than the header."))
            continue
        try:
            rows.append(_parse_row(line, record, default_roles, seen))
        except InvalidInput as error:
            problems.append(RowProblem(line, error.message))
    if not rows and not problems:
        raise InvalidInput("The file has a header but no rows.")
    if problems:
        raise InvalidInput(
            f"{len(problems)} row(s) have problems; nothing was imported.",
            code="import_rejected",
            details={"problems": [{"line": p.line, "message": p.message} for p in problems]},
        )
    return rows


def _parse_row(line: int, record: dict[str, str], default_roles: tuple[Role, ...], seen: dict[str, int]) -> UserRow:
    email = service.normalize_email(record.get("email") or "")
    if email in seen:
        raise InvalidInput(f"{email} is also on line {seen[email]}.")
    seen[email] = line
    name = service.clean_name(record.get("name") or "")
    raw_roles = (record.get("roles") or "").replace(";", " ").split()
    roles = service.parse_roles(raw_roles) if raw_roles else default_roles
    password = record.get("password") or None
    if password is not None:
        check_password_policy(password)
    return UserRow(line, email, name, roles, password)


def import_users(
    *, session: Session, rows: list[UserRow], password_hashes: dict[int, str], actor_id: str | None = None
) -> ImportReport:
    """Create the parsed users in the caller's transaction; if any email is taken, nothing is created."""
    emails = [row.email for row in rows]
    taken = set(session.scalars(select(col(User.email)).where(col(User.email).in_(emails))))
    if taken:
        problems = [
            RowProblem(r.line, f"A user with the email {r.email} already exists.") for r in rows if r.email in taken
        ]
        raise InvalidInput(
            f"{len(problems)} row(s) have problems; nothing was imported.",
            code="import_rejected",
            details={"problems": [{"line": p.line, "message": p.message} for p in problems]},
        )
    created = tuple(
        service.create_user(
            session=session,
            email=row.email,
            name=row.name,
            roles=row.roles,
            password_hash=password_hashes.get(row.line),
            actor_id=actor_id,
        )
        for row in rows
    )
    return ImportReport(created, ())


def hash_passwords(rows: list[UserRow], hash_password: Callable[[str], str]) -> dict[int, str]:
    """Hash the passwords given in the file, by line (slow: run it off the event loop)."""
    hashes: dict[int, str] = {}
    for row in rows:
        if row.password:
            shutdown.check()  # a hash takes tens of milliseconds: thousands of them outlast a shutdown
            hashes[row.line] = hash_password(row.password)
    return hashes
