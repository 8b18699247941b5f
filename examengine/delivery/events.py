"""The kinds of an attempt's events (`AttemptEvent.type`): one enum, stored by value.

The candidate's browser reports the CLIENT kinds (`answers.report_event`); the server records every other kind
itself, and a client reporting one would forge the proctor's evidence.
"""

from __future__ import annotations

from enum import StrEnum

from examengine.delivery.states import AttemptStatus


class AttemptEventType(StrEnum):
    # the status moves (`attempts.transition` records the status it moved to)
    IN_PROGRESS = AttemptStatus.IN_PROGRESS.value  # admitted or resumed
    PAUSED = AttemptStatus.PAUSED.value
    SUBMITTED = AttemptStatus.SUBMITTED.value
    EXPIRED = AttemptStatus.EXPIRED.value
    TERMINATED = AttemptStatus.TERMINATED.value
    WAITING = AttemptStatus.WAITING.value  # never moved to (an attempt starts there), yet not a client's to report
    # the server's own records
    CHECKED_IN = "checked_in"
    STARTED = "started"
    ANSWER_SAVED = "answer_saved"
    FLAGGED = "flagged"
    UNFLAGGED = "unflagged"
    ADVANCED = "advanced"
    SECTION_OPENED = "section_opened"
    EXTENDED = "extended"
    TIME_CREDITED = "time_credited"
    SECOND_DEVICE = "second_device"
    DEVICE_BOUND = "device_bound"
    DEVICE_UNLOCKED = "device_unlocked"
    DEVICE_RESUMED = "device_resumed"
    NOTE = "note"
    INCIDENT = "incident"
    ANNOUNCEMENT = "announcement"
    TERMINATION_DECIDED = "termination_decided"
    INCIDENT_DECIDED = "incident_decided"  # programs: reports (a withheld result released or invalidated)
    # what the candidate's browser reports
    ITEM_VIEWED = "item_viewed"
    NAVIGATION = "navigation"
    FOCUS_LOST = "focus_lost"
    FOCUS_REGAINED = "focus_regained"
    VISIBILITY_HIDDEN = "visibility_hidden"
    VISIBILITY_VISIBLE = "visibility_visible"
    FULLSCREEN_EXIT = "fullscreen_exit"
    COPY_ATTEMPT = "copy_attempt"
    PASTE_ATTEMPT = "paste_attempt"
    RELOAD = "reload"
    OFFLINE = "offline"
    ONLINE = "online"


CLIENT_EVENTS = frozenset(
    {
        AttemptEventType.ITEM_VIEWED,
        AttemptEventType.NAVIGATION,
        AttemptEventType.FOCUS_LOST,
        AttemptEventType.FOCUS_REGAINED,
        AttemptEventType.VISIBILITY_HIDDEN,
        AttemptEventType.VISIBILITY_VISIBLE,
        AttemptEventType.FULLSCREEN_EXIT,
        AttemptEventType.COPY_ATTEMPT,
        AttemptEventType.PASTE_ATTEMPT,
        AttemptEventType.RELOAD,
        AttemptEventType.OFFLINE,
        AttemptEventType.ONLINE,
    }
)


def status_event(status: AttemptStatus) -> AttemptEventType:
    """The event a move to `status` records."""
    return AttemptEventType(status.value)


# The kinds a client report is refused as `server_event` (the others, as `unknown_event`, like any unknown word).
SERVER_EVENTS = frozenset(
    {
        *(status_event(status) for status in AttemptStatus),
        AttemptEventType.ANSWER_SAVED,
        AttemptEventType.SECOND_DEVICE,
        AttemptEventType.DEVICE_BOUND,
        AttemptEventType.DEVICE_UNLOCKED,
        AttemptEventType.DEVICE_RESUMED,
        AttemptEventType.SECTION_OPENED,
        AttemptEventType.EXTENDED,
        AttemptEventType.TIME_CREDITED,
        AttemptEventType.NOTE,
        AttemptEventType.INCIDENT,
    }
)
