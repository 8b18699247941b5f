"""Handing one mail to the SMTP server of EXAMENGINE_SMTP_URL (standard library only; blocking: run it in a thread)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from examengine.settings import SmtpServer

TIMEOUT_SECONDS = 30


def message(*, sender_name: str, sender: str, recipient: str, subject: str, text: str, html: str) -> EmailMessage:
    """A multipart/alternative message: the plain text first, the HTML alternative last (preferred by readers)."""
    mail = EmailMessage()
    mail["From"] = formataddr((sender_name, sender))
    mail["To"] = recipient
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    mail.set_content(text)
    mail.add_alternative(html, subtype="html")
    return mail


def send(server: SmtpServer, mail: EmailMessage) -> None:
    """Deliver one message; raises smtplib.SMTPException or OSError when the server refuses it or cannot be reached."""
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if server.tls:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_SECONDS, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_SECONDS)
    with client:
        if server.starttls:
            client.starttls(context=context)
        if server.username:
            client.login(server.username, server.password or "")
        client.send_message(mail)
