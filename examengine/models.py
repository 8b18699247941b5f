"""Every table of the engine, imported in one place so that the metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from examengine.accounts.models import Credential, LoginFailure, TrustedDevice, User, UserRole
from itembank.models import Item, ItemTransition, ItemVersion, ItemVersionTag, Media

metadata = SQLModel.metadata

__all__ = [
    "Credential",
    "Item",
    "ItemTransition",
    "ItemVersion",
    "ItemVersionTag",
    "LoginFailure",
    "Media",
    "TrustedDevice",
    "User",
    "UserRole",
    "metadata",
]
