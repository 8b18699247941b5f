"""Periodic jobs remove what is dead, keep what is live, and are harmless when run twice at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from examengine import scheduler
from examengine.accounts import credentials, throttle
from examengine.accounts.models import Credential, CredentialKind, LoginFailure
from examengine.clock import utcnow
from examengine.context import Services


def count(services: Services, model: type) -> int:
    return int(
        services.db.call(lambda *, session: session.scalar(select(func.count()).select_from(model)), write=False)
    )


def test_purges_keep_live_rows_and_run_safely_in_parallel(services: Services, make_user: Callable[..., Any]) -> None:
    user = make_user("ada@example.org")
    long_ago = utcnow() - timedelta(days=3)
    services.db.call(credentials.issue, user_id=user.id, kind=CredentialKind.WEB, lifetime=timedelta(hours=1))
    services.db.call(
        credentials.issue, user_id=user.id, kind=CredentialKind.API, lifetime=timedelta(hours=1), now=long_ago
    )
    keys = throttle.keys_for("ada@example.org", "192.0.2.1", None)
    limits = services.settings.throttle
    services.db.call(throttle.record_failure, keys=keys, trusted=False, limits=limits, now=long_ago)
    services.db.call(throttle.record_failure, keys=keys, trusted=False, limits=limits, now=utcnow())
    assert count(services, Credential) == 2 and count(services, LoginFailure) == 6

    results: list[dict[str, object]] = []
    runners = [threading.Thread(target=lambda: results.append(scheduler.run_all_once(services))) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert len(results) == 2
    assert sum(int(r["purge_dead_credentials"]) for r in results) == 1  # type: ignore[call-overload]
    assert count(services, Credential) == 1 and count(services, LoginFailure) == 3
