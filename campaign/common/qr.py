"""QR codes as PNG images: a ticket's reference at the door, a tracked link on a leaflet."""
import io


def qr_png(text: str, scale: int = 8) -> bytes:
    """Always a full QR code (never a Micro QR, which phone scanners often cannot read).

    segno is imported on the first code drawn, not with the app: few processes draw one.
    """
    import segno

    image = io.BytesIO()
    segno.make_qr(text, error="m").save(image, kind="png", scale=scale, border=3)
    return image.getvalue()
