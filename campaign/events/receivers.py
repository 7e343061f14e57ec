"""What events add to other domains' pages."""
from campaign.events.service import upcoming_launch_event
from campaign.signatures.page_sections import statement_page


@statement_page.connect
def _launch_meeting(statement) -> dict:
    return {"launch_event": upcoming_launch_event(statement.id)}
