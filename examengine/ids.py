"""Opaque identifiers: random, unguessable, and safe in URLs."""

from __future__ import annotations

import hashlib
import secrets
import uuid


def new_id() -> str:
    return uuid.uuid4().hex


def new_secret_token() -> str:
    """256 random bits, URL-safe: for session cookies, API tokens and device cookies."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a secret token: a copied database row cannot be replayed as a cookie."""
    return hashlib.sha256(token.encode()).hexdigest()
