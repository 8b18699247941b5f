"""A real SMTP server for tests (aiosmtpd on a free port) and what arrives at it."""

from __future__ import annotations

import email
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from examengine.settings import SmtpServer

LINK = re.compile(r"https?://\S+/reset-password\?token=[A-Za-z0-9_-]+")


class Mailbox:
    """Every message the server accepted, in order of arrival; `refuse` makes it answer 451 to the next ones (and
    `refuse_to` to those for these addresses)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.refuse_to: set[str] = set()
        self._arrived = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse or self.refuse_to & set(envelope.rcpt_tos):
            return "451 Requested action aborted: try again later"
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        with self._arrived:
            self.messages.append(parsed)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, address: str, count: int = 1, timeout: float = 10) -> EmailMessage:
        """The `count`-th message to `address` (waiting for it to arrive)."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.to(address)) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"no mail #{count} to {address} arrived; got {[m['To'] for m in self.messages]}"
                self._arrived.wait(left)
        return self.to(address)[count - 1]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the mail has no text part"
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the mail has no HTML part"
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    found = LINK.findall(text_of(message))
    assert len(found) == 1, f"expected one set-password link in the mail, found {found}"
    return str(found[0])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, SmtpServer]]:
    box = Mailbox()
    port = _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, SmtpServer(host="127.0.0.1", port=port)
    finally:
        controller.stop()
