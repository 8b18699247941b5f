"""One frozen Settings object, read from the environment once and passed in."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable holds a value the engine cannot use."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _choice(env: dict[str, str], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _public_url(env: dict[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(f"{name} must be an http(s) address such as https://exams.example.org, got {raw!r}")
    return raw.rstrip("/")


def _networks(env: dict[str, str], name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """`10.0.0.5, 10.1.0.0/16, ::1`: addresses and networks, comma-separated."""
    networks = []
    for part in (env.get(name) or "").split(","):
        if not part.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(part.strip(), strict=False))
        except ValueError:
            raise SettingsError(
                f"{name}: {part.strip()!r} is not an IP address or network such as 10.0.0.0/8"
            ) from None
    return tuple(networks)


def _retention(env: dict[str, str], name: str) -> tuple[tuple[str, int], ...]:
    """`kind=days,kind=days`: how long each kind of audit record (or `attempt_event`) is kept; unnamed: forever.
    The kinds are the audit trail's to check (`audit.kinds.check_retention`, when the services are built)."""
    periods: dict[str, int] = {}
    for part in (env.get(name) or "").split(","):
        if not part.strip():
            continue
        kind, _, days = (piece.strip() for piece in part.partition("="))
        if not days.isdecimal() or int(days) < 1:
            raise SettingsError(f"{name}: {kind} needs a whole number of days of at least 1, got {days!r}")
        periods[kind] = int(days)
    return tuple(sorted(periods.items()))


def _audit_key(env: dict[str, str], retention: tuple[tuple[str, int], ...]) -> str:
    key = env.get("EXAMENGINE_AUDIT_KEY") or ""
    if key and len(key) < 32:
        raise SettingsError("EXAMENGINE_AUDIT_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)")
    if retention and not key:
        raise SettingsError(
            "EXAMENGINE_AUDIT_RETENTION_DAYS needs EXAMENGINE_AUDIT_KEY to sign the checkpoints the purge writes"
        )
    return key


@dataclass(frozen=True)
class SmtpServer:
    """Where mail goes: EXAMENGINE_SMTP_URL, `smtp://[user:pass@]host[:port][?starttls=1]` (or `smtps://` for TLS
    from the first byte)."""

    host: str
    port: int
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    starttls: bool = False
    tls: bool = False


