"""What news adds to the statement and event pages: the newest posts linked to them."""
from campaign.events.page_sections import event_page
from campaign.news.service import latest_for_event, latest_for_statement
from campaign.signatures.page_sections import statement_page


@statement_page.connect
def _statement_posts(statement) -> dict:
    return {"linked_posts": latest_for_statement(statement.id)}


@event_page.connect
def _event_posts(event) -> dict:
    return {"linked_posts": latest_for_event(event.id)}
