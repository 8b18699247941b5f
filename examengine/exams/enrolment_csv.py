"""Enrolment from CSV: one row per candidate with optional accommodations; every row checked, all or nothing."""

from __future__ import annotations

import csv
import io
import math

from sqlalchemy import select
from sqlmodel import Session, col

from examengine import shutdown
from examengine.accounts.models import User
from examengine.errors import InvalidInput, TooLarge
from examengine.exams.sittings import EnrollmentRequest

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = {"email", "time_multiplier", "extra_minutes", "separate_start", "accommodation_reason"}


def parse_enrolment_csv(*, session: Session, data: bytes) -> list[EnrollmentRequest]:
    """Candidates by email with accommodations. Raises InvalidInput with details["problems"] (line, message)."""
    if len(data) > MAX_BYTES:
        raise TooLarge("The file is larger than 2 MiB; split it into parts.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again.") from None
    if "\x00" in text:
        raise InvalidInput("The file contains NUL bytes: it is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "email" not in header:
        raise InvalidInput("The first line must be a header with at least the column email.")
    unknown = sorted(set(header) - COLUMNS)
    if unknown:
        raise InvalidInput(f"Unknown columns {', '.join(unknown)}: allowed are {', '.join(sorted(COLUMNS))}.")
    reader.fieldnames = header
    records: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if len(records) >= MAX_ROWS:
            raise TooLarge(f"The file has more than {MAX_ROWS:,} rows; the limit is {MAX_ROWS:,}: split it into parts.")
        shutdown.check()
        records.append((reader.line_num, row))
    emails = [(row.get("email") or "").strip().lower() for _, row in records]
    ids = dict(session.execute(select(col(User.email), col(User.id)).where(col(User.email).in_(emails))).all())
    problems: list[dict[str, object]] = []
    requests: list[EnrollmentRequest] = []
    seen: set[str] = set()
    for (line, row), email in zip(records, emails, strict=True):
        try:
            if email not in ids:
                raise InvalidInput(f"No user with the email {email or '(empty)'}: create the account first.")
            if email in seen:
                raise InvalidInput(f"{email} is listed twice.")
            seen.add(email)
            requests.append(
                EnrollmentRequest(
                    user_id=ids[email],
                    time_multiplier=_number(row.get("time_multiplier"), 1.0, "time_multiplier"),
                    extra_minutes=int(_number(row.get("extra_minutes"), 0, "extra_minutes")),
                    separate_start=(row.get("separate_start") or "").strip().lower() in ("1", "yes", "true"),
                    accommodation_reason=(row.get("accommodation_reason") or "").strip(),
                )
            )
        except InvalidInput as error:
            problems.append({"line": line, "message": error.message})
    if not records:
        raise InvalidInput("The file has a header but no rows.")
    if problems:
        raise InvalidInput(
            f"{len(problems)} row(s) have problems; nobody was enrolled.",
            code="enrolment_rejected",
            details={"problems": problems},
        )
    return requests


def _number(raw: str | None, default: float, name: str) -> float:
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise InvalidInput(f"{name} must be a number, got {raw.strip()!r}.") from None
    if not math.isfinite(value):
        raise InvalidInput(f"{name} must be a finite number, got {raw.strip()!r}.")
    return value
