"""The dashboard's main menu: what each role sees in it, and which item the page shown is under.

Each item names the page it opens and the sibling modules whose pages belong under it, so
the signatories of a statement mark "Statements" and a ticket marks "Events".
"""
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from campaign.dashboard.views import bp
from campaign.organizers.models import Role


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    label: str
    role: Role
    #: The modules of campaign.dashboard whose pages are under this item.
    modules: tuple[str, ...] = ()


MENU = (
    MenuItem("dashboard.index", _l("Statements"), Role.viewer,
             ("statements_pages", "signatures_pages", "abuse_pages", "paper_pages",
              "endorsements_pages", "stats_pages", "translations_pages")),
    MenuItem("dashboard.statement_new", _l("New statement"), Role.editor),
    MenuItem("dashboard.statement_import", _l("Import from text"), Role.editor),
    MenuItem("dashboard.events", _l("Events"), Role.viewer, ("events_pages", "payments_pages")),
    MenuItem("dashboard.news", _l("News"), Role.viewer, ("news_pages",)),
    MenuItem("dashboard.updates", _l("Updates"), Role.viewer, ("updates_pages",)),
    MenuItem("dashboard.outbox", _l("Outbox"), Role.viewer, ("mail_pages",)),
    MenuItem("dashboard.organizers", _l("Organizers"), Role.owner, ("organizers_pages",)),
    MenuItem("dashboard.privacy", _l("Personal data"), Role.owner, ("privacy_pages",)),
    MenuItem("dashboard.audit", _l("Audit log"), Role.owner),
    MenuItem("dashboard.settings", _l("Site settings"), Role.owner, ("settings_pages",)),
    MenuItem("dashboard.api_keys", _l("API keys"), Role.owner, ("api_pages",)),
    MenuItem("dashboard.webhooks", _l("Webhooks"), Role.owner, ("webhooks_pages",)),
    MenuItem("dashboard.language", _l("Your language"), Role.viewer),
)


@dataclass(frozen=True)
class ShownItem:
    url: str
    label: str
    #: "page" on the page the item opens, "true" on the pages under it, else None
    #: (the value of aria-current).
    current: str | None


def _module_of(endpoint: str | None) -> str:
    view = current_app.view_functions.get(endpoint or "")
    return getattr(view, "__module__", "").rsplit(".", 1)[-1]


def menu_for(endpoint: str | None) -> list[ShownItem]:
    """The items the logged-in organizer may open, the one `endpoint` is under marked."""
    items = [item for item in MENU if current_user.can(item.role)]
    exact = any(item.endpoint == endpoint for item in items)
    module = _module_of(endpoint)

    def current(item: MenuItem) -> str | None:
        if item.endpoint == endpoint:
            return "page"
        return "true" if not exact and module in item.modules else None

    return [ShownItem(url_for(item.endpoint), str(item.label), current(item)) for item in items]


@bp.context_processor
def _dashboard_menu() -> dict:
    if not current_user.is_authenticated:
        return {}
    return {"dashboard_menu": menu_for(request.endpoint)}
