"""The printable certificate: WeasyPrint renders an HTML template; a QR code links to the public verification
page (the credential id), so a paper copy can be checked against the live status."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django.template.loader import render_to_string
from weasyprint import HTML

from certification.models import Certificate
from certification.services.certificates import credential_url, issuer_name


def qr_svg_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def certificate_pdf(certificate: Certificate) -> bytes:
    url = credential_url(certificate)
    html = render_to_string(
        "certification/certificate_pdf.html",
        {
            "certificate": certificate,
            "verify_url": url,
            "qr": qr_svg_data_uri(url),
            "issuer_name": issuer_name(),
        },
    )
    return HTML(string=html).write_pdf()
