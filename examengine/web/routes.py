"""The one URL table: every route of the app, its name and who may call it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from examengine.api import accounts as api_accounts
from examengine.api import meta as api_meta
from examengine.settings import Settings
from examengine.web.access import ADMIN, PUBLIC, SIGNED_IN, Access
from examengine.web.auth import guard
from examengine.web.pages import account, admin_users

Endpoint = Callable[[Request], Awaitable[Response]]


def route(path: str, endpoint: Endpoint, *, name: str, access: Access, methods: tuple[str, ...] = ("GET",)) -> Route:
    return Route(path, guard(endpoint, access), methods=list(methods), name=name)


STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def routes(settings: Settings) -> list[BaseRoute]:
    htmx_dist = settings.node_modules_dir / "htmx.org" / "dist"
    return [
        # Our own assets, and htmx from its pinned npm package (never committed, installed at set-up)
        Mount("/static/app", StaticFiles(directory=STATIC_DIR), name="static.app"),
        Mount("/static/vendor/htmx", StaticFiles(directory=htmx_dist, check_dir=False), name="static.htmx"),
        # Pages
        route("/", account.home, name="home", access=PUBLIC),
        route("/login", account.login_page, name="account.login", access=PUBLIC),
        route("/login", account.login_submit, name="account.login_submit", access=PUBLIC, methods=("POST",)),
        route("/logout", account.logout, name="account.logout", access=PUBLIC, methods=("POST",)),
        route("/admin/users", admin_users.user_list, name="admin.users", access=ADMIN),
        route("/admin/users", admin_users.create_user, name="admin.users.create", access=ADMIN, methods=("POST",)),
        route("/admin/users/new", admin_users.new_user_form, name="admin.users.new", access=ADMIN),
        route("/admin/users/import", admin_users.import_form, name="admin.users.import", access=ADMIN),
        route(
            "/admin/users/import",
            admin_users.import_submit,
            name="admin.users.import_submit",
            access=ADMIN,
            methods=("POST",),
        ),
        route("/admin/users/{user_id}", admin_users.user_detail, name="admin.users.detail", access=ADMIN),
        route(
            "/admin/users/{user_id}/roles",
            admin_users.update_roles,
            name="admin.users.roles",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/password",
            admin_users.set_password,
            name="admin.users.password",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/disable",
            admin_users.disable_user,
            name="admin.users.disable",
            access=ADMIN,
            methods=("POST",),
        ),
        route(
            "/admin/users/{user_id}/enable",
            admin_users.enable_user,
            name="admin.users.enable",
            access=ADMIN,
            methods=("POST",),
        ),
        # JSON API
        route("/healthz", api_meta.healthz, name="api.health", access=PUBLIC),
        route("/api/openapi.json", api_meta.openapi_document, name="api.openapi", access=PUBLIC),
        route(
            "/api/v1/auth/token",
            api_accounts.create_token,
            name="api.auth.token_create",
            access=PUBLIC,
            methods=("POST",),
        ),
        route(
            "/api/v1/auth/token",
            api_accounts.revoke_token,
            name="api.auth.token_revoke",
            access=SIGNED_IN,
            methods=("DELETE",),
        ),
        route("/api/v1/users", api_accounts.create_user, name="api.users.create", access=ADMIN, methods=("POST",)),
        route("/api/v1/users", api_accounts.list_users, name="api.users.list", access=ADMIN),
    ]
