"""File downloads both doors offer: the same bytes and headers whether a page link or an API client asks."""

from __future__ import annotations

from starlette.responses import Response


def csv_download(text: str, filename: str) -> Response:
    """`text` is a CSV written by examengine.csv_export (its formulas disarmed), such as export.results_csv's."""
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
