"""Periodic jobs in exactly one place: the web process (default) or the Procfile's scheduler process.

Every job is safe to run twice at once (conditional updates and deletes), so a second process that also runs
them by mistake does no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from examengine import mail
from examengine.accounts import credentials, password_links, throttle
from examengine.audit import refusals
from examengine.certificates import issuing as certificates
from examengine.clock import utcnow
from examengine.context import Services
from examengine.delivery import attempts, preassembly, trail
from examengine.programs import admission
from examengine.programs import credentials as program_credentials
from examengine.scoring import service as scoring

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    seconds: int
    run: Callable[[Services], object]


def purge_dead_credentials(services: Services) -> object:
    return services.db.call(credentials.purge_dead)


def purge_old_login_failures(services: Services) -> object:
    return services.db.call(throttle.purge_old, limits=services.settings.throttle, now=utcnow())


def expire_overdue_attempts(services: Services) -> object:
    return services.db.call(attempts.expire_overdue)


def score_finished_attempts(services: Services) -> object:
    return scoring.score_finished(services.db, now=utcnow())


def issue_due_certificates(services: Services) -> object:
    """Certificates of the passes visible now, then the credentials of those in a scheme (each once)."""
    issued = services.db.call(certificates.issue_due, now=utcnow())
    return issued, services.db.call(program_credentials.award_due)


def send_credential_reminders(services: Services) -> object:
    """Holders are mailed before a cycle ends and when grace starts, once each (programs.credential_reminders)."""
    return services.db.call(program_credentials.send_reminders, settings=services.settings, now=utcnow())


def preassemble_forms(services: Services) -> object:
    minutes = services.settings.preassemble_minutes
    report = preassembly.prepare_due(services.db, now=utcnow(), lead_minutes=minutes, eligible=admission.eligibility)
    warm_pools(services)
    return str(report)


def warm_pools(services: Services) -> int:
    """This process's pools of the sittings open or opening within the lead time (at start-up and every minute
    with the preparation, so a sitting scheduled later is warm before it opens)."""
    lead = timedelta(minutes=services.settings.preassemble_minutes or 60)
    return services.db.call(preassembly.warm_pools, now=utcnow(), lead=lead, write=False)


def send_mail(services: Services) -> object:
    """The outbox's due mails: those a request could not send, retried with backoff."""
    return mail.send_due(services.db, services.settings)


def purge_mail_and_links(services: Services) -> object:
    """Finished mail after a month, password links a day after they expired."""
    return services.db.call(mail.purge_finished), services.db.call(password_links.purge_dead)


def summarize_refusals(services: Services) -> object:
    return services.db.call(refusals.summarize_closed_windows)


def purge_audit_trail(services: Services) -> object:
    periods = dict(services.settings.audit_retention_days)
    return services.db.call(trail.purge, retention=periods, key=services.settings.audit_key, now=utcnow())


JOBS = (
    Job("score_finished_attempts", 10, score_finished_attempts),
    Job("issue_due_certificates", 30, issue_due_certificates),
    Job("expire_overdue_attempts", 5, expire_overdue_attempts),
    Job("preassemble_forms", 60, preassemble_forms),
    Job("purge_dead_credentials", 3600, purge_dead_credentials),
    Job("purge_old_login_failures", 900, purge_old_login_failures),
    Job("summarize_refusals", 300, summarize_refusals),
    Job("send_mail", 30, send_mail),
    Job("purge_mail_and_links", 3600, purge_mail_and_links),
    Job("purge_audit_trail", 6 * 3600, purge_audit_trail),
    Job("send_credential_reminders", 600, send_credential_reminders),
)


def _run_logged(job: Job, services: Services) -> None:
    try:
        result = job.run(services)
        log.info("job %s done: %s", job.name, result)
    except Exception:
        log.exception("job %s failed; it will run again at its next time", job.name)


def _add_jobs(target: BaseScheduler, services: Services) -> None:
    for job in JOBS:
        target.add_job(
            _run_logged,
            "interval",
            seconds=job.seconds,
            args=(job, services),
            id=job.name,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )


def start_in_process(services: Services) -> BackgroundScheduler:
    background = BackgroundScheduler(timezone="UTC")
    _add_jobs(background, services)
    background.start()
    return background


def run_forever(services: Services) -> None:
    """The Procfile's `scheduler` process (EXAMENGINE_SCHEDULER=external for the web processes)."""
    blocking = BlockingScheduler(timezone="UTC")
    _add_jobs(blocking, services)
    log.info("scheduler running %d jobs", len(JOBS))
    blocking.start()


def run_all_once(services: Services) -> dict[str, object]:
    return {job.name: job.run(services) for job in JOBS}
