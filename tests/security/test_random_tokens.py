"""The hot paths' short-lived tokens (a page's CSP nonce, an attempt's presentation key) come from a per-process pool
of os.urandom bytes (examengine.ids.random_token): each byte handed out once, and never the same in a forked child
as in its parent."""

from __future__ import annotations

import base64
import os
import re

from examengine import ids


def test_tokens_have_the_length_and_alphabet_of_token_urlsafe_and_never_repeat() -> None:
    tokens = [ids.random_token(18) for _ in range(5_000)]  # more than one refill of the pool
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{24}", token) for token in tokens)
    decoded = b"".join(base64.urlsafe_b64decode(token) for token in tokens)
    assert len(decoded) == 18 * 5_000 and len(set(decoded)) == 256  # every byte value occurs
    assert len(ids.random_token(9_000)) == 12_000  # larger than the pool: drawn in one go


def test_a_forked_child_draws_its_own_bytes() -> None:
    ids.random_token(1)  # the parent holds a pool now
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover (the child)
        os.write(writing, ids.random_token(18).encode())
        os._exit(0)
    os.close(writing)
    _, status = os.waitpid(child, 0)
    from_child = os.read(reading, 100).decode()
    os.close(reading)
    assert status == 0 and len(from_child) == 24
    assert from_child != ids.random_token(18)  # what the parent hands out next is not what the child got
