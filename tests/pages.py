"""Every GET page of the app, found from the URL map, with its arguments filled from real rows.

Used by the security-header tests and the browser tests, so a page added later is checked by
both without anyone listing it.
"""
import re
from datetime import timedelta

from flask import url_for

from campaign.common.time import utcnow
from campaign.endorsements.models import Endorsement, EndorsementStatus, OrganisationKind
from campaign.events import service as events
from campaign.events.models import (
    Appeal, Event, EventStatus, Registration, RegistrationStatus, Speaker, TicketType,
)
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.news.models import Post, PostStatus
from campaign.organizers.models import Organizer, Role
from campaign.signatures.models import SignatureStatus
from campaign.signatures.links import link_token

#: Endpoints whose answer is not an HTML page.
NOT_PAGES_SUFFIXES = (".png", ".ics", ".csv", ".json", ".txt", ".xml")


def make_scene(make_statement, make_signature) -> dict:
    """One of each thing a URL can name: statement, demand, signatures, event, ticket, speaker,
    appeal, registration, an organizer, a sent email and a news post."""
    statement = make_statement()
    signature = make_signature(statement, status=SignatureStatus.pending)
    make_signature(statement, name="Mick Whelan", affiliation="General Secretary, ASLEF",
                   featured=True, featured_position=1)
    event = Event(
        campaign_id=statement.campaign_id, statement_id=statement.id, slug="launch-meeting",
        title="Launch meeting", venue="Committee Room 10",
        starts_at=(utcnow() + timedelta(days=7)).replace(hour=18, minute=30, second=0, microsecond=0),
        status=EventStatus.published,
        ticket_types=[TicketType(name="Free", position=1, price_minor=0)],
        speakers=[Speaker(name="Yuliya Yurchenko", role="Author", position=1)],
        appeal=Appeal(campaign_id=statement.campaign_id, name="Miners' appeal"),
    )
    db.session.add(event)
    db.session.flush()
    registration = Registration(
        event_id=event.id, ticket_type_id=event.ticket_types[0].id, name="Oksana Holota",
        email="oksana@example.org",
        status=RegistrationStatus.confirmed, reference="ABCD2345",
    )
    db.session.add(registration)
    organizer = Organizer(email="taras@example.org", name="Taras Editor", role=Role.editor,
                          password_hash="!")
    message = OutboxMessage(
        kind="registration_confirmed", to="oksana@example.org", sender="Campaign <c@example.org>",
        subject="You are registered", body_text="See you at http://localhost/e/launch-meeting",
        status=OutboxStatus.sent, sent_at=utcnow(),
    )
    post = Post(
        campaign_id=statement.campaign_id, slug="a-briefing", title="A briefing on the talks",
        summary="What the talks offered, and what they did not.", body="The *text*.",
        takeaways=["A pause is not peace."],
        quotations=[{"text": "Peace must be just.", "speaker": "The charter"}],
        source_title="How to Negotiate With Putin", source_publisher="Foreign Policy",
        source_url="https://foreignpolicy.com/", status=PostStatus.published,
        published_at=utcnow(), statements=[statement], events=[event],
    )
    endorsement = Endorsement(
        statement_id=statement.id, name="Unite the Union", kind=OrganisationKind.trade_union,
        website="https://unite.example.org", contact_email="press@unite.example.org",
        status=EndorsementStatus.approved, approved_at=utcnow(),
    )
    db.session.add_all([organizer, message, post, endorsement])
    db.session.commit()
    return {
        "statement": statement, "signature": signature, "event": event,
        "campaign": statement.campaign, "demand": statement.demands[0],
        "ticket_type": event.ticket_types[0], "ticket": event.ticket_types[0],
        "registration": registration, "speaker": event.speakers[0], "organizer": organizer,
        "message": message, "post": post, "endorsement": endorsement,
    }


def _token(endpoint: str, scene: dict) -> str:
    if endpoint.startswith("signatures."):
        return link_token(scene["signature"], endpoint.rsplit(".", 1)[1])
    return events.registration_token(scene["registration"])


def _value(rule, argument: str, scene: dict):
    """A value for one URL argument: a real row's id, slug or token where the name says which."""
    if argument == "filename":
        return "css/site.css"
    if argument == "token":
        return _token(rule.endpoint, scene)
    if argument == "slug":
        is_event = rule.rule.startswith("/e/") or "event" in rule.endpoint
        is_post = rule.rule.startswith("/news/")
        owner = "post" if is_post else "event" if is_event else "statement"
    else:
        owner = argument.removesuffix("_id")
    thing = scene.get(owner)
    if thing is None:
        return 999_999 if f"<int:{argument}>" in rule.rule else "unknown"
    return thing.slug if argument == "slug" else thing.id


def get_pages(app, scene: dict, dashboard: bool | None = None) -> list[tuple[str, str]]:
    """(endpoint, path) for every GET route; dashboard=True/False keeps only those/the others."""
    pages = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        if dashboard is not None and rule.rule.startswith("/dashboard") != dashboard:
            continue
        values = {argument: _value(rule, argument, scene) for argument in rule.arguments}
        with app.test_request_context():
            pages.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return pages


def html_pages(app, client, scene: dict, dashboard: bool) -> list[tuple[str, str]]:
    """The GET routes that answer 200 with an HTML page (as `client` sees them)."""
    found = []
    for endpoint, path in get_pages(app, scene, dashboard):
        if endpoint == "static" or path.endswith(NOT_PAGES_SUFFIXES):
            continue
        response = client.get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            found.append((endpoint, path))
    return found


def table_page(client, url: str) -> str:
    """The HTML of a page whose tables a test reads as markup, its cells' phone labels left out."""
    return without_cell_labels(client.get(url).get_data(as_text=True))


def without_cell_labels(html: str) -> str:
    """A page's tables without the column labels each cell carries for phones (`|table_cells`),
    for tests that read a row's cells as the table's markup."""
    return re.sub(r' data-(?:label="[^"]*"|blank="")', "", html)
