"""Admin pages: users, their roles, passwords and bulk import from CSV."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.accounts import bulk_import, password_links, service
from examengine.accounts.models import Role
from examengine.errors import Conflict, DomainError, InvalidInput, TooLarge
from examengine.http.mail import send_after
from examengine.http.public_url import mail_base
from examengine.http.request import current_user, services
from examengine.web.errors import status_for
from examengine.web.forms import list_field, read_form, text_field, upload_bytes
from examengine.web.templating import is_htmx, render

ALL_ROLES = [role.value for role in Role]


def _mail_configured(request: Request) -> bool:
    return services(request).settings.smtp is not None


async def user_list(request: Request) -> Response:
    params = request.query_params
    role = params.get("role") or None
    if role not in ALL_ROLES:
        role = None
    q = (params.get("q") or "")[:200]
    page = await services(request).db.read(
        service.list_users, role=role, q=q or None, cursor=params.get("cursor") or None
    )
    context = {"page": page, "role": role, "q": q, "roles": ALL_ROLES, "mail_configured": _mail_configured(request)}
    block = "results" if is_htmx(request) and request.headers.get("hx-target") == "user-results" else None
    return render(request, "admin/users.html", context, block=block)


def _form_context(request: Request, values: dict[str, Any] | None = None, error: str | None = None) -> dict[str, Any]:
    defaults = {"email": "", "name": "", "roles": ["candidate"], "access": "invite"}
    return {
        "values": {**defaults, **(values or {})},
        "error": error,
        "all_roles": ALL_ROLES,
        "mail_configured": _mail_configured(request),
    }


async def new_user_form(request: Request) -> Response:
    return render(request, "admin/user_new.html", _form_context(request))


async def _invite(request: Request, values: dict[str, Any]) -> Response:
    ctx = services(request)
    invitation = await ctx.db.run(
        password_links.invite,
        settings=ctx.settings,
        email=values["email"],
        name=values["name"],
        roles=values["roles"],
        actor_id=current_user(request).user_id,
        base_url=mail_base(request),
    )
    target = RedirectResponse(f"/admin/users/{invitation.user.id}?created=invited", status_code=303)
    return send_after(request, target, [invitation.mail_id])


async def create_user(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    password = text_field(form, "password")
    # Without a choice (an older form, a script) a typed password is set as before and no password means invite.
    access = text_field(form, "access") or ("password" if password else "invite")
    values = {
        "email": text_field(form, "email"),
        "name": text_field(form, "name"),
        "roles": list_field(form, "roles"),
        "access": "password" if access == "password" else "invite",
    }
    try:
        if values["access"] == "invite" and password:
            raise InvalidInput("Choose “Set a password now” to set the password you typed, or clear it to invite.")
        if values["access"] == "invite":
            return await _invite(request, values)
        if not password:
            raise InvalidInput("Type a password for the user, or choose to mail them an invitation.")
        password_hash = await ctx.passwords.hash_off_loop(password)
        user = await ctx.db.run(
            service.create_user,
            email=values["email"],
            name=values["name"],
            roles=values["roles"],
            password_hash=password_hash,
            actor_id=current_user(request).user_id,
        )
    except (InvalidInput, Conflict) as error:
        status = 409 if isinstance(error, Conflict) else 422
        return render(request, "admin/user_new.html", _form_context(request, values, error.message), status_code=status)
    return RedirectResponse(f"/admin/users/{user.id}?created=1", status_code=303)


async def user_detail(request: Request) -> Response:
    user = await services(request).db.read(service.get_user, user_id=request.path_params["user_id"])
    return render(
        request,
        "admin/user_detail.html",
        {
            "user": user,
            "all_roles": ALL_ROLES,
            "error": None,
            "notice": _notice(request.query_params.get("done")),
            "created": request.query_params.get("created"),
            "mail_configured": _mail_configured(request),
        },
    )


def _notice(done: str | None) -> str | None:
    return {
        "roles": "Roles saved.",
        "password": "Password set.",
        "disabled": "Account disabled; its sessions ended.",
        "enabled": "Account enabled.",
    }.get(done or "")


async def _detail_with_error(request: Request, user_id: str, message: str, status: int) -> Response:
    user = await services(request).db.read(service.get_user, user_id=user_id)
    return render(
        request,
        "admin/user_detail.html",
        {
            "user": user,
            "all_roles": ALL_ROLES,
            "error": message,
            "notice": None,
            "created": None,
            "mail_configured": _mail_configured(request),
        },
        status_code=status,
    )


async def update_roles(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    form = await read_form(request)
    try:
        await services(request).db.run(
            service.set_roles, user_id=user_id, roles=list_field(form, "roles"), actor_id=current_user(request).user_id
        )
    except (InvalidInput, Conflict) as error:
        return await _detail_with_error(request, user_id, error.message, status_for(error))
    return RedirectResponse(f"/admin/users/{user_id}?done=roles", status_code=303)


async def set_password(request: Request) -> Response:
    ctx = services(request)
    user_id = request.path_params["user_id"]
    form = await read_form(request)
    try:
        password_hash = await ctx.passwords.hash_off_loop(text_field(form, "password"))
    except InvalidInput as error:
        return await _detail_with_error(request, user_id, error.message, 422)
    who = current_user(request)
    await ctx.db.run(
        service.change_password,
        user_id=user_id,
        password_hash=password_hash,
        actor_id=who.user_id,
        keep_token_hash=who.token_hash if user_id == who.user_id else None,
    )
    return RedirectResponse(f"/admin/users/{user_id}?done=password", status_code=303)


async def disable_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    if user_id == current_user(request).user_id:
        return await _detail_with_error(request, user_id, "You cannot disable your own account.", 409)
    await services(request).db.run(
        service.set_disabled, user_id=user_id, disabled=True, actor_id=current_user(request).user_id
    )
    return RedirectResponse(f"/admin/users/{user_id}?done=disabled", status_code=303)


async def enable_user(request: Request) -> Response:
    user_id = request.path_params["user_id"]
    await services(request).db.run(
        service.set_disabled, user_id=user_id, disabled=False, actor_id=current_user(request).user_id
    )
    return RedirectResponse(f"/admin/users/{user_id}?done=enabled", status_code=303)


def _import_page(
    request: Request,
    *,
    report: bulk_import.ImportReport | None = None,
    invited: int = 0,
    error: DomainError | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "report": report,
        "invited": invited,
        "error": error.message if error else None,
        "problems": error.details.get("problems", []) if error else [],
        "mail_configured": _mail_configured(request),
    }
    return render(request, "admin/users_import.html", context, status_code=status_code)


async def import_form(request: Request) -> Response:
    return _import_page(request)


async def import_submit(request: Request) -> Response:
    ctx = services(request)
    form = await read_form(request)
    try:
        _, data = await upload_bytes(form, "file", max_bytes=bulk_import.MAX_CSV_BYTES)
        rows = bulk_import.parse_users_csv(data)
        hashes = await anyio.to_thread.run_sync(bulk_import.hash_passwords, rows, ctx.passwords.hash)
        actor_id = current_user(request).user_id
        mail_ids: tuple[str, ...] = ()
        if text_field(form, "invite"):
            report, mail_ids = await ctx.db.run(
                password_links.import_and_invite,
                settings=ctx.settings,
                rows=rows,
                password_hashes=hashes,
                actor_id=actor_id,
                base_url=mail_base(request),
            )
        else:
            report = await ctx.db.run(bulk_import.import_users, rows=rows, password_hashes=hashes, actor_id=actor_id)
    except (InvalidInput, TooLarge) as error:
        return _import_page(request, error=error, status_code=413 if isinstance(error, TooLarge) else 422)
    return send_after(request, _import_page(request, report=report, invited=len(mail_ids)), mail_ids)
