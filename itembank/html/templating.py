"""The item renderer's own Jinja environment: the macros in templates/items/, autoescape on.

Author markup reaches a macro only through `authored` (the template filter) or as Markup the placeholder
rewriter built: either way it went through the one cleaner (`itembank.cleaning`, via `itembank.html.markup`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from itembank.html.markup import rewrite

TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "items"


def authored(markup: str) -> Markup:
    """Item content as markup a macro may print: cleaned (and its placeholders dropped) first."""
    return Markup(rewrite(markup))


ENVIRONMENT = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,
)
ENVIRONMENT.filters["authored"] = authored


@functools.cache
def _macros() -> Any:
    return ENVIRONMENT.get_template("_interactions.html").module


def macro(name: str, /, **arguments: object) -> Markup:
    """Call one macro of templates/items/_interactions.html."""
    rendered: Markup = getattr(_macros(), name)(**arguments)  # autoescape on: a macro returns Markup
    return rendered
