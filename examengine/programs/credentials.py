"""Credentials for life (API.md "Credentials"): the one public module of the credential services.

Awarding on a released pass and certificates of attendance (credential_award), reading (credential_views),
continuing education and renewal (credential_ce), an admin's decisions and an appeal's restoring
(credential_actions), reminders (credential_reminders).
"""

from collections.abc import Callable

from examengine.programs.credential_actions import (
    reinstate,
    reinstatement_ends,
    restore_credential,
    revoke_credential,
    suspend,
)
from examengine.programs.credential_award import award_attendance, award_due, award_for_attempt
from examengine.programs.credential_ce import CycleView, Shortfall, current_cycle, cycle_of, record_activity, renew
from examengine.programs.credential_reminders import send_reminders
from examengine.programs.credential_views import (
    KIND_WORDS,
    CredentialPage,
    CredentialView,
    HistoryLine,
    credential_by_number,
    credential_of_attempt,
    credential_with_scheme,
    credentials_for,
    get_credential,
    history,
    latest_pass,
    list_credentials,
    view_of,
    visible_credential,
)
from examengine.programs.models import ProgramCredential

# An admin's decision (suspend, reinstate, revoke_credential): number, reason, actor_id, now -> the credential.
Action = Callable[..., ProgramCredential]

__all__ = [
    "KIND_WORDS",
    "Action",
    "CredentialPage",
    "CredentialView",
    "CycleView",
    "HistoryLine",
    "Shortfall",
    "award_attendance",
    "award_due",
    "award_for_attempt",
    "credential_by_number",
    "credential_of_attempt",
    "credential_with_scheme",
    "credentials_for",
    "current_cycle",
    "cycle_of",
    "get_credential",
    "history",
    "latest_pass",
    "list_credentials",
    "record_activity",
    "reinstate",
    "reinstatement_ends",
    "renew",
    "restore_credential",
    "revoke_credential",
    "send_reminders",
    "suspend",
    "view_of",
    "visible_credential",
]
