"""Rendering pages and their htmx fragments from one template (a page's fragments are its named blocks)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from examengine.clock import rfc3339
from examengine.http.request import principal
from examengine.web.auth import CSRF_COOKIE, anonymous_csrf_token, new_csrf_cookie_value
from examengine.web.middleware import csp_nonce
from itembank.cleaning import clean_html


def make_environment(templates_dir: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rfc3339"] = rfc3339
    # the one way a template shows author markup unescaped: `|safe` is refused by tests/web/test_templates_safe.py
    env.filters["author_html"] = clean_html
    return env


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-history-restore-request") != "true"


def navigate(request: Request, url: str) -> Response:
    """A redirect that also works for htmx: a polling fragment that followed a plain 303 would swap in a fragment of
    the next page (or nothing); HX-Redirect makes htmx load the whole page instead."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def render(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page, or only its `block` (for an htmx request that asked for a fragment)."""
    env: jinja2.Environment = request.app.state.jinja
    who = principal(request)
    new_cookie = None
    csrf_token = who.csrf_token if who else anonymous_csrf_token(request)
    if not csrf_token:
        csrf_token = new_cookie = new_csrf_cookie_value()
    full_context = {
        "request": request,
        "principal": who,
        "csrf_token": csrf_token,
        "csp_nonce": csp_nonce(request.scope),
        **(context or {}),
    }
    template = env.get_template(template_name)
    if block is not None:
        html = "".join(template.blocks[block](template.new_context(full_context)))
    else:
        html = template.render(full_context)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    if new_cookie:
        response.set_cookie(
            CSRF_COOKIE, new_cookie, httponly=True, samesite="lax", secure=request.url.scheme == "https"
        )
    return response
