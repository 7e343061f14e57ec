"""The public side of events: the page, its times, the statement it launches, the calendar file,
registration windows, and cancelling through the emailed link."""
from datetime import datetime, timedelta, timezone

import icalendar
import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events import service
from campaign.events.models import EventStatus, Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.statements.models import StatementStatus


def registration_of(email: str) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.email_index == email_index(email))).one()


def mail_to(address: str, kind: str) -> OutboxMessage:
    return db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index(address), OutboxMessage.kind == kind)).one()


def london(year, month, day, hour, minute=0) -> datetime:
    return service.local_to_utc(datetime(year, month, day, hour, minute), "Europe/London")


# -- The page ------------------------------------------------------------------------------------


def test_the_event_page_shows_host_speakers_and_the_rule_about_registering(client, make_event):
    event = make_event(speakers=[
        {"name": "Tanya Vyhovsky", "role": "State Senator, Vermont",
         "bio": "Member of the Vermont Progressive Party."},
        {"name": "Mick Antoniw", "role": "Member of the Senedd", "bio": "Counsel General 2021–24."},
    ], description="We launch the **charter**.<script>alert(1)</script>")
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Ian Lavery MP" in html
    assert "Only people who have registered can attend." in html
    assert html.index("Tanya Vyhovsky") < html.index("Mick Antoniw")
    assert "Member of the Vermont Progressive Party." in html
    assert "<strong>charter</strong>" in html and "<script>alert(1)" not in html


def test_the_event_page_sums_up_the_statement_and_links_to_it(client, make_event, make_statement):
    statement = make_statement(title="A free and united Ukraine",
                               preamble="We stand with Ukraine.\n\nThe second paragraph.",
                               demands=[("Aid to Ukraine", "Increase aid.")])
    event = make_event(statement_id=statement.id)
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert f'<a href="/s/{statement.slug}">A free and united Ukraine</a>' in html
    assert "<p>We stand with Ukraine.</p>" in html
    assert "0 signatures so far" in html
    assert f'<a class="button" href="/s/{statement.slug}">Read and sign</a>' in html
    # The text itself is read on the statement's own page.
    assert "The second paragraph." not in html and "Aid to Ukraine" not in html


def test_a_draft_statement_is_not_shown_on_the_event_page(client, make_event, make_statement):
    statement = make_statement(title="Not yet public", status=StatementStatus.draft)
    event = make_event(statement_id=statement.id)
    assert "Not yet public" not in client.get(f"/e/{event.slug}").get_data(as_text=True)


@pytest.mark.parametrize("starts, shown", [
    (datetime(2031, 3, 24, 18, 30), "24 March 2031, 18:30 GMT"),
    (datetime(2031, 3, 31, 18, 30), "31 March 2031, 18:30 BST"),
    (datetime(2031, 10, 20, 18, 30), "20 October 2031, 18:30 BST"),
    (datetime(2031, 10, 27, 18, 30), "27 October 2031, 18:30 GMT"),
])
def test_times_are_shown_in_the_events_zone_across_the_clock_changes(
    client, make_event, starts, shown
):
    event = make_event(starts_at=service.local_to_utc(starts, "Europe/London"), ends_at=None)
    summer = shown.endswith("BST")
    assert event.starts_at.hour == (17 if summer else 18)
    assert shown in client.get(f"/e/{event.slug}").get_data(as_text=True)


def test_an_event_elsewhere_is_shown_in_its_own_zone(client, make_event):
    event = make_event(starts_at=datetime(2031, 7, 1, 23, 0, tzinfo=timezone.utc), ends_at=None,
                       timezone="America/New_York")
    assert "1 July 2031, 19:00 EDT" in client.get(f"/e/{event.slug}").get_data(as_text=True)


def test_a_wall_clock_time_that_happens_twice_is_taken_the_first_time():
    first = service.local_to_utc(datetime(2031, 10, 26, 1, 30), "Europe/London")
    assert first == datetime(2031, 10, 26, 0, 30, tzinfo=timezone.utc)


def test_an_open_event_welcomes_everyone(client, make_event):
    event = make_event(registration_required=False)
    assert "Everyone is welcome" in client.get(f"/e/{event.slug}").get_data(as_text=True)


# -- Registration windows ---------------------------------------------------------------------------


