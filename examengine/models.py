"""Every table of the engine, imported in one place so that the metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from examengine.accounts.models import Credential, LoginFailure, TrustedDevice, User, UserRole
from examengine.certificates.models import Certificate
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.exams.models import Enrollment, Exam, ExamPoolEntry, ExamVersion, Sitting, SittingProctor
from examengine.scoring.models import AttemptResult, SlotScore
from itembank.models import Item, ItemTransition, ItemVersion, ItemVersionTag, Media

metadata = SQLModel.metadata

__all__ = [
    "Attempt",
    "AttemptEvent",
    "AttemptResult",
    "AttemptSlot",
    "Certificate",
    "Credential",
    "Enrollment",
    "Exam",
    "ExamPoolEntry",
    "ExamVersion",
    "Item",
    "ItemTransition",
    "ItemVersion",
    "ItemVersionTag",
    "LoginFailure",
    "Media",
    "Sitting",
    "SittingProctor",
    "SlotScore",
    "TrustedDevice",
    "User",
    "UserRole",
    "metadata",
]
