"""The one reader of JSON that clients send, for the API and the pages' script endpoints.

Standard JSON only: `NaN`, `Infinity` and numbers too large for a float (`1e999`) are refused (PostgreSQL's JSON and
every score would choke on them), nesting deeper than Python's recursion limit is refused instead of crashing, and a
body declared as a form or a file is refused with the content type to use (reading it as a form consumed the stream).
"""

from __future__ import annotations

import json
import math
from typing import Any, NoReturn

from starlette.requests import Request

from examengine.errors import InvalidInput, MalformedInput, UnsupportedMediaType

NOT_JSON_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")


def _non_finite(constant: str) -> NoReturn:
    raise InvalidInput(
        f"{constant} is not a number this service accepts: send finite numbers only.", code="non_finite_number"
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _non_finite(text[:40])
    return value


def loads(raw: bytes | str) -> Any:
    """Parse standard JSON. Raises MalformedInput (400) when it cannot be read, InvalidInput (422) for non-finite
    numbers."""
    try:
        return json.loads(raw, parse_constant=_non_finite, parse_float=_finite_float)
    except RecursionError:
        raise MalformedInput("The JSON is nested too deeply to read.", code="malformed_json") from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError (bytes that are not UTF-8) are ValueErrors
        raise MalformedInput(f"Not valid JSON: {error}.", code="malformed_json") from None


def check_json_content_type(request: Request) -> None:
    """Refuse a body declared as something other than JSON (415); no declared type is read as JSON."""
    declared = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if declared.startswith(NOT_JSON_TYPES):
        raise UnsupportedMediaType(
            f"The body is sent as {declared}; send JSON with Content-Type: application/json.",
            code="unsupported_media_type",
        )


async def read_json(request: Request, *, empty: Any = None) -> Any:
    """The request's JSON body (`empty` when there is none), checked as `loads` checks it."""
    check_json_content_type(request)
    raw = await request.body()
    if not raw.strip():
        return empty
    return loads(raw)
