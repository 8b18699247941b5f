"""Path parameters shared by pages and the API: whole numbers beyond any real value are unknown (404), never an
overflow in the database."""

from __future__ import annotations

from starlette.requests import Request

from examengine.errors import NotFound


def item_version(request: Request) -> int:
    version = int(request.path_params["version"])
    if version > 999_999_999:
        raise NotFound("The item has no such version.", code="version_not_found")
    return version


def attempt_slot(request: Request) -> int:
    slot = int(request.path_params["slot"])
    if slot > 100_000:
        raise NotFound("The attempt has no such item.", code="slot_not_found")
    return slot


def section_index(request: Request) -> int:
    section = int(request.path_params["section"])
    if section > 1000:
        raise NotFound("The attempt has no such section.", code="section_not_found")
    return section
