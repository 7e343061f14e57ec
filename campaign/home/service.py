"""The rules for the site's identity and the home page's featured statement.

The settings are one row (`SiteSettings`, id 1), read with one primary-key lookup per
request (kept on `g`); before an owner first saves them, an unsaved row of empty values
stands in, so every reader sees the defaults.
"""
from dataclasses import dataclass

from flask import current_app, g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import select

from campaign.audit.service import record
from campaign.common import site_name
from campaign.common.errors import DomainError
from campaign.extensions import db
from campaign.home.colours import MIN_CONTRAST, contrast_with_white, darker, parse_colour
from campaign.common.logo import Logo, logo_from_upload
from campaign.home.models import SETTINGS_ID, SiteSettings
from campaign.signatures import counts
from campaign.signatures.progress import Progress, progress_of
from campaign.signatures.service import SigningState, signing_state
from campaign.statements.models import Statement, StatementStatus
from campaign.statements.service import public_statements
from campaign.web import DATABASE_AWAY, end_failed_transaction

#: How the audit log names each setting that changed.
_AUDIT_NAMES = {"name": "name", "tagline": "tagline", "accent_colour": "accent colour",
                "featured_statement_id": "featured statement"}


@dataclass(frozen=True)
class FeaturedStatement:
    """What the home page shows of its featured statement."""

    statement: Statement
    totals: counts.Totals
    progress: Progress
    state: SigningState


class SettingsError(DomainError):
    """A rule refused a change to the site settings."""


@dataclass
class Identity:
    """What the settings form sets besides the logo; "" (or None) means the default."""

    name: str = ""
    tagline: str = ""
    accent_colour: str = ""
    featured_statement_id: int | None = None


# Reading --------------------------------------------------------------------


def site_settings() -> SiteSettings:
    """The saved settings, or an unsaved row of defaults; read once per request."""
    if not has_request_context():
        return _saved_or_defaults()
    if "site_settings" not in g:
        g.site_settings = _saved_or_defaults()
    return g.site_settings


def settings_for_pages() -> SiteSettings:
    """The settings every page's header wears; the defaults while the database is away, so
    a page that needs nothing else from it (the login form) still renders."""
    try:
        return site_settings()
    except DATABASE_AWAY as error:
        current_app.logger.warning("Site settings unavailable, the defaults shown: %s", error)
        end_failed_transaction()
        return _defaults()


def _saved_or_defaults() -> SiteSettings:
    return db.session.get(SiteSettings, SETTINGS_ID) or _defaults()


def _defaults() -> SiteSettings:
    """An unsaved row of empty values (never added to the session unless saved)."""
    return SiteSettings(id=SETTINGS_ID, name="", tagline="", accent_colour="", logo_digest="",
                        logo_width=0, logo_height=0, version=0)


def has_saved_settings() -> bool:
    return db.session.get(SiteSettings, SETTINGS_ID) is not None


def theme_stylesheet(settings: SiteSettings) -> str:
    """The stylesheet that gives buttons, links and the header the accent colour."""
    if not settings.accent_colour:
        return "/* No accent colour is set: site.css's own colours apply. */\n"
    return (
        "/* The accent colour from the dashboard's settings page. */\n"
        f":root {{ --accent: {settings.accent_colour}; "
        f"--accent-dark: {darker(settings.accent_colour)}; }}\n"
    )


def logo_png(digest: str) -> bytes | None:
    """The stored logo when `digest` is the current one's."""
    return db.session.scalar(
        select(SiteSettings.logo_png)
        .where(SiteSettings.id == SETTINGS_ID, SiteSettings.logo_digest == digest)
    ) if digest else None


def _featurable():
    """Published statements, newest first (a select)."""
    return public_statements().where(Statement.status == StatementStatus.published)


def _can_be_featured(statement: Statement | None) -> bool:
    return statement is not None and statement.status is StatementStatus.published


def featurable_statements() -> list[Statement]:
    """The statements the home page can feature, newest first."""
    return list(db.session.scalars(_featurable()))


def featured_statement(settings: SiteSettings) -> Statement | None:
    """The statement chosen to be featured while it is published, else the newest published."""
    chosen = settings.featured_statement
    if _can_be_featured(chosen):
        return chosen
    return db.session.scalars(_featurable().limit(1)).first()


def featuring(statement: Statement) -> FeaturedStatement:
    totals = counts.totals(statement.id)
    return FeaturedStatement(statement, totals, progress_of(statement, totals),
                             signing_state(statement))


def other_statements(featured: Statement | None):
    """The public statements but the featured one, newest first (a select to paginate)."""
    query = public_statements()
    return query if featured is None else query.where(Statement.id != featured.id)


# Writing --------------------------------------------------------------------


def accent_colour(text: str) -> str:
    """A typed colour as "#rrggbb" ("" for none), when white text on it is easy to read."""
    if not (text or "").strip():
        return ""
    colour = parse_colour(text)
    if colour is None:
        raise SettingsError(
            _("Enter the colour as # and six hexadecimal digits, like #0057b7."),
            field="accent_colour",
        )
    contrast = contrast_with_white(colour)
    if contrast < MIN_CONTRAST:
        raise SettingsError(
            _("White text on %(colour)s has a contrast of only %(contrast)s:1, and it needs at "
              "least %(minimum)s:1 to be easy to read (WCAG AA). Choose a darker colour.",
              colour=colour, contrast=f"{int(contrast * 10) / 10:.1f}", minimum=MIN_CONTRAST),
            field="accent_colour",
        )
    return colour


def save_settings(identity: Identity, logo_upload: bytes | None = None) -> SiteSettings:
    """Check everything, then store it all (and a new logo, when one is uploaded) at once."""
    colour = accent_colour(identity.accent_colour)
    featured_id = identity.featured_statement_id or None
    if featured_id is not None and not _can_be_featured(db.session.get(Statement, featured_id)):
        raise SettingsError(_("Choose a published statement."), field="featured_statement_id")
    logo = logo_from_upload(logo_upload) if logo_upload is not None else None

    settings = _stored_settings()
    values = {"name": identity.name, "tagline": identity.tagline, "accent_colour": colour,
              "featured_statement_id": featured_id}
    changed = [_AUDIT_NAMES[name] for name, value in values.items()
               if getattr(settings, name) != value]
    for name, value in values.items():
        setattr(settings, name, value)
    if logo is not None:
        _set_logo(settings, logo)
        changed.append("logo")
    _save(settings, ", ".join(changed) or "nothing changed")
    return settings


def remove_logo() -> SiteSettings:
    settings = _stored_settings()
    _set_logo(settings, None)
    _save(settings, "logo removed")
    return settings


def _stored_settings() -> SiteSettings:
    """The row to change, added to the session when there is none yet."""
    settings = db.session.get(SiteSettings, SETTINGS_ID)
    if settings is None:
        settings = _defaults()
        db.session.add(settings)
    return settings


def _set_logo(settings: SiteSettings, logo: Logo | None) -> None:
    settings.logo_png = logo.png if logo else None
    settings.logo_digest = logo.digest if logo else ""
    settings.logo_width = logo.width if logo else 0
    settings.logo_height = logo.height if logo else 0


def _save(settings: SiteSettings, detail: str) -> None:
    """Commit the change with its audit entry and a new version (so caches drop the theme),
    and drop this worker's copy of the name."""
    # Counted up in SQL, so two saves at once make two versions.
    settings.version = SiteSettings.version + 1 if settings.version else 1
    record("site.settings", "site", detail)
    db.session.commit()
    site_name.forget()
