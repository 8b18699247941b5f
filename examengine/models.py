"""Every table of the engine, imported in one place so that the metadata (and Alembic) sees them all."""

from sqlmodel import SQLModel

from examengine.accounts.models import Credential, LoginFailure, TrustedDevice, User, UserRole

metadata = SQLModel.metadata

__all__ = ["Credential", "LoginFailure", "TrustedDevice", "User", "UserRole", "metadata"]
