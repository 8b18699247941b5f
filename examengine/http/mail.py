"""Mail written by a request is sent after its response has gone (in a thread): the answer neither waits on the SMTP
server nor, for a password reset, takes longer when the address is known. The outbox row is already committed, so a
send that fails (or a process that stops) leaves it to the scheduled job."""

from __future__ import annotations

from collections.abc import Sequence

import anyio.to_thread
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from examengine import mail
from examengine.http.request import services

# Sent straight after the response; the rest of a large batch (a bulk import's invitations) is the scheduled job's.
SEND_AT_ONCE = 50


def send_after(request: Request, response: Response, mail_ids: Sequence[str]) -> Response:
    """`response`, sending these outbox mails (the first SEND_AT_ONCE of them) once it has been sent."""
    if mail_ids:
        ctx = services(request)
        ids = list(mail_ids[:SEND_AT_ONCE])

        async def send() -> None:
            await anyio.to_thread.run_sync(mail.deliver, ctx.db, ctx.settings, ids)

        response.background = BackgroundTask(send)
    return response
