"""QR codes as PNG images: a ticket's reference at the door, a tracked link on a leaflet."""
import io

import segno


def qr_png(text: str, scale: int = 8) -> bytes:
    """Always a full QR code (never a Micro QR, which phone scanners often cannot read)."""
    image = io.BytesIO()
    segno.make_qr(text, error="m").save(image, kind="png", scale=scale, border=3)
    return image.getvalue()
