"""A credential as an Open Badges 3.0 `OpenBadgeCredential` (a W3C Verifiable Credential, Data Model 2.0), and its
VC-JWT: the credential itself as the payload of a compact JWS signed with the current Ed25519 key.

Only the holder and admins read it: it names the holder (by a salted hash of their email, the OB3 IdentityObject)
and is theirs to share. Its `credentialStatus` points at the two public status lists, so whoever holds a copy can
check later whether it was revoked or is suspended without asking anyone who it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sqlmodel import Session

from examengine.accounts.models import Role, User
from examengine.errors import NotFound
from examengine.organisation import identity
from examengine.programs.credential_views import credential_with_scheme
from examengine.programs.models import ProgramCredential, Scheme, SchemeKind
from examengine.programs.signing_keys import sign
from examengine.programs.status_lists import PURPOSES, V2_CONTEXT, list_url, status_list_credential, timestamp

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ACHIEVEMENT_TYPES = {
    SchemeKind.CERTIFICATION: "Certification",
    SchemeKind.ASSESSMENT_BASED_CERTIFICATE: "Certificate",
    SchemeKind.CERTIFICATE_OF_ATTENDANCE: "CertificateOfCompletion",
}
NOT_FOUND = "No credential with this number is yours to read."


def readable(
    *, session: Session, number: str, user_id: str, roles: Collection[str]
) -> tuple[ProgramCredential, Scheme]:
    """The credential and its scheme for its holder or an admin; NotFound (credential_not_found) for anyone else."""
    credential, scheme = credential_with_scheme(session, number)
    if not (Role.ADMIN in roles or credential.user_id == user_id):
        raise NotFound(NOT_FOUND, code="credential_not_found")
    return credential, scheme


def issuer_profile(base: str, organisation_name: str) -> dict[str, Any]:
    return {"id": f"{base}/api/v1/organisation", "type": ["Profile"], "name": organisation_name}


def _describe(credential: ProgramCredential, scheme: Scheme) -> tuple[str, str]:
    """(description, criteria narrative) by the scheme's kind."""
    kind = SchemeKind(scheme.kind)
    if kind == SchemeKind.CERTIFICATION:
        letters = f" ({scheme.designation})" if scheme.designation else ""
        return (
            f"The {scheme.title}{letters} certification, held in cycles and maintained by recertification.",
            "Met the scheme's eligibility requirements and passed its certification examination.",
        )
    if kind == SchemeKind.ASSESSMENT_BASED_CERTIFICATE:
        course = f" of the course {scheme.course_title}" if scheme.course_title else ""
        return (
            f"An assessment-based certificate{course}: {scheme.title}.",
            "Completed the course and passed its assessment.",
        )
    attended = credential.event or scheme.title
    return f"A certificate of attendance: {scheme.title}.", f"Attended {attended}."


def _subject(credential: ProgramCredential, scheme: Scheme, email: str, base: str) -> dict[str, Any]:
    description, narrative = _describe(credential, scheme)
    salt = credential.id
    return {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": True,
                "identityHash": "sha256$" + hashlib.sha256((email.lower() + salt).encode()).hexdigest(),
                "salt": salt,
            }
        ],
        "achievement": {
            "id": f"{base}/api/v1/schemes/{quote(scheme.code, safe='')}",
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPES[SchemeKind(scheme.kind)],
            "name": scheme.title,
            "description": description,
            "criteria": {"narrative": narrative},
        },
    }


def open_badge(
    credential: ProgramCredential, scheme: Scheme, *, holder_email: str, base: str, issuer: dict[str, Any]
) -> dict[str, Any]:
    """The OpenBadgeCredential of `credential` (its current cycle)."""
    badge: dict[str, Any] = {
        "@context": [V2_CONTEXT, OB3_CONTEXT],
        "id": f"{base}/verify/{quote(credential.number, safe='')}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "validFrom": timestamp(credential.cycle_starts),
        "awardedDate": timestamp(credential.granted_at),
        "name": scheme.title,
        "credentialSubject": _subject(credential, scheme, holder_email, base),
        "credentialStatus": [
            {
                "id": f"{list_url(base, purpose)}#{credential.status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(credential.status_index),
                "statusListCredential": list_url(base, purpose),
            }
            for purpose in PURPOSES
        ],
    }
    if credential.valid_until is not None:
        badge["validUntil"] = timestamp(credential.valid_until)
    return badge


def credential_document(
    *, session: Session, number: str, user_id: str, roles: Collection[str], base: str, signed: bool, now: datetime
) -> dict[str, Any] | str:
    """The holder's (or, for an admin, anyone's) OpenBadgeCredential, or its VC-JWT when `signed`."""
    credential, scheme = readable(session=session, number=number, user_id=user_id, roles=roles)
    holder = session.get(User, credential.user_id)
    issuer = issuer_profile(base, identity(session=session).name)
    badge = open_badge(credential, scheme, holder_email=holder.email if holder else "", base=base, issuer=issuer)
    return sign(session=session, payload=badge, now=now) if signed else badge


def status_list_document(
    *, session: Session, purpose: str, base: str, signed: bool, now: datetime
) -> dict[str, Any] | str:
    """The public status list of `purpose` (revocation|suspension; NotFound otherwise), or its VC-JWT."""
    if purpose not in PURPOSES:
        raise NotFound("There is no such status list.", code="status_list_not_found")
    issuer = issuer_profile(base, identity(session=session).name)
    found = status_list_credential(session=session, purpose=purpose, base=base, issuer=issuer, now=now)
    return sign(session=session, payload=found, now=now) if signed else found