def _smtp_server(env: dict[str, str], name: str) -> SmtpServer | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return None
    example = "smtp://user:password@mail.example.org:587?starttls=1"
    parts = urlsplit(raw)
    try:
        port = parts.port
    except ValueError:
        raise SettingsError(f"{name} has a port that is not a number (e.g. {example})") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname or parts.path not in ("", "/") or parts.fragment:
        raise SettingsError(f"{name} must be an address such as {example}")
    options = parse_qs(parts.query, keep_blank_values=True)
    unknown = sorted(set(options) - {"starttls"})
    if unknown:
        raise SettingsError(f"{name}: unknown option {unknown[0]!r} (only starttls=1 is read)")
    starttls = options.get("starttls", ["0"])[-1] in ("1", "true", "yes")
    tls = parts.scheme == "smtps"
    return SmtpServer(
        host=parts.hostname,
        port=port or (465 if tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
        starttls=starttls and not tls,
        tls=tls,
    )


_ADDRESS = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+")


def _mail_from(env: dict[str, str], smtp: SmtpServer | None) -> str:
    raw = (env.get("EXAMENGINE_MAIL_FROM") or "").strip()
    if smtp is not None and not raw:
        raise SettingsError("EXAMENGINE_SMTP_URL needs EXAMENGINE_MAIL_FROM, the address mail is sent from")
    if raw and (not _ADDRESS.fullmatch(raw)):
        raise SettingsError(f"EXAMENGINE_MAIL_FROM must be a bare address such as exams@example.org, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Argon2Cost:
    """argon2id cost; the default is OWASP's m=19 MiB, t=2, p=1 floor, cheap enough for a login storm."""

    time_cost: int = 2
    memory_kib: int = 19 * 1024
    parallelism: int = 1


@dataclass(frozen=True)
class ThrottleLimits:
    """Failed-login budgets per fixed window; successes are never counted."""

    window_seconds: int = 15 * 60
    per_account_and_address: int = 10
    per_address: int = 100
    per_account: int = 50


# Password-reset requests, every one counted (each may send a mail): a few per account, more per address.
RESET_REQUEST_LIMITS = ThrottleLimits(window_seconds=15 * 60, per_account_and_address=5, per_address=30, per_account=5)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite:///var/examengine.db"
    templates_dir: Path = PROJECT_ROOT / "templates"
    node_modules_dir: Path = PROJECT_ROOT / "node_modules"
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    api_token_hours: int = 12
    argon2: Argon2Cost = field(default_factory=Argon2Cost)
    throttle: ThrottleLimits = field(default_factory=ThrottleLimits)
    scheduler: str = "internal"
    preassemble_minutes: int = 60  # forms are prepared for sittings that open within this many minutes (0: off)
    # live streams (server-sent events) one process holds open; past it an exam page polls instead. Each takes a file
    # descriptor: the server's `ulimit -n` must exceed this (plus the database pool and the requests in flight).
    live_streams: int = 5000
    read_threads: int = 8  # threads for database reads: more only add contention for the GIL on a small machine
    # threads for the short reads of every candidate request (the token, the attempt, an item): few, because
    # threads that take turns at the GIL cost CPU for every turn (0: on SQLite the event loop itself, no thread;
    # 4 on PostgreSQL)
    hot_read_threads: int = 0
    separation_of_duties: bool = True  # an author cannot approve their own item version
    public_url: str | None = None  # e.g. https://exams.example.org: the base of addresses printed on certificates
    # EXAMENGINE_TRUSTED_PROXIES: the reverse proxies whose Forwarded / X-Forwarded-For / X-Forwarded-Proto /
    # X-Real-IP headers are believed (comma-separated IPs or CIDR networks); from anyone else they are dropped.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    audit_key: str = field(default="", repr=False)  # HMAC key signing the audit trail's retention checkpoints
    audit_retention_days: tuple[tuple[str, int], ...] = ()  # (kind, days) pairs; kinds not named are kept forever
    smtp: SmtpServer | None = None  # None: mail waits in the outbox (and the admin pages say mail is not configured)
    mail_from: str = ""
    mail_to_log: bool = False  # the demo server writes unsent mail (its links) to the log when no SMTP server is set
    organisation_name: str = "examengine"  # the sender's display name until the organisation's identity names it
    reset_throttle: ThrottleLimits = RESET_REQUEST_LIMITS
    password_reset_minutes: int = 60  # how long a reset link works
    invitation_days: int = 7  # how long an invitation's set-your-password link works
    score_report_min_items: int = 5  # programs: reports: fewer items in a domain report "insufficient_items"
    debug: bool = False
    sql_echo: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        retention = _retention(env, "EXAMENGINE_AUDIT_RETENTION_DAYS")
        smtp = _smtp_server(env, "EXAMENGINE_SMTP_URL")
        return cls(
            database_url=env.get("DATABASE_URL") or cls.database_url,
            templates_dir=Path(env.get("EXAMENGINE_TEMPLATES") or cls.templates_dir),
            node_modules_dir=Path(env.get("EXAMENGINE_NODE_MODULES") or cls.node_modules_dir),
            session_idle_minutes=_int(env, "EXAMENGINE_SESSION_IDLE_MINUTES", 30, 1),
            session_max_hours=_int(env, "EXAMENGINE_SESSION_MAX_HOURS", 12, 1),
            api_token_hours=_int(env, "EXAMENGINE_API_TOKEN_HOURS", 12, 1),
            argon2=Argon2Cost(
                time_cost=_int(env, "EXAMENGINE_ARGON2_TIME_COST", 2, 1),
                memory_kib=_int(env, "EXAMENGINE_ARGON2_MEMORY_KIB", 19 * 1024, 8),
                parallelism=_int(env, "EXAMENGINE_ARGON2_PARALLELISM", 1, 1),
            ),
            throttle=ThrottleLimits(
                window_seconds=_int(env, "EXAMENGINE_THROTTLE_WINDOW_SECONDS", 900, 1),
                per_account_and_address=_int(env, "EXAMENGINE_THROTTLE_PER_ACCOUNT_ADDRESS", 10, 1),
                per_address=_int(env, "EXAMENGINE_THROTTLE_PER_ADDRESS", 100, 1),
                per_account=_int(env, "EXAMENGINE_THROTTLE_PER_ACCOUNT", 50, 1),
            ),
            scheduler=_choice(env, "EXAMENGINE_SCHEDULER", "internal", ("internal", "external", "off")),
            preassemble_minutes=_int(env, "EXAMENGINE_PREASSEMBLE_MINUTES", 60, 0),
            read_threads=_int(env, "EXAMENGINE_READ_THREADS", 8, 1),
            hot_read_threads=_int(env, "EXAMENGINE_HOT_READ_THREADS", 0, 0),
            live_streams=_int(env, "EXAMENGINE_LIVE_STREAMS", 5000, 0),
            separation_of_duties=env.get("EXAMENGINE_SEPARATION_OF_DUTIES", "1") != "0",
            public_url=_public_url(env, "EXAMENGINE_PUBLIC_URL"),
            trusted_proxies=_networks(env, "EXAMENGINE_TRUSTED_PROXIES"),
            audit_key=_audit_key(env, retention),
            audit_retention_days=retention,
            smtp=smtp,
            mail_from=_mail_from(env, smtp),
            mail_to_log=env.get("EXAMENGINE_MAIL_TO_LOG", "") == "1",
            score_report_min_items=_int(env, "EXAMENGINE_SCORE_REPORT_MIN_ITEMS", 5, 1),  # programs: reports
            debug=env.get("EXAMENGINE_DEBUG", "") == "1",
            sql_echo=env.get("EXAMENGINE_SQL_ECHO", "") == "1",
        )
