"""Opaque identifiers: random, unguessable, and safe in URLs."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import threading
import uuid

# Random bytes drawn from os.urandom a page at a time: one system call per couple of hundred tokens instead of one
# each. On the event loop each call is also a turn of the GIL handed to another thread (every page's CSP nonce).
_POOL_BYTES = 4096
_pool = bytearray()
_pool_lock = threading.Lock()


def _forget_pool() -> None:
    """A forked process must never hand out the bytes its parent holds: it draws its own."""
    _pool.clear()


os.register_at_fork(after_in_child=_forget_pool)


def new_id() -> str:
    return uuid.uuid4().hex


def random_token(nbytes: int) -> str:
    """`secrets.token_urlsafe(nbytes)`, from the pool: for the many short-lived tokens of the hot paths (a page's
    CSP nonce, an attempt's presentation key). Every byte comes from os.urandom and is handed out once."""
    with _pool_lock:
        if len(_pool) < nbytes:
            _pool.extend(os.urandom(max(_POOL_BYTES, nbytes)))
        chunk = bytes(_pool[:nbytes])
        del _pool[:nbytes]
    return base64.urlsafe_b64encode(chunk).rstrip(b"=").decode("ascii")


def new_secret_token() -> str:
    """256 random bits, URL-safe: for session cookies, API tokens and device cookies."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored for a secret token: a copied database row cannot be replayed as a cookie."""
    return hashlib.sha256(token.encode()).hexdigest()
