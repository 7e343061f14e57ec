"""An attendee registers for the launch meeting on a phone and cancels; at the door, an
organizer checks people in on a phone."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from campaign.common.time import utcnow
from campaign.events.models import Event, EventStatus, Speaker, TicketType
from campaign.extensions import db
from campaign.organizers.models import Role
from tests.browser.conftest import assert_accessible, latest_email, link_in, log_in, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def launch_meeting(make_statement):
    statement = make_statement()
    event = Event(
        campaign_id=statement.campaign_id, statement_id=statement.id, slug="launch-meeting",
        title="Launching the charter in Parliament", host="Ian Lavery MP",
        description="Only those who have registered can attend.",
        venue="Committee Room 10, House of Commons", timezone="Europe/London",
        starts_at=(utcnow() + timedelta(days=10)).replace(hour=18, minute=0, second=0,
                                                         microsecond=0),
        status=EventStatus.published,
        speakers=[Speaker(position=1, name="Tanya Vyhovsky", role="State Senator, Vermont"),
                  Speaker(position=2, name="Mick Antoniw", role="Member of the Senedd")],
        ticket_types=[TicketType(name="Free", position=1, price_minor=0),
                      TicketType(name="Supporter", position=2, price_minor=1000)],
    )
    db.session.add(event)
    db.session.commit()
    return event


def register(page, name: str, email: str, ticket: str = "Free – free"):
    """Fill in the form, get the same "Check your email" answer as anyone, open the emailed ticket."""
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Ticket", exact=True).select_option(label=ticket)
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(link_in(latest_email(email), r"/e/[^/]+/r/[^/]+$"))


def test_an_attendee_registers_on_a_phone_then_cancels(launch_meeting, live_server, phone):
    page = phone
    page.goto(live_server("/e/launch-meeting"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Launching the charter in Parliament")
    assert_accessible(page, "event page")
    screenshot(page, "event")

    page.get_by_role("button", name="Register").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page, "registration with errors")

    register(page, "Daryna Korostii", "daryna@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are registered")
    reference = page.locator(".ticket-code__value").inner_text()
    assert len(reference) >= 6
    assert_accessible(page, "ticket")
    screenshot(page, "event-ticket")

    page.get_by_role("link", name="Cancel your registration").click()
    assert_accessible(page, "cancel question")
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your registration is cancelled")


def test_an_organizer_checks_people_in_at_the_door_on_a_phone(
    launch_meeting, make_organizer, live_server, open_page
):
    attendee = open_page("phone")
    attendee.goto(live_server("/e/launch-meeting"))
    register(attendee, "Pavlo Holota", "pavlo@example.org", ticket="Supporter – £10.00")
    reference = attendee.locator(".ticket-code__value").inner_text()

    organizer = make_organizer(Role.editor)
    door = open_page("phone")
    log_in(door, live_server, organizer.email)
    door.goto(live_server(f"/dashboard/events/{launch_meeting.id}/check-in"))
    assert_accessible(door, "check-in")
    door.get_by_label("Name or reference").fill(reference.lower())
    door.get_by_role("button", name="Find").click()
    expect(door.locator(".checkin__name")).to_have_text(["Pavlo Holota"])
    expect(door.get_by_text("to pay: £10.00")).to_be_visible()
    door.get_by_role("button", name="Check in Pavlo Holota").click()
    expect(door.get_by_text("Checked in: Pavlo Holota.")).to_be_visible()
    expect(door.get_by_role("button", name="Undo check-in")).to_be_visible()
    assert_accessible(door, "checked in")
    screenshot(door, "event-check-in")
