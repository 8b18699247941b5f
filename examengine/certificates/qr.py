"""The QR code on a certificate: an inline SVG drawn on the server (no script, no image request, no CDN)."""

from __future__ import annotations

from html import escape

import segno

from examengine.certificates.codes import grouped


def verification_url(public_base: str, code: str) -> str:
    """The absolute address of a certificate's public verification page (`code` stored or grouped)."""
    return f"{public_base.rstrip('/')}/verify/{grouped(code.replace('-', ''))}"


def qr_svg(url: str, label: str) -> str:
    """An SVG QR code of `url` with `label` as its accessible name; it scales with its box (no fixed size)."""
    # Level M survives a crease or a smudge on paper and keeps the symbol small for a short URL.
    symbol = segno.make(url, error="m", micro=False)
    svg = symbol.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code", lineclass=None, omitsize=True, title=label
    )
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label, quote=True)}" focusable="false" ', 1)
