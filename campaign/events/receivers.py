"""What events add to other domains' pages, and the titles the audit log's sentences name."""
from flask_babel import get_locale

from campaign.audit.describe import names_wanted
from campaign.events.service import titles_by_slug, upcoming_launch_event
from campaign.events.translations import event_in_language
from campaign.signatures.page_sections import statement_page


@statement_page.connect
def _launch_meeting(statement) -> dict:
    event = upcoming_launch_event(statement.id)
    return {"launch_event": event and event_in_language(event, str(get_locale()))}


@names_wanted.connect_via("event")
def _event_titles(_kind, keys: frozenset) -> dict[str, str]:
    return titles_by_slug(keys)
