"""A burst longer than the database's lock wait is answered 503 with Retry-After (the exam page keeps the answer in
its queue and retries), never a bare 500; other database errors stay 500."""

from __future__ import annotations

import json
import sqlite3

from sqlalchemy.exc import OperationalError
from starlette.requests import Request

from examengine.web.errors import on_unexpected_error
from tests.conftest import run_async


def api_request() -> Request:
    scope = {
        "type": "http",
        "method": "PUT",
        "path": "/api/v1/attempts/a/responses/1",
        "headers": [],
        "query_string": b"",
    }
    return Request(scope)


def test_a_locked_database_is_a_503_to_retry() -> None:
    locked = OperationalError("UPDATE attempt_slot ...", {}, sqlite3.OperationalError("database is locked"))
    response = run_async(lambda: on_unexpected_error(api_request(), locked))
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert json.loads(bytes(response.body))["error"]["code"] == "busy"


def test_other_database_errors_stay_500() -> None:
    broken = OperationalError("SELECT ...", {}, sqlite3.OperationalError("no such table: attempt"))
    response = run_async(lambda: on_unexpected_error(api_request(), broken))
    assert response.status_code == 500
    assert json.loads(bytes(response.body))["error"]["code"] == "server_error"
