"""Rendering pages and their htmx fragments from one template (a page's fragments are its named blocks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from examengine import organisation
from examengine.clock import as_utc, local_text, rfc3339
from examengine.delivery.attempt_view import AttemptView
from examengine.http.request import principal
from examengine.web import branding
from examengine.web.auth import CSRF_COOKIE, anonymous_csrf_token, new_csrf_cookie_value
from examengine.web.middleware import csp_nonce
from examengine.web.pages import navigator
from itembank.cleaning import clean_html

URLS_KEPT = 50_000  # paths made by url(), kept per app (a few hundred bytes each)
# the macros of templates/_macros.html, globals of every template
MACROS = ("csrf_field", "alert_message", "notice_message", "field")


def make_environment(
    templates_dir: Path, routes: Sequence[BaseRoute], *, reload_templates: bool = False
) -> jinja2.Environment:
    """Templates are compiled once per process; `reload_templates` (EXAMENGINE_DEBUG=1) checks each file for a
    change on every use instead, a stat per template per page."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        auto_reload=reload_templates,
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["rfc3339"] = rfc3339
    # Times shown to people: `{{ moment|local_time }}` (the organisation's zone) or
    # `{{ moment|local_time(sitting.time_zone) }}`,
    # "6 Dec 2026, 11:16 UTC"; rfc3339 is for machine-readable attributes only (<time datetime>).
    env.filters["local_time"] = _local_time
    env.filters["local_date"] = _local_date  # "6 December 2026", in the organisation's zone
    # the one way a template shows author markup unescaped: `|safe` is refused by tests/web/test_templates_safe.py
    env.filters["author_html"] = clean_html
    url = _url_function(routes)
    env.globals["url"] = url
    env.globals["navigator"] = _navigator_function(url)
    macros = env.get_template("_macros.html").module
    env.globals.update({name: getattr(macros, name) for name in MACROS})
    return env


def _navigator_function(url: Callable[..., str]) -> Callable[..., Markup]:
    """`navigator(view, slot)`: the candidate's question navigator (web.pages.navigator), its links made by url()."""

    @jinja2.pass_context
    def navigator_of(context: jinja2.runtime.Context, view: AttemptView, slot: int) -> Markup:
        sections = navigator.navigator(
            view, slot, lambda n: url(context, "candidate.item", attempt_id=view.attempt_id, slot=n)
        )
        return navigator.markup(sections)

    return navigator_of


@jinja2.pass_context
def _local_time(context: jinja2.runtime.Context, moment: datetime | str, zone: str | None = None) -> str:
    """The `local_time` filter: a datetime, or an RFC 3339 string a page row already holds for its exports, in
    `zone` (a sitting's), else in the organisation's time zone, else UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if zone is None:
        found = context.get("organisation")
        zone = getattr(found, "time_zone", None) or "UTC"
    return local_text(moment, zone)


@jinja2.pass_context
def _local_date(context: jinja2.runtime.Context, moment: datetime) -> str:
    found = context.get("organisation")
    if isinstance(found, organisation.Identity):
        return organisation.local_date(as_utc(moment), found)
    return f"{moment.day} {moment:%B %Y}"


def _url_function(routes: Sequence[BaseRoute]) -> Callable[..., str]:
    """`url(name, **params)`: the path of the named route, so every internal link goes through the one URL table
    (tests/web/test_templates.py refuses a literal one). Path only, under the app's root path: a link never carries
    the Host a request was sent with. Routes are found by name in a table built once, and a route's path is filled
    in from its format string (Starlette's url_path_for tries every route in turn, raising on each miss, which made
    the proctor dashboard's 500 rows several times slower)."""
    by_name = {route.name: route for route in routes if isinstance(route, Route | Mount) and route.name}
    made: dict[tuple[Any, ...], str] = {}  # (name, *params) -> path: a page asks for the same few dozen again

    def path_of(name: str, params: dict[str, Any]) -> str:
        route = by_name[name]
        if isinstance(route, Mount) or params.keys() != route.param_convertors.keys():
            return route.url_path_for(name, **params)  # a static file, or wrong parameters: Starlette's error
        filled = {key: route.param_convertors[key].to_string(value) for key, value in params.items()}
        return route.path_format.format(**filled)

    @jinja2.pass_context
    def url(context: jinja2.runtime.Context, name: str, /, **params: Any) -> str:
        scope = context["request"].scope
        root = str(scope.get("app_root_path", scope.get("root_path", ""))).rstrip("/")
        key = (name, *params.items())
        try:
            found = made.get(key)
        except TypeError:  # a parameter that cannot be a key
            return root + path_of(name, params)
        if found is None:
            found = path_of(name, params)
            if len(made) >= URLS_KEPT:
                made.clear()
            made[key] = found
        return root + found

    return url


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
        "organisation": branding.of(request),
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
