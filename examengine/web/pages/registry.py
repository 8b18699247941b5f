"""The public registry page (no sign-in; the API's budget per address), the credential part of /verify, and the
holder's page to be found by name in the registry or by number only."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from examengine.clock import utcnow
from examengine.errors import InvalidInput, Throttled
from examengine.http.request import client_address, current_user, services
from examengine.programs import listing, registry
from examengine.web.forms import read_form, text_field
from examengine.web.templating import render

STATUS_WORDS = {
    "active": "Active",
    "grace": "Active, in its grace period",
    "lapsed": "Lapsed",
    "suspended": "Suspended",
    "revoked": "Revoked",
}
KIND_WORDS = {
    "certification": "Certification",
    "assessment_based_certificate": "Assessment-based certificate",
    "certificate_of_attendance": "Certificate of attendance",
}
WORDS = {"status_words": STATUS_WORDS, "kind_words": KIND_WORDS}


async def search_page(request: Request) -> Response:
    params = request.query_params
    number = (params.get("number") or "")[: registry.MAX_QUERY]
    name = (params.get("name") or "")[: registry.MAX_QUERY]
    scheme = (params.get("scheme") or "")[: registry.MAX_QUERY]
    ctx = services(request)
    context: dict[str, Any] = {
        **WORDS,
        "number": number,
        "name": name,
        "scheme": scheme,
        "schemes": await ctx.db.read(registry.schemes),
        "results": None,
        "error": None,
    }
    headers: dict[str, str] = {}
    status_code = 200
    if number.strip() or name.strip() or scheme.strip():
        try:
            context["results"] = await ctx.db.run(
                registry.search,
                address=client_address(request),
                now=utcnow(),
                number=number if number.strip() else None,
                name=name,
                scheme=scheme,
            )
        except Throttled as error:
            context["error"], status_code = error.message, 429
            headers["Retry-After"] = str(error.retry_after_seconds)
    return render(request, "registry/search.html", context, status_code=status_code, headers=headers)


async def verified_credential(request: Request, typed: str) -> Response | None:
    """/verify for a credential number: its registry entry (a counted lookup), or None when no credential has it."""
    found = await services(request).db.run(
        registry.verify_number, typed=typed, address=client_address(request), now=utcnow()
    )
    if found is None:
        return None
    context = {**WORDS, "typed": found.number, "found": None, "not_found": None, "credential": found}
    return render(request, "certificates/verify.html", context)


async def _listing_page(request: Request, *, saved: bool = False) -> Response:
    credential, scheme = await services(request).db.read(
        listing.own_credential, number=str(request.path_params["number"]), user_id=current_user(request).user_id
    )
    context = {"credential": credential, "scheme": scheme, "saved": saved}
    return render(request, "registry/listing.html", context)


async def listing_page(request: Request) -> Response:
    return await _listing_page(request, saved=request.query_params.get("saved") == "1")


async def listing_submit(request: Request) -> Response:
    number = str(request.path_params["number"])
    form = await read_form(request)
    choice = text_field(form, "listed", required=True, label="Your choice")
    if choice not in ("yes", "no"):
        raise InvalidInput("Choose whether the registry finds you by name.")
    credential = await services(request).db.run(
        listing.set_listed,
        number=number,
        user_id=current_user(request).user_id,
        listed=choice == "yes",
        now=utcnow(),
    )
    target = request.url_for("credentials.registry", number=credential.number).path
    return RedirectResponse(f"{target}?saved=1", status_code=303)
