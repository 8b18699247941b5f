"""argon2id hashing with a constant-time answer for unknown accounts."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from examengine.errors import InvalidInput
from examengine.settings import Argon2Cost

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
T = TypeVar("T")


@dataclass(frozen=True)
class Verification:
    ok: bool
    needs_rehash: bool = False


class Passwords:
    """Hashes and verifies passwords. Both are CPU-bound and memory-hard: the async methods run them in a pool of
    one thread per CPU, so that a login burst neither waits on the event loop nor holds the general thread pool
    (database units of work) nor runs forty 19 MiB hashes at once on two cores."""

    def __init__(self, cost: Argon2Cost) -> None:
        self._pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="argon2")
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost,
            memory_cost=cost.memory_kib,
            parallelism=cost.parallelism,
            type=Type.ID,
        )
        # Verifying against this when the account does not exist costs the same as a real verification.
        self._dummy_hash = self._hasher.hash("examengine-no-such-account")

    def hash(self, password: str) -> str:
        check_password_policy(password)
        return self._hasher.hash(password)

    def rehash(self, password: str) -> str:
        """A hash with the current parameters for a password that was just verified (no policy check)."""
        return self._hasher.hash(password)

    async def _off_loop(self, fn: Callable[..., T], *args: str | None) -> T:
        return await asyncio.wrap_future(self._pool.submit(fn, *args))

    async def hash_off_loop(self, password: str) -> str:
        return await self._off_loop(self.hash, password)

    async def rehash_off_loop(self, password: str) -> str:
        return await self._off_loop(self.rehash, password)

    async def verify_off_loop(self, password_hash: str | None, password: str) -> Verification:
        return await self._off_loop(self.verify, password_hash, password)

    def verify(self, password_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(password_hash or self._dummy_hash, password[:MAX_PASSWORD_LENGTH])
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(ok=False)
        if password_hash is None:
            return Verification(ok=False)
        return Verification(ok=True, needs_rehash=self._hasher.check_needs_rehash(password_hash))


def check_password_policy(password: str) -> None:
    """ASVS 2.1: at least 12 characters, at most 256, anything printable allowed."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password is too short: use at least {MIN_PASSWORD_LENGTH} characters.",
            code="weak_password",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"The password is too long: use at most {MAX_PASSWORD_LENGTH} characters.", code="weak_password"
        )
    if "\x00" in password:
        raise InvalidInput("The password contains a NUL character.", code="weak_password")
