"""Every table of the engine, imported in one place so that the metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from examengine.accounts.models import Credential, LoginFailure, PasswordToken, TrustedDevice, User, UserRole
from examengine.analysis.models import ItemStatsRecord
from examengine.audit.models import AuditChainHead, AuditCheckpoint, AuditRecord
from examengine.certificates.models import Certificate
from examengine.delivery.exposure import ExposureCount
from examengine.delivery.models import Attempt, AttemptEvent, AttemptSlot
from examengine.delivery.prepared_forms import PreparedForm
from examengine.exams.form_review import FixedFormReview
from examengine.exams.models import Enrollment, Exam, ExamPoolEntry, ExamVersion, Sitting, SittingProctor
from examengine.mail.models import OutboxMail
from examengine.organisation.models import Organisation, OrganisationImage
from examengine.programs.appeal_models import Appeal
from examengine.programs.booking_models import Booking
from examengine.programs.credential_models import CeActivity, CredentialAward, CredentialCounter, CredentialNotice
from examengine.programs.models import (
    AccommodationRequest,
    Application,
    Authorization,
    CredentialEvent,
    EvidenceFile,
    IncidentDecision,
    ProgramCredential,
    Scheme,
    SchemeExam,
    SchemeHandbook,
)

# programs: registry
from examengine.programs.signing_keys import SigningKey
from examengine.scoring.models import (
    AttemptResult,
    MarkingClaim,
    MarkingScript,
    RescoreDecision,
    RescoreRecord,
    RetakeException,
    SlotMark,
    SlotScore,
)
from examengine.standards.models import AngoffRatingRow, HofsteeRow, Judge, Study
from itembank.models import Item, ItemTransition, ItemVersion, ItemVersionTag, Media

metadata = SQLModel.metadata

__all__ = [
    "AccommodationRequest",
    "AngoffRatingRow",
    "Appeal",
    "Application",
    "Attempt",
    "AttemptEvent",
    "AttemptResult",
    "AttemptSlot",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditRecord",
    "Authorization",
    "Booking",
    "CeActivity",
    "Certificate",
    "Credential",
    "CredentialAward",
    "CredentialCounter",
    "CredentialEvent",
    "CredentialNotice",
    "Enrollment",
    "EvidenceFile",
    "Exam",
    "ExamPoolEntry",
    "ExamVersion",
    "ExposureCount",
    "FixedFormReview",
    "HofsteeRow",
    "IncidentDecision",
    "Item",
    "ItemStatsRecord",
    "ItemTransition",
    "ItemVersion",
    "ItemVersionTag",
    "Judge",
    "LoginFailure",
    "MarkingClaim",
    "MarkingScript",
    "Media",
    "Organisation",
    "OrganisationImage",
    "OutboxMail",
    "PasswordToken",
    "PreparedForm",
    "ProgramCredential",
    "RescoreDecision",
    "RescoreRecord",
    "RetakeException",
    "Scheme",
    "SchemeExam",
    "SchemeHandbook",
    "SigningKey",  # programs: registry
    "Sitting",
    "SittingProctor",
    "SlotMark",
    "SlotScore",
    "Study",
    "TrustedDevice",
    "User",
    "UserRole",
    "metadata",
]
