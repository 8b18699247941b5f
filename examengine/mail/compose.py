"""Writing a mail: a subject, a plain-text body and an HTML alternative, from templates under templates/mail/."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from examengine.organisation import identity
from examengine.settings import Settings


@dataclass(frozen=True)
class Letter:
    recipient: str
    subject: str
    text: str
    html: str


def organisation_name(settings: Settings, *, session: Session) -> str:
    """The name mail is signed with and sent as (the sender's display name): the organisation's identity as an
    admin set it (version 0: never set), else the installation's default."""
    found = identity(session=session)
    return (found.name if found.version > 0 else settings.organisation_name) or "examengine"


@functools.lru_cache(maxsize=4)
def _environment(templates_dir: Path) -> Environment:
    # Autoescape for the HTML alternative only: the text part is plain text and must show `&` as `&`.
    return Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def write(
    settings: Settings, template: str, *, session: Session, recipient: str, subject: str, **context: Any
) -> Letter:
    """The letter of `mail/<template>.txt` and `mail/<template>.html`, both given `context`, the organisation's name
    and contact address, and the subject."""
    environment = _environment(settings.templates_dir)
    found = identity(session=session)
    values = {
        **context,
        "organisation": organisation_name(settings, session=session),
        "contact": found.contact_email,
        "subject": subject,
    }
    text = environment.get_template(f"mail/{template}.txt").render(values)
    html = environment.get_template(f"mail/{template}.html").render(values)
    return Letter(recipient, subject, text, html)
