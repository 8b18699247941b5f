"""The organisation running the engine: its name, logo, accent colour, contact address and certificate signatory.

Pages, certificates and the mailer read it through `identity(session=...)`."""

from examengine.organisation.service import (
    MAX_IMAGE_BYTES,
    Identity,
    IdentityChanges,
    ImageKind,
    cached_identity,
    change,
    current_image,
    identity,
    last_known,
    local_date,
    remove_image,
    set_image,
)

__all__ = [
    "MAX_IMAGE_BYTES",
    "Identity",
    "IdentityChanges",
    "ImageKind",
    "cached_identity",
    "change",
    "current_image",
    "identity",
    "last_known",
    "local_date",
    "remove_image",
    "set_image",
]
