"""An uploaded logo checked with Pillow and re-encoded as a small PNG.

Only PNG, JPEG and WebP are opened (never SVG, which can carry script); the size is
checked before the pixels are decoded; what is stored is drawn afresh from the pixels,
so nothing of the upload but the picture (no metadata, no trailing bytes) reaches a page.

Pillow is imported when a logo is uploaded, not with the app: most processes (the command
line, the mail sender, most web workers most of the time) never take one.
"""
import hashlib
import io
from dataclasses import dataclass

from flask_babel import gettext as _

from campaign.common.errors import DomainError

ACCEPTED_FORMATS = ("PNG", "JPEG", "WEBP")
MAX_UPLOAD_BYTES = 1_000_000
MAX_UPLOAD_SIDE = 2000
#: The stored logo fits in this square: sharp at the header's size on any screen.
STORED_SIDE = 512


class LogoError(DomainError):
    """The upload is not a logo this site takes."""

    def __init__(self, message: str):
        super().__init__(message, field="logo")


@dataclass(frozen=True)
class Logo:
    png: bytes
    width: int
    height: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.png).hexdigest()[:16]


def logo_from_upload(data: bytes) -> Logo:
    """The upload as a stored logo, or LogoError saying what is wrong with it."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_UPLOAD_BYTES:
        raise LogoError(_("The logo file is larger than %(size)s MB. Save it smaller and try "
                          "again.", size=MAX_UPLOAD_BYTES // 1_000_000))
    too_large = _("The logo can be at most %(side)s\u00a0×\u00a0%(side)s pixels. Make it "
                  "smaller and try again.", side=MAX_UPLOAD_SIDE)
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise LogoError(too_large) from error
    except (UnidentifiedImageError, OSError) as error:
        raise LogoError(_("The logo must be a PNG, JPEG or WebP image.")) from error
    if image.width > MAX_UPLOAD_SIDE or image.height > MAX_UPLOAD_SIDE:
        raise LogoError(too_large)
    try:
        picture = _upright_rgb_or_rgba(image)
    except (OSError, ValueError) as error:
        raise LogoError(_("The logo image could not be read. It may be damaged.")) from error
    picture.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    stored = io.BytesIO()
    picture.save(stored, format="PNG", optimize=True)
    return Logo(png=stored.getvalue(), width=picture.width, height=picture.height)


def _upright_rgb_or_rgba(image):
    """The first frame's pixels (a Pillow image), turned the way the camera meant, as RGBA
    when it has transparency and RGB otherwise."""
    from PIL import ImageOps

    upright = ImageOps.exif_transpose(image)
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
    return upright.convert("RGBA" if has_alpha else "RGB")
