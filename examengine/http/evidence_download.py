"""An evidence file as both doors serve it: an attachment (never shown inline, so a crafted PDF runs nothing in the
app's origin), the type its bytes were checked to be, never sniffed, never cached by a shared cache."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from examengine.programs.models import EvidenceFile

UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def evidence_download(evidence: EvidenceFile) -> Response:
    plain = UNSAFE.sub("_", evidence.filename).strip("._") or "evidence"
    return Response(
        evidence.data or b"",
        media_type=evidence.content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(evidence.filename)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
