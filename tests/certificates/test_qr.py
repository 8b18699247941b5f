"""The QR code is an inline, scalable SVG with an accessible name, drawn from the verification address."""

from __future__ import annotations

import re

import segno

from examengine.certificates.qr import qr_svg, verification_url


def test_the_verification_address_is_absolute_and_grouped() -> None:
    expected = "https://certs.example.org/verify/7K3M-QW2D-9TXB-4HNP"
    assert verification_url("https://certs.example.org/", "7K3MQW2D9TXB4HNP") == expected
    assert verification_url("https://certs.example.org", "7K3M-QW2D-9TXB-4HNP") == expected


def test_the_svg_is_named_scalable_inert_and_encodes_the_address() -> None:
    url = "https://certs.example.org/verify/7K3M-QW2D-9TXB-4HNP"
    svg = qr_svg(url, 'QR code for "7K3M" & co')
    assert svg.startswith('<svg role="img" aria-label="QR code for &quot;7K3M&quot; &amp; co" ')
    assert '<title>QR code for "7K3M" &amp; co</title>' in svg
    assert "viewBox=" in svg and not re.search(r"<svg[^>]* (width|height)=", svg)
    assert "<script" not in svg and "style=" not in svg and "<?xml" not in svg
    symbol = segno.make(url, error="m", micro=False)
    assert svg.count("<path") == 2 and f'viewBox="0 0 {(symbol.symbol_size(scale=4, border=4))[0]}' in svg
    assert qr_svg(url, "x") == qr_svg(url, "x")
    assert qr_svg(url, "x") != qr_svg(url.replace("4HNP", "4HNQ"), "x")
