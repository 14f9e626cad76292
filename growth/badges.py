"""Badge QR codes: the code holds only the ticket's random secret (no personal data), as an inline SVG."""

import io

import qrcode
import qrcode.image.svg


def qr_svg(data: str) -> str:
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg") :]  # drop the XML declaration so it can be inlined in HTML


def qr_png(data: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(data, box_size=8, border=2).save(buffer, format="PNG")
    return buffer.getvalue()
