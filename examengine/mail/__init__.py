"""Mail: letters written from templates, stored in an outbox in the unit of work that needs them, and sent through
the SMTP server of EXAMENGINE_SMTP_URL (retried by the scheduled job). Free of HTTP."""

from examengine.mail.compose import Letter, organisation_name, write
from examengine.mail.delivery import deliver, send_due
from examengine.mail.outbox import enqueue, purge_finished, waiting_count

__all__ = [
    "Letter",
    "deliver",
    "enqueue",
    "organisation_name",
    "purge_finished",
    "send_due",
    "waiting_count",
    "write",
]
