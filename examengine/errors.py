"""Domain errors: each carries a stable snake_case code and a message a person can act on, never an HTTP status.

One mapping in examengine.web.errors turns the kinds below into responses.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """`commit_before_raising`: the refusal follows a change that must stand (an attempt expired on the way),
    so the unit of work commits before the error is reported instead of rolling back."""

    code = "domain_error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: dict[str, Any] | None = None,
        commit_before_raising: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}
        self.commit_before_raising = commit_before_raising


class InvalidInput(DomainError):
    """The request is well-formed but its content is not acceptable (422)."""

    code = "invalid_input"


class MalformedInput(DomainError):
    """The request cannot be read at all (400)."""

    code = "malformed_input"


class NotAuthenticated(DomainError):
    code = "not_authenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class TooLarge(DomainError):
    code = "too_large"


class UnsupportedMediaType(DomainError):
    """The body is not in a format the route reads (415): a form where JSON is expected, or the reverse."""

    code = "unsupported_media_type"


class ShuttingDown(DomainError):
    """The server is stopping and refused to start or finish long work (503); nothing was stored."""

    code = "shutting_down"


class Throttled(DomainError):
    code = "too_many_attempts"

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message, details={"retry_after_seconds": retry_after_seconds})
        self.retry_after_seconds = retry_after_seconds
