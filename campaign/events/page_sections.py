"""What higher floors add to an event's public page (news adds the posts linked to it)."""
from blinker import Namespace

from campaign.signatures.page_sections import sections_for

event_page = Namespace().signal("event-page")


def event_sections(event) -> dict:
    return sections_for(event, event_page)
