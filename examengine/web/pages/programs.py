"""The candidate's view of credential programs: the schemes, and what each credential is before applying."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import Response

from examengine.http.request import services
from examengine.programs import scheme_text, scheme_views
from examengine.web.templating import render

SHOWN = 200


async def program_list(request: Request) -> Response:
    page = await services(request).db.read(scheme_views.list_schemes, limit=SHOWN)
    return render(request, "programs/list.html", {"schemes": page.items, "kind_name": scheme_text.kind_name})


def program_context(session: Session, code: str) -> dict[str, Any]:
    view = scheme_views.scheme_view(session=session, code=code)
    return {
        "view": view,
        "scheme": view.scheme,
        "kind_name": scheme_text.kind_name(view.scheme),
        "explanation": scheme_text.kind_explanation(view.scheme),
        "recertification": scheme_text.recertification_words(view.scheme),
        "words": scheme_text.duration_words,
    }


async def program_detail(request: Request) -> Response:
    context = await services(request).db.read(program_context, code=str(request.path_params["code"]))
    return render(request, "programs/detail.html", context)