@pytest.mark.parametrize("overrides, message", [
    ({"registration_opens_at": utcnow() + timedelta(days=1)}, "Registration is not open yet."),
    ({"registration_closes_at": utcnow() - timedelta(minutes=1)},
     "Registration for this event has closed."),
    ({"starts_at": utcnow() - timedelta(hours=3), "ends_at": utcnow() - timedelta(hours=1)},
     "Registration for this event has closed."),
    ({"status": EventStatus.cancelled}, "This event has been cancelled, so registration is closed."),
    ({"tickets": []}, "Registration is not open yet."),
])
def test_outside_its_window_the_page_says_registration_is_closed_and_refuses_it(
    client, make_event, register, overrides, message
):
    tickets = overrides.pop("tickets", ({"name": "Free ticket"},))
    event = make_event(tickets=tickets, **overrides)
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert message in html
    assert '<button type="submit" class="button">Register</button>' not in html
    data = {"name": "Late", "email": "late@example.org", "consent": "y",
            "ticket": str(event.ticket_types[0].id) if event.ticket_types else "1"}
    response = client.submit(f"/e/{event.slug}", data, page="/login")
    assert response.status_code == 409
    assert db.session.scalars(select(Registration)).first() is None


def test_the_opening_time_is_given_in_the_events_zone(client, make_event):
    event = make_event(registration_opens_at=london(2030, 6, 1, 9))
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Registration opens on 1 June 2030, 09:00 BST." in html


# -- The calendar file and the ticket ----------------------------------------------------------------


def test_the_calendar_file_reads_back_with_the_event_and_the_online_link(
    client, make_event, register, emailed_link
):
    event = make_event(starts_at=london(2031, 3, 24, 18, 30), ends_at=london(2031, 3, 24, 20),
                       online_url="https://meet.example.org/launch")
    register(event, email="cal@example.org")
    ticket = emailed_link("cal@example.org", "r")
    response = client.get(f"{ticket}/event.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    (entry,) = calendar.walk("VEVENT")
    assert str(entry["SUMMARY"]) == event.title
    assert entry.decoded("DTSTART") == datetime(2031, 3, 24, 18, 30, tzinfo=timezone.utc)
    assert entry.decoded("DTEND") == datetime(2031, 3, 24, 20, 0, tzinfo=timezone.utc)
    assert "House of Commons" in str(entry["LOCATION"])
    description = str(entry["DESCRIPTION"])
    assert "https://meet.example.org/launch" in description
    assert registration_of("cal@example.org").reference in description
    assert str(entry["UID"]).startswith(f"event-{event.id}@")
    again = icalendar.Calendar.from_ical(client.get(f"{ticket}/event.ics").data)
    assert str(again.walk("VEVENT")[0]["UID"]) == str(entry["UID"])


def test_the_waiting_list_gets_no_calendar_qr_or_online_link(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=0, online_url="https://meet.example.org/hidden")
    register(event, email="waiting@example.org")
    ticket = emailed_link("waiting@example.org", "r")
    html = client.get(ticket).get_data(as_text=True)
    assert "number 1 on the waiting list" in html and "meet.example.org/hidden" not in html
    assert client.get(f"{ticket}/event.ics").status_code == 404
    assert client.get(f"{ticket}/qr.png").status_code == 404
    message = db.session.scalars(select(OutboxMessage)).one()
    assert "meet.example.org/hidden" not in message.body_text + message.body_html


def test_the_ticket_page_is_private(client, make_event, register, emailed_link):
    event = make_event()
    register(event, email="private@example.org")
    ticket = emailed_link("private@example.org", "r")
    response = client.get(ticket)
    assert "no-store" in response.headers["Cache-Control"]
    assert 'name="robots" content="noindex"' in response.get_data(as_text=True)


# -- Cancelling ------------------------------------------------------------------------------------


def test_cancelling_by_the_emailed_link_promotes_the_waiting_list_and_emails_them(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=1, online_url="https://meet.example.org/room")
    register(event, email="leaving@example.org")
    register(event, email="waiting@example.org")
    cancel = emailed_link("leaving@example.org", "r") + "/cancel"
    page = client.get(cancel)
    assert page.status_code == 200 and "Cancel my registration" in page.get_data(as_text=True)
    assert registration_of("leaving@example.org").status is RegistrationStatus.confirmed
    done = client.submit(cancel, page=cancel)
    assert "Your registration is cancelled" in done.get_data(as_text=True)
    assert registration_of("leaving@example.org").status is RegistrationStatus.cancelled
    assert registration_of("waiting@example.org").status is RegistrationStatus.confirmed
    promoted = mail_to("waiting@example.org", "registration_promoted")
    assert "a place has come up" in promoted.body_text
    assert "https://meet.example.org/room" in promoted.body_text
    assert mail_to("leaving@example.org", "registration_cancelled")
    repeat = client.submit(cancel, page="/login")
    assert repeat.status_code == 200
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "registration_promoted")).all() == [promoted]


