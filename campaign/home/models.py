"""The site's identity: one row of settings owners edit on the dashboard."""
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from campaign.common.time import UTCDateTime, utcnow
from campaign.extensions import db
from campaign.statements.models import Statement

#: The primary key of the one row there is.
SETTINGS_ID = 1


class SiteSettings(db.Model):
    """Name, tagline, logo, accent colour and featured statement; an empty field means the
    default (CAMPAIGN_NAME, no tagline, no logo, the stylesheet's blue, the newest statement).

    A singleton: the row has id 1 or does not exist yet. `version` goes up with every save,
    so the theme stylesheet's address and ETag change with it.
    """

    __tablename__ = "site_settings"
    __table_args__ = (CheckConstraint(f"id = {SETTINGS_ID}", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200), default="")
    tagline: Mapped[str] = mapped_column(String(150), default="")
    #: "#rrggbb", lower case, dark enough for white text; "" for the default.
    accent_colour: Mapped[str] = mapped_column(String(7), default="")
    featured_statement_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("statements.id", ondelete="SET NULL")
    )
    #: The logo as re-encoded PNG; loaded only when the logo itself is served.
    logo_png: Mapped[Optional[bytes]] = deferred(mapped_column(LargeBinary))
    #: A hash of `logo_png`, in its address: a new logo gets a new address. "" without a logo.
    logo_digest: Mapped[str] = mapped_column(String(16), default="")
    logo_width: Mapped[int] = mapped_column(default=0)
    logo_height: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    featured_statement: Mapped[Optional[Statement]] = relationship()

    @property
    def has_logo(self) -> bool:
        return bool(self.logo_digest)
