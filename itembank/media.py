"""Media files items use: stored once by their SHA-256, from an upload or from an imported package."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from sqlalchemy import (
    select,
)
from sqlmodel import Session, col

from examengine.errors import InvalidInput, NotFound
from itembank.media_types import SKIPPED_PACKAGE_FILES, allowed_list, media_type
from itembank.models import (
    Media,
)

IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


MAX_MEDIA_BYTES = 5 * 1024 * 1024


def _media_types(media: Mapping[str, bytes]) -> dict[str, str]:
    """Package path -> content type of each file to store; InvalidInput naming every file that is no allowed media."""
    kept = {path: media_type(path) for path in media if not path.lower().endswith(SKIPPED_PACKAGE_FILES)}
    refused = sorted(path for path, kind in kept.items() if kind is None)
    if refused:
        names = ", ".join(repr(path[-200:]) for path in refused[:20])
        raise InvalidInput(
            f"The package holds files that are not media an item may use: {names}; nothing was imported. "
            f"Remove them: only {allowed_list()} files are taken (scripts, HTML, CSS and SVG never are).",
            code="unsupported_media",
            details={"files": refused[:100]},
        )
    return {path: kind for path, kind in kept.items() if kind is not None}


def store_package_media(session: Session, media: Mapping[str, bytes]) -> dict[str, str]:
    """Store each file once by its SHA-256; returns package path -> the URL the content will use."""
    urls: dict[str, str] = {}
    for path, content_type in _media_types(media).items():
        data = media[path]
        digest = hashlib.sha256(data).hexdigest()
        if session.get(Media, digest) is None:
            session.add(
                Media(sha256=digest, content_type=content_type, size=len(data), data=data, original_name=path[-300:])
            )
        urls[path] = f"/media/{digest}"
    return urls


def store_image(*, session: Session, name: str, data: bytes) -> str:
    """Store an uploaded image once by its content hash and return the URL to use in item content. Only PNG,
    JPEG, GIF and WebP are taken (recognised by their bytes, not their name): SVG can carry scripts."""
    if len(data) > MAX_MEDIA_BYTES:
        raise InvalidInput(f"The image is larger than {MAX_MEDIA_BYTES // (1024 * 1024)} MiB.", code="media_too_large")
    content_type = next((kind for magic, kind in IMAGE_SIGNATURES.items() if data.startswith(magic)), None)
    if content_type is None and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        content_type = "image/webp"
    if content_type is None:
        raise InvalidInput("That file is not a PNG, JPEG, GIF or WebP image.", code="unsupported_media")
    digest = hashlib.sha256(data).hexdigest()
    if session.get(Media, digest) is None:
        session.add(
            Media(sha256=digest, content_type=content_type, size=len(data), data=data, original_name=name[-300:])
        )
        session.flush()
    return f"/media/{digest}"


def recent_media(*, session: Session, limit: int = 50) -> list[tuple[str, str, int, str]]:
    rows = session.execute(
        select(col(Media.sha256), col(Media.original_name), col(Media.size), col(Media.content_type))
        .order_by(col(Media.created_at).desc())
        .limit(limit)
    ).all()
    return [(f"/media/{sha}", name, size, kind) for sha, name, size, kind in rows]


def get_media(*, session: Session, sha256: str) -> Media:
    media = session.get(Media, sha256) if len(sha256) == 64 else None
    if media is None:
        raise NotFound("No such file.", code="media_not_found")
    return media
