"""Request and response bodies of the JSON API (field names are the contract of API.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from examengine.accounts.models import Role


# PostgreSQL text cannot hold NUL and no field has a use for it: free text says so in the document.
NO_NUL = r"^[^\x00]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_max_length=10_000)


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(BaseModel):
    error: ErrorDetail


class Health(BaseModel):
    status: str
    database: str


class TokenRequest(Strict):
    email: str = Field(min_length=1, max_length=320, pattern=NO_NUL)
    password: str = Field(min_length=1, max_length=256, pattern=NO_NUL)


class TokenUser(BaseModel):
    id: str
    email: str
    roles: list[Role]


class TokenOut(BaseModel):
    token: str
    expires_at: datetime
    user: TokenUser


# A name is printable text with at least one visible character.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


class UserCreate(Strict):
    email: str = Field(max_length=320, json_schema_extra={"format": "email"})
    name: str = Field(min_length=1, max_length=200, pattern=NAME_PATTERN)
    password: str | None = Field(default=None, min_length=12, max_length=256, pattern=NO_NUL)
    roles: list[Role] = Field(min_length=1, max_length=4)


class UserOut(BaseModel):
    id: str
    email: str
    name: str
    roles: list[Role]
    disabled: bool = False


class UserQuery(Strict):
    role: Role | None = None
    q: str | None = Field(default=None, max_length=200, pattern=NO_NUL)
    cursor: str | None = Field(default=None, max_length=320, pattern=NO_NUL)
    limit: int = Field(default=50, ge=1, le=200)


class UserList(BaseModel):
    items: list[UserOut]
    next_cursor: str | None
