"""What an audit record says happened: one typed kind per privileged action (stored by value)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from examengine.settings import SettingsError


class AuditKind(StrEnum):
    LOGIN_SUCCEEDED = "login_succeeded"
    LOGIN_FAILED = "login_failed"
    ACCESS_DENIED = "access_denied"  # any 403: a role, ownership or CSRF refusal
    REFUSALS_SUMMARIZED = "refusals_summarized"  # anonymous refusals from one address beyond those recorded singly
    USER_CREATED = "user_created"
    ROLE_CHANGED = "role_changed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    PASSWORD_SET = "password_set"  # own change, by an admin or the CLI (a rehash at login is not recorded)
    PASSWORD_RESET_REQUESTED = "password_reset_requested"  # for any address given, known or not (never told apart)
    USER_INVITED = "user_invited"  # an account created without a password and a set-your-password link mailed
    ITEM_TRANSITION = "item_transition"
    EXAM_PUBLISHED = "exam_published"
    EXAM_DRAFT_CHANGED = "exam_draft_changed"  # a draft blueprint saved over in the structured editor
    FIXED_FORM_REVIEWED = "fixed_form_reviewed"
    RESULT_CHANGED = "result_changed"
    RESULTS_RELEASED = "results_released"
    PROCTOR_ACTION = "proctor_action"  # an attempt event whose actor is not the candidate nor the clock
    ATTEMPT_FINISHED = "attempt_finished"  # the head of the attempt's event chain when it finished
    ATTEMPT_EVENTS_PURGED = "attempt_events_purged"
    RETENTION_PURGE = "retention_purge"
    ORGANISATION_CHANGED = "organisation_changed"  # its name, colour, contact, signatory, logo or signature
    SITTING_CREATED = "sitting_created"
    SITTING_CHANGED = "sitting_changed"  # window, proctors, capacity or zone: each changed field's old and new value
    SITTING_CANCELLED = "sitting_cancelled"
    CANDIDATE_ENROLLED = "candidate_enrolled"
    CANDIDATE_REMOVED = "candidate_removed"
    # programs: appeals
    APPEAL_FILED = "appeal_filed"
    APPEAL_ASSIGNED = "appeal_assigned"
    APPEAL_DECIDED = "appeal_decided"  # with its outcome and remedy (a new authorization, a restored credential...)
    # programs: applications
    APPLICATION_SUBMITTED = "application_submitted"  # first submission, or a resubmission after more was asked
    APPLICATION_DECIDED = "application_decided"  # approve, deny or request_info, with the reason
    APPLICATION_WITHDRAWN = "application_withdrawn"
    # programs: schemes
    SCHEME_CREATED = "scheme_created"
    HANDBOOK_PUBLISHED = "handbook_published"  # a new version of a scheme's candidate handbook (the newest is current)
    # programs: registry
    REGISTRY_LISTING_CHANGED = "registry_listing_changed"  # a holder opted in to or out of name search
    SIGNING_KEY_ROTATED = "signing_key_rotated"  # a new Open Badges signing key; the old ones stay published
    # programs: credentials
    CREDENTIAL_AWARDED = "credential_awarded"  # a passing result released, or attendance recorded
    CREDENTIAL_RENEWED = "credential_renewed"  # by continuing education or by passing the exam again
    CREDENTIAL_SUSPENDED = "credential_suspended"
    CREDENTIAL_REINSTATED = "credential_reinstated"  # from suspended, or from lapsed within the reinstatement period
    CREDENTIAL_REVOKED = "credential_revoked"
    CREDENTIAL_RESTORED = "credential_restored"  # an upheld appeal undid a revocation or suspension
    CE_RECORDED = "ce_recorded"  # a holder recorded a continuing-education activity
    # programs: bookings
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_CANCELLED = "booking_cancelled"
    # programs: accommodations (the detail never holds the candidate's statement nor the words of other needs)
    ACCOMMODATION_REQUESTED = "accommodation_requested"
    ACCOMMODATION_DECIDED = "accommodation_decided"
    # programs: reports
    INCIDENT_DECIDED = "incident_decided"  # a withheld result released or invalidated


# The retention setting also names the attempt events (they live in their own table, not as a kind).
ATTEMPT_EVENTS = "attempt_event"
# Purge records are kept for good: verify needs them to tell a purged attempt from a deleted one.
RETAINABLE = frozenset({*(kind.value for kind in AuditKind), ATTEMPT_EVENTS} - {AuditKind.ATTEMPT_EVENTS_PURGED.value})


def check_retention(periods: Iterable[tuple[str, int]]) -> None:
    """Raise SettingsError for a kind in EXAMENGINE_AUDIT_RETENTION_DAYS that names no kind of record kept."""
    for kind, _ in periods:
        if kind not in RETAINABLE:
            known = ", ".join(sorted(RETAINABLE))
            raise SettingsError(f"EXAMENGINE_AUDIT_RETENTION_DAYS: unknown record kind {kind!r}; use one of {known}")
