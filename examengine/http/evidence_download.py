"""An evidence file as both doors serve it: always as a download (never rendered in the browser, whatever the
uploader named it), in the type its bytes were recognised as, and never sniffed into another."""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.responses import Response

from examengine.programs.models import EvidenceFile

UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")


def evidence_response(evidence: EvidenceFile) -> Response:
    name = evidence.filename or "evidence"
    plain = UNSAFE.sub("_", name)[:200] or "evidence"
    return Response(
        evidence.data or b"",
        media_type=evidence.content_type,
        headers={
            "Content-Disposition": f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )
