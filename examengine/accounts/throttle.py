"""Login throttling that slows guessing without letting anyone lock a real user out.

Failed logins are counted in fixed windows under three keys: the account at one address, the address, and the
account. The pair and the address limits stop a guesser at one place. The account limit stops a guesser spread
over many addresses, but a browser that has logged in to the account before (it holds a trusted-device cookie,
OWASP's "device cookie" scheme) is exempt from the account and address limits and counted on its own, so the
real user keeps logging in while the account is under attack. Successful logins are never counted, so a class
of candidates behind one address can all log in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlmodel import Session, col

from examengine.accounts.models import DEVICE_TABLE, LoginFailure, TrustedDevice
from examengine.clock import utcnow
from examengine.db import dialect_insert
from examengine.errors import Throttled
from examengine.ids import new_secret_token, token_digest
from examengine.settings import ThrottleLimits


@dataclass(frozen=True)
class ThrottleKeys:
    pair: str
    address: str
    account: str
    device: str | None


def keys_for(email: str, address: str, device_hash: str | None) -> ThrottleKeys:
    return ThrottleKeys(
        pair=f"pair:{email}|{address}",
        address=f"addr:{address}",
        account=f"acct:{email}",
        device=f"dev:{device_hash}" if device_hash else None,
    )


def window_start(now: datetime, limits: ThrottleLimits) -> datetime:
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % limits.window_seconds, UTC)


def is_trusted_device(*, session: Session, device_token: str | None, user_id: str | None) -> bool:
    if not device_token or not user_id or len(device_token) > 200:
        return False
    owner = session.scalar(
        select(col(TrustedDevice.user_id)).where(col(TrustedDevice.token_hash) == token_digest(device_token))
    )
    return owner == user_id


def check(*, session: Session, keys: ThrottleKeys, trusted: bool, limits: ThrottleLimits, now: datetime) -> None:
    """Raise Throttled (with the seconds to wait) when this login attempt is over a budget."""
    start = window_start(now, limits)
    wanted = [keys.device] if trusted and keys.device else [keys.pair, keys.address, keys.account]
    counts: dict[str, int] = dict(
        session.execute(
            select(col(LoginFailure.key), col(LoginFailure.failures)).where(
                col(LoginFailure.key).in_(wanted), col(LoginFailure.window_start) == start
            )
        ).all()
    )
    budgets = {
        keys.pair: limits.per_account_and_address,
        keys.address: limits.per_address,
        keys.account: limits.per_account,
    }
    if keys.device:
        budgets[keys.device] = limits.per_account_and_address
    if any(counts.get(key, 0) >= budgets[key] for key in wanted):
        retry_after = int((start + timedelta(seconds=limits.window_seconds) - now).total_seconds()) + 1
        raise Throttled(
            f"Too many failed logins. Wait {retry_after} seconds and try again, or set a new password through "
            "“Forgot your password?”.",
            retry_after_seconds=retry_after,
        )


def record_failure(
    *, session: Session, keys: ThrottleKeys, trusted: bool, limits: ThrottleLimits, now: datetime
) -> None:
    start = window_start(now, limits)
    counted = [keys.device] if trusted and keys.device else [keys.pair, keys.address, keys.account]
    for key in counted:
        statement = dialect_insert(session, LoginFailure).values(key=key, window_start=start, failures=1)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["key", "window_start"],
                set_={"failures": col(LoginFailure.failures) + 1},
            )
        )


def trust_device(*, session: Session, user_id: str) -> str:
    """A new trusted-device secret for the browser that just logged in."""
    token = new_secret_token()
    session.connection().execute(
        insert(DEVICE_TABLE).values(token_hash=token_digest(token), user_id=user_id, created_at=utcnow())
    )
    return token


def purge_old(*, session: Session, limits: ThrottleLimits, now: datetime) -> int:
    cutoff = window_start(now, limits) - timedelta(seconds=limits.window_seconds)
    result = session.execute(delete(LoginFailure).where(col(LoginFailure.window_start) < cutoff))
    return int(getattr(result, "rowcount", 0))


def forgive_account(*, session: Session, email: str) -> None:
    """Forget the failed logins counted against this account (its holder just proved they read its mail by setting a
    password through a link): the guesses of before no longer lock its holder out. Address budgets stay."""
    account = keys_for(email, "", None)
    session.execute(
        delete(LoginFailure).where(
            (col(LoginFailure.key) == account.account)
            | col(LoginFailure.key).startswith(f"pair:{email}|", autoescape=True)
        )
    )
