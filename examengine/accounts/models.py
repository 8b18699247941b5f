from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String
from sqlmodel import Field, SQLModel

from examengine.clock import utcnow
from examengine.db import UTCDateTime, table_of
from examengine.ids import new_id


class Role(StrEnum):
    CANDIDATE = "candidate"
    PROCTOR = "proctor"
    AUTHOR = "author"
    ADMIN = "admin"
    MARKER = "marker"  # marks essays and other human-scored answers, blind to who wrote them
    ELIGIBILITY_REVIEWER = "eligibility_reviewer"  # decides eligibility applications and accommodation requests
    APPEALS_REVIEWER = "appeals_reviewer"  # decides the appeals assigned to them


class CredentialKind(StrEnum):
    WEB = "web"
    API = "api"


def _user_fk() -> Column[str]:
    return Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), nullable=False, index=True)


class User(SQLModel, table=True):
    __tablename__ = "app_user"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    email: str = Field(max_length=320, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"

    user_id: str = Field(sa_column=Column(String(32), ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True))
    role: Role = Field(sa_column=Column(String(32), primary_key=True))


class Credential(SQLModel, table=True):
    """A browser session or an API token; only the SHA-256 of the secret is stored."""

    __tablename__ = "credential"

    token_hash: str = Field(primary_key=True, max_length=64)
    kind: CredentialKind = Field(sa_column=Column(String(8), nullable=False))
    user_id: str = Field(sa_column=_user_fk())
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    address: str | None = Field(default=None, max_length=64)
    # The browser a web session signed in on: the hash of its device cookie (the trusted-device secret it held or
    # was given at this login). The device lock lets a new session of the same browser resume the attempt.
    device_hash: str | None = Field(default=None, max_length=64)


class TrustedDevice(SQLModel, table=True):
    """A browser that has logged in to this account before keeps logging in while strangers are throttled."""

    __tablename__ = "trusted_device"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(sa_column=_user_fk())
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class LoginFailure(SQLModel, table=True):
    """Failed logins counted per key (account, address or both) in fixed windows."""

    __tablename__ = "login_failure"

    key: str = Field(primary_key=True, max_length=400)
    window_start: datetime = Field(primary_key=True, sa_type=UTCDateTime)
    failures: int = Field(default=0)


DEVICE_TABLE = table_of(TrustedDevice)
CREDENTIAL_TABLE = table_of(Credential)


class TokenPurpose(StrEnum):
    RESET = "reset"  # "forgot your password?"
    INVITE = "invite"  # a new account's set-your-password link


class PasswordToken(SQLModel, table=True):
    """A single-use set-your-password link; only the SHA-256 of its secret is stored."""

    __tablename__ = "password_token"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(sa_column=_user_fk())
    purpose: TokenPurpose = Field(sa_column=Column(String(8), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