def test_a_freed_place_goes_to_the_first_person_waiting_whose_ticket_has_room(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=2, tickets=[{"name": "Free", "capacity": 1},
                                            {"name": "Supporter", "price_minor": 1000}])
    free, supporter = event.ticket_types
    register(event, email="free-holder@example.org", ticket_type=free)
    register(event, email="supporter-holder@example.org", ticket_type=supporter)
    register(event, email="wants-free@example.org", ticket_type=free)
    register(event, email="wants-supporter@example.org", ticket_type=supporter)
    cancel = emailed_link("supporter-holder@example.org", "r") + "/cancel"
    client.submit(cancel, page=cancel)
    assert registration_of("wants-free@example.org").status is RegistrationStatus.waitlisted
    assert registration_of("wants-supporter@example.org").status is RegistrationStatus.confirmed


def test_when_several_wait_the_first_to_join_the_waiting_list_gets_the_freed_place(
    client, make_event, register, emailed_link
):
    event = make_event(capacity=1)
    register(event, email="holder@example.org")
    for email in ("first@example.org", "second@example.org", "third@example.org"):
        register(event, email=email)
    cancel = emailed_link("holder@example.org", "r") + "/cancel"
    client.submit(cancel, page=cancel)
    assert registration_of("first@example.org").status is RegistrationStatus.confirmed
    assert registration_of("second@example.org").status is RegistrationStatus.waitlisted
    assert registration_of("third@example.org").status is RegistrationStatus.waitlisted
    assert mail_to("first@example.org", "registration_promoted")


def test_a_forged_cancel_link_changes_nothing(client, make_event, register, emailed_link):
    event = make_event()
    register(event, email="safe@example.org")
    ticket = emailed_link("safe@example.org", "r")
    forged = ticket[:-3] + "abc/cancel"
    assert client.submit(forged, page=ticket + "/cancel").status_code == 404
    assert registration_of("safe@example.org").status is RegistrationStatus.confirmed


# -- Elsewhere on the site -----------------------------------------------------------------------------


def test_the_statement_page_announces_its_upcoming_launch_meeting(client, make_event, make_statement):
    statement = make_statement()
    make_event(statement_id=statement.id, title="Past launch",
               starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=3))
    make_event(statement_id=statement.id, title="Draft launch", status=EventStatus.draft)
    upcoming = make_event(statement_id=statement.id, title="The launch meeting")
    assert service.upcoming_launch_event(statement.id).id == upcoming.id
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "The launch meeting" in html and f'href="/e/{upcoming.slug}"' in html
    assert "Past launch" not in html and "Draft launch" not in html


def test_the_home_page_lists_upcoming_published_events(client, make_event):
    make_event(title="Soon: the launch meeting")
    make_event(title="Draft meeting", status=EventStatus.draft)
    make_event(title="Last year's meeting", starts_at=utcnow() - timedelta(days=300),
               ends_at=utcnow() - timedelta(days=300))
    html = client.get("/").get_data(as_text=True)
    assert "Soon: the launch meeting" in html
    assert "Draft meeting" not in html and "Last year&#39;s meeting" not in html


def test_the_demo_has_the_charters_launch_meeting_open_for_registration(runner, client):
    from datetime import date

    from campaign.events.demo import EVENT_SLUG, next_launch_day

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    event = service.event_by_slug(EVENT_SLUG)
    assert event.status is EventStatus.published and event.registration_required
    assert event.host == "Ian Lavery MP"
    assert [s.name for s in event.speakers] == ["Tanya Vyhovsky", "Mick Antoniw"]
    assert event.statement is not None and len(event.statement.demands) == 7
    free, supporter = event.ticket_types
    assert free.price_minor == 0 and supporter.price_minor > 0
    assert "Step To Victory" in event.appeal.name
    assert "Pershotravensk / Shakhtarske" in event.appeal.description
    local_start = service.utc_to_local(event.starts_at, event.timezone)
    assert (local_start.month, local_start.day) == (3, 24)
    assert next_launch_day(date(2030, 3, 25)) == date(2031, 3, 24)
    assert next_launch_day(date(2030, 3, 24)) == date(2030, 3, 24)
    html = client.get(f"/e/{EVENT_SLUG}").get_data(as_text=True)
    assert "Only people who have registered can attend." in html
    assert '<button type="submit" class="button">Register</button>' in html
    statement_page = client.get(f"/s/{event.statement.slug}").get_data(as_text=True)
    assert f'href="/e/{EVENT_SLUG}"' in statement_page
