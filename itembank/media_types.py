"""The media an item may use: images, audio and video a browser plays inertly, by file extension.

Anything else (scripts, HTML, CSS, SVG, which can carry scripts, and every unknown type) is refused at import and
never served, even if an older version stored it. The served content type comes from this table, never from a
guess, so no file is ever sent as text/html or text/javascript.
"""

from __future__ import annotations

import posixpath

MEDIA_TYPES: dict[str, str] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
SERVED_TYPES: frozenset[str] = frozenset(MEDIA_TYPES.values())
EXTENSIONS: dict[str, str] = {kind: extension for extension, kind in reversed(list(MEDIA_TYPES.items()))}
# Files of a content package that are never stored nor served, and harmless to skip: schemas for validators.
SKIPPED_PACKAGE_FILES = (".xsd", ".dtd")


def media_type(path: str) -> str | None:
    """The content type of a media file named `path`, or None if that kind of file is not taken."""
    return MEDIA_TYPES.get(posixpath.splitext(path.lower())[1])


def allowed_list() -> str:
    return ", ".join(sorted({extension.lstrip(".") for extension in MEDIA_TYPES}))
