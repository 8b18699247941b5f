"""Reading submitted forms: plain strings, with bounded sizes."""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request

from examengine.errors import InvalidInput, TooLarge

MAX_FIELD_LENGTH = 20_000


async def read_form(request: Request) -> FormData:
    return await request.form(max_files=10, max_fields=500, max_part_size=1024 * 1024)


def text_field(form: FormData, name: str, *, required: bool = False, label: str | None = None) -> str:
    value = form.get(name)
    text = value if isinstance(value, str) else ""
    if "\x00" in text:
        raise InvalidInput(f"{label or name} contains a NUL character.")
    if len(text) > MAX_FIELD_LENGTH:
        raise InvalidInput(f"{label or name} is too long.")
    if required and not text.strip():
        raise InvalidInput(f"{label or name} is required.")
    return text


def list_field(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


async def upload_bytes(form: FormData, name: str, *, max_bytes: int) -> tuple[str, bytes]:
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("Choose a file to upload.", code="missing_file")
    try:
        data = await upload.read(max_bytes + 1)
    finally:
        await upload.close()
    if len(data) > max_bytes:
        raise TooLarge(f"The file is larger than {max_bytes // (1024 * 1024)} MiB.")
    return upload.filename, data
