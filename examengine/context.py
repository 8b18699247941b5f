"""What every request and job shares: settings, the database, the password hasher and the process's live streams
(started and stopped by the app's lifespan; idle elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from examengine.accounts.passwords import Passwords
from examengine.audit.kinds import check_retention
from examengine.caches import ProcessCaches
from examengine.db import Database
from examengine.delivery.live_hub import LiveHub
from examengine.settings import Settings


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    passwords: Passwords
    live: LiveHub

    @property
    def caches(self) -> ProcessCaches:
        """The process caches every unit of work of these services reads through (held by their database)."""
        return self.db.caches

    @classmethod
    def build(cls, settings: Settings) -> Services:
        """The services of these settings; raises SettingsError for a setting a domain refuses (before any I/O)."""
        check_retention(settings.audit_retention_days)
        db = Database(settings.database_url, echo=settings.sql_echo, hot_read_threads=settings.hot_read_threads)
        hub = LiveHub(
            db, max_streams=settings.live_streams, idle_timeout=timedelta(minutes=settings.session_idle_minutes)
        )
        return cls(settings, db, Passwords(settings.argon2), hub)
