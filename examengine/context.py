"""What every request and job shares: settings, the database and the password hasher."""

from __future__ import annotations

from dataclasses import dataclass

from examengine.accounts.passwords import Passwords
from examengine.db import Database
from examengine.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    passwords: Passwords

    @classmethod
    def build(cls, settings: Settings) -> Services:
        return cls(settings, Database(settings.database_url, echo=settings.sql_echo), Passwords(settings.argon2))
