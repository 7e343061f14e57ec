"""Organizers run events from the dashboard: details, speakers, tickets, the appeal and registrations."""
import csv
import io
import re

import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.events.models import (
    Event, EventStatus, Registration, RegistrationStatus, Speaker, TicketType,
)
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry


def event_form(**overrides) -> dict:
    values = {
        "title": "Launch of the charter", "slug": "charter-launch", "campaign_id": "0",
        "statement_id": "0", "description": "Join us **in person**.", "host": "Ian Lavery MP",
        "timezone": "Europe/London", "starts_local": "2031-03-24T18:30",
        "ends_local": "2031-03-24T20:00", "venue": "House of Commons",
        "address": "London SW1A 0AA", "online_url": "", "registration_required": "y",
        "opens_local": "", "closes_local": "", "capacity": "80",
    }
    values.update(overrides)
    return values


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_an_editor_creates_an_event_in_the_events_own_time_zone(client, logged_in):
    logged_in(Role.editor)
    response = client.submit("/dashboard/events/new", event_form(), page="/dashboard/events/new")
    assert response.status_code == 303
    event = db.session.scalars(select(Event)).one()
    assert event.status is EventStatus.draft
    assert event.starts_at.isoformat() == "2031-03-24T18:30:00+00:00"  # GMT in March
    assert event.campaign.name
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "24 March 2031, 18:30 GMT" in page
    assert "event.create" in audit_actions()


def test_a_summer_event_is_stored_an_hour_earlier_in_utc(client, logged_in):
    logged_in(Role.editor)
    client.submit("/dashboard/events/new",
                  event_form(starts_local="2031-07-10T18:30", ends_local=""),
                  page="/dashboard/events/new")
    event = db.session.scalars(select(Event)).one()
    assert event.starts_at.isoformat() == "2031-07-10T17:30:00+00:00"


def test_a_time_the_clocks_skip_is_refused(client, logged_in):
    logged_in(Role.editor)
    response = client.submit("/dashboard/events/new",
                             event_form(starts_local="2031-03-30T01:30", ends_local=""),
                             page="/dashboard/events/new")
    assert response.status_code == 400
    assert "does not exist in Europe/London" in response.get_data(as_text=True)
    assert db.session.scalars(select(Event)).first() is None


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Enter a title."),
    ({"slug": "Not A Slug"}, "Use lower-case letters, digits and single dashes."),
    ({"timezone": "Mars/Olympus"}, "Choose from the list."),
    ({"starts_local": "tomorrow"}, "Not a valid datetime value."),
    ({"ends_local": "2031-03-24T17:00"}, "The end must come after the start."),
    ({"capacity": "-3"}, "Enter a whole number of places from 0 to 1,000,000"),
    ({"online_url": "javascript:alert(1)"}, "The online link must start with https://"),
    ({"statement_id": "999"}, "Choose from the list."),
    ({"closes_local": "2031-03-01T10:00", "opens_local": "2031-03-02T10:00"},
     "Registration must close after it opens."),
])
def test_bad_event_details_are_refused_with_a_message(client, logged_in, fields, message):
    logged_in(Role.editor)
    response = client.submit("/dashboard/events/new", event_form(**fields),
                             page="/dashboard/events/new")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Event)).first() is None


def test_two_events_cannot_share_an_address(client, logged_in, make_event):
    taken = make_event(slug="charter-launch")
    logged_in(Role.editor)
    response = client.submit("/dashboard/events/new",
                             event_form(campaign_id=str(taken.campaign_id)),
                             page="/dashboard/events/new")
    assert response.status_code == 400
    assert "Another event already has this address." in response.get_data(as_text=True)


def test_an_editor_edits_publishes_and_cancels_an_event(client, logged_in, make_event, register):
    event = make_event(status=EventStatus.draft)
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}"
    client.submit(page, event_form(slug=event.slug, title="Launch meeting, new title",
                                  campaign_id=str(event.campaign_id)), page=page)
    assert db.session.get(Event, event.id).title == "Launch meeting, new title"
    client.submit(f"{page}/publish", page=page)
    assert db.session.get(Event, event.id).status is EventStatus.published
    register(event, email="guest@example.org")
    client.submit(f"{page}/cancel", page=page)
    assert db.session.get(Event, event.id).status is EventStatus.cancelled
    notice = db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "registration_event_cancelled")).one()
    assert notice.to == "guest@example.org"
    public = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "This event has been cancelled." in public
    assert "event.published" in audit_actions() and "event.cancelled" in audit_actions()


def test_a_larger_capacity_gives_places_to_the_waiting_list(client, logged_in, make_event, register):
    event = make_event(capacity=1)
    register(event, email="first@example.org")
    register(event, email="second@example.org")
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}"
    client.submit(page, event_form(slug=event.slug, capacity="2",
                                          campaign_id=str(event.campaign_id)),
                  page=page)
    second = db.session.scalars(select(Registration).where(
        Registration.email_index == email_index("second@example.org"))).one()
    assert second.status is RegistrationStatus.confirmed
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index("second@example.org"),
        OutboxMessage.kind == "registration_promoted")).one()


def test_an_editor_adds_orders_edits_and_removes_speakers(client, logged_in, make_event):
    event = make_event()
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/speakers"
    for name in ("Tanya Vyhovsky", "Mick Antoniw", "Third Speaker"):
        response = client.submit(page, {"name": name, "role": "", "bio": "A short bio."}, page=page)
        assert response.status_code == 303
    speakers = {s.name: s for s in db.session.scalars(select(Speaker))}
    client.submit(f"{page}/{speakers['Mick Antoniw'].id}/up", page=page)
    client.submit(f"{page}/{speakers['Third Speaker'].id}/delete", page=page)
    client.submit(f"{page}/{speakers['Tanya Vyhovsky'].id}",
                  {"name": "Tanya Vyhovsky", "role": "State Senator, Vermont", "bio": "Bio."},
                  page=page)
    db.session.expire_all()
    ordered = db.session.scalars(
        select(Speaker).where(Speaker.event_id == event.id).order_by(Speaker.position)).all()
    assert [(s.position, s.name) for s in ordered] == [(1, "Mick Antoniw"), (2, "Tanya Vyhovsky")]
    assert ordered[1].role == "State Senator, Vermont"
    public = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert public.index("Mick Antoniw") < public.index("Tanya Vyhovsky")


def test_an_editor_adds_a_pay_what_you_can_ticket_and_an_appeal(client, logged_in, make_event):
    event = make_event(tickets=[])
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/tickets"
    response = client.submit(page, {"name": "Supporter ticket", "description": "", "price": "15",
                                    "currency": "GBP", "min_price": "5.50", "capacity": ""},
                             page=page)
    assert response.status_code == 303
    ticket = db.session.scalars(select(TicketType)).one()
    assert (ticket.price_minor, ticket.min_price_minor, ticket.currency) == (1500, 550, "GBP")
    appeal_page = f"/dashboard/events/{event.id}/appeal"
    client.submit(appeal_page, {"name": "Step To Victory appeal", "description": "Social centre.",
                                "target": "2000", "currency": "GBP", "website": ""},
                  page=appeal_page)
    public = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Step To Victory appeal" in public
    assert "pay what you can, from £5.50 (suggested £15.00)" in public
    assert "The target is £2,000.00." in public


@pytest.mark.parametrize("fields, message", [
    ({"price": "ten"}, "Enter an amount like 10 or 12.50."),
    ({"price": "-1"}, "Enter an amount like 10 or 12.50."),
    ({"price": "1.234"}, "Enter an amount like 10 or 12.50."),
    ({"price": "5", "min_price": "6"}, "The minimum cannot be more than the suggested price."),
    ({"currency": "XYZ"}, "Choose from the list."),
    ({"currency": "DEM"}, "Choose from the list."),
    ({"currency": "XAU"}, "Choose from the list."),
    ({"name": ""}, "s name."),
])
def test_bad_ticket_details_are_refused(client, logged_in, make_event, fields, message):
    event = make_event(tickets=[])
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/tickets"
    data = {"name": "Supporter", "description": "", "price": "10", "currency": "GBP",
            "min_price": "", "capacity": ""}
    data.update(fields)
    response = client.submit(page, data, page=page)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(TicketType)).first() is None


def test_the_currency_list_offers_money_in_use_today_common_ones_first(
    client, logged_in, make_event
):
    event = make_event(tickets=[])
    logged_in(Role.editor)
    html = client.get(f"/dashboard/events/{event.id}/tickets").get_data(as_text=True)
    select_html = html[html.index('id="currency"'):]
    codes = re.findall(r'<option (?:selected )?value="([A-Z]{3})"', select_html[:select_html.index("</select>")])
    assert codes[:4] == ["GBP", "EUR", "UAH", "USD"]
    assert codes[4:] == sorted(codes[4:]) and {"PLN", "JPY", "XOF", "CLF", "UYW"} <= set(codes)
    assert not {"DEM", "ZWD", "XAU", "XDR", "XBA", "XTS"} & set(codes)
    assert "GBP – British Pound" in html


def test_a_ticket_at_the_largest_price_in_a_four_decimal_currency_saves_and_shows(
    client, logged_in, make_event
):
    event = make_event(tickets=[])
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/tickets"
    response = client.submit(page, {"name": "Patron", "description": "", "price": "10,000",
                                    "currency": "CLF", "min_price": "9999.9999", "capacity": ""},
                             page=page)
    assert response.status_code == 303
    ticket = db.session.scalars(select(TicketType)).one()
    assert (ticket.price_minor, ticket.min_price_minor) == (100_000_000, 99_999_999)
    assert "CLF10,000.0000" in client.get(page).get_data(as_text=True)
    assert "suggested CLF10,000.0000" in client.get(f"/e/{event.slug}").get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({"price": "10000.0001"}, "The price can be at most 10,000.0000 CLF."),
    ({"price": "99999999999999999999"}, "The price can be at most 10,000.0000 CLF."),
    ({"price": "1e400"}, "The price can be at most 10,000.0000 CLF."),
    ({"min_price": "1000000"}, "The minimum can be at most 10,000.0000 CLF."),
])
def test_a_price_above_the_largest_is_refused_naming_the_largest(
    client, logged_in, make_event, fields, message
):
    event = make_event(tickets=[])
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/tickets"
    data = {"name": "Patron", "description": "", "price": "10", "currency": "CLF",
            "min_price": "", "capacity": ""}
    data.update(fields)
    response = client.submit(page, data, page=page)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(TicketType)).first() is None


def test_an_appeal_target_up_to_a_billion_saves_and_shows_and_more_is_refused(
    client, logged_in, make_event
):
    event = make_event()
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/appeal"
    appeal = {"name": "Reconstruction fund", "description": "", "currency": "CLF", "website": ""}

    refused = client.submit(page, {**appeal, "target": "1000000000.0001"}, page=page)
    assert refused.status_code == 400
    assert ("The target can be at most 1,000,000,000.0000 CLF."
            in refused.get_data(as_text=True))
    assert client.submit(page, {**appeal, "target": "1,000,000,000"}, page=page).status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, event.id).appeal.target_minor == 10_000_000_000_000
    assert "The target is CLF1,000,000,000.0000." in client.get(f"/e/{event.slug}").get_data(
        as_text=True)


def test_a_deployment_may_allow_dearer_tickets_and_the_pledges_still_add_up(
    app, client, logged_in, make_event, register
):
    app.config["MAX_TICKET_PRICE"] = 1_000_000
    event = make_event(tickets=[], appeal={"name": "Reconstruction fund", "currency": "CLF"})
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/tickets"
    response = client.submit(page, {"name": "Patron", "description": "", "price": "1000000",
                                    "currency": "CLF", "min_price": "1000000", "capacity": ""},
                             page=page)
    assert response.status_code == 303
    ticket = db.session.scalars(select(TicketType)).one()
    assert (ticket.price_minor, ticket.min_price_minor) == (10_000_000_000, 10_000_000_000)

    for email in ("one@example.org", "two@example.org"):
        register(event, email=email, ticket_type=ticket, amount="1000000")
    assert [r.amount_minor for r in db.session.scalars(select(Registration))] == [
        10_000_000_000, 10_000_000_000]
    assert ("CLF2,000,000.0000 pledged, of which CLF0.0000 paid"
            in client.get(f"/e/{event.slug}").get_data(as_text=True))


def test_a_ticket_people_registered_with_cannot_be_deleted(client, logged_in, make_event, register):
    event = make_event()
    register(event)
    logged_in(Role.editor)
    ticket = event.ticket_types[0]
    page = f"/dashboard/events/{event.id}/tickets"
    response = client.submit(f"{page}/{ticket.id}/delete", page=page, follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert db.session.get(TicketType, ticket.id) is not None


def test_the_registrations_table_searches_filters_and_pages(client, logged_in, make_event, register):
    event = make_event(capacity=52)
    for number in range(55):
        register(event, name=f"Person {number:02d}", email=f"p{number}@example.org")
    logged_in(Role.viewer)
    base = f"/dashboard/events/{event.id}/registrations"
    first = client.get(base).get_data(as_text=True)
    assert "55 registrations" in first and "Page 1 of 2" in first
    assert "Person 54" in first and "Person 00" not in first
    waiting = client.get(f"{base}?status=waitlisted").get_data(as_text=True)
    assert "3 registrations" in waiting and "Waiting list (1)" in waiting
    found = client.get(f"{base}?q=person 07").get_data(as_text=True)
    assert "1 registration" in found and "p7@example.org" in found
    by_address = client.get(f"{base}?q=P8@Example.org").get_data(as_text=True)
    assert "1 registration" in by_address and "Person 08" in by_address
    assert "No registrations match" in client.get(f"{base}?q=p8@example").get_data(as_text=True)
    assert "or a whole email address" in first
    code = db.session.scalars(select(Registration.reference).where(
        Registration.email_index == email_index("p9@example.org"))).one()
    assert "p9@example.org" in client.get(f"{base}?q={code.lower()}").get_data(as_text=True)
    assert client.get(f"{base}?status=nonsense").status_code == 400
    assert client.get(f"{base}?ticket=abc").status_code == 400
    assert client.get(f"{base}?page=0").status_code == 404


def test_an_editor_moves_people_between_the_waiting_list_and_places(
    client, logged_in, make_event, register
):
    event = make_event(capacity=1)
    register(event, email="placed@example.org")
    register(event, email="waiting@example.org")
    logged_in(Role.editor)
    placed, waiting = (db.session.scalars(select(Registration).where(
        Registration.email_index == email_index(email))).one()
        for email in ("placed@example.org", "waiting@example.org"))
    base = f"/dashboard/events/{event.id}/registrations"
    refused = client.submit(f"{base}/{waiting.id}/confirm", page=base, follow_redirects=True)
    assert "There is no place left" in refused.get_data(as_text=True)
    client.submit(f"{base}/{placed.id}/waitlist", page=base)
    client.submit(f"{base}/{waiting.id}/confirm", page=base)
    db.session.expire_all()
    assert db.session.get(Registration, placed.id).status is RegistrationStatus.waitlisted
    assert db.session.get(Registration, waiting.id).status is RegistrationStatus.confirmed
    assert {"registration.waitlist", "registration.confirm"} <= set(audit_actions())


def test_marking_paid_moves_the_appeal_totals(client, logged_in, make_event, register):
    event = make_event(tickets=[{"name": "Supporter", "price_minor": 1000}],
                       appeal={"name": "Step To Victory appeal"})
    register(event, email="payer@example.org")
    register(event, email="later@example.org")
    logged_in(Role.editor)
    payer = db.session.scalars(select(Registration).where(
        Registration.email_index == email_index("payer@example.org"))).one()
    base = f"/dashboard/events/{event.id}/registrations"
    client.submit(f"{base}/{payer.id}/paid", page=base)
    assert db.session.get(Registration, payer.id).paid_at is not None
    public = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "£20.00 pledged, of which £10.00 paid" in public
    client.submit(f"{base}/{payer.id}/cancel", page=base)
    public = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "£10.00 pledged, of which £0.00 paid" in public
    assert "registration.paid" in audit_actions() and "registration.cancel" in audit_actions()


def test_a_viewer_reads_but_cannot_change(client, logged_in, make_event, register):
    event = make_event()
    register(event)
    registration = db.session.scalars(select(Registration)).one()
    logged_in(Role.viewer)
    base = f"/dashboard/events/{event.id}"
    for path in ("", "/speakers", "/tickets", "/appeal", "/registrations", "/check-in",
                 "/door-list", "/registrations.csv"):
        assert client.get(base + path).status_code == 200, path
    assert client.get("/dashboard/events").status_code == 200
    token = client.csrf_token(base)
    for path in ("/publish", "/cancel", f"/registrations/{registration.id}/cancel",
                 f"/check-in/{registration.id}", "/speakers", "/tickets", "/appeal"):
        assert client.post(base + path, data={"csrf_token": token}).status_code == 403, path
    assert client.get("/dashboard/events/new").status_code == 403


def test_the_dashboard_needs_a_login_and_hides_other_events_rows(client, logged_in, make_event, register):
    first, second = make_event(), make_event()
    register(first)
    registration = db.session.scalars(select(Registration)).one()
    assert client.get(f"/dashboard/events/{first.id}/registrations").status_code == 302
    logged_in(Role.editor)
    page = f"/dashboard/events/{second.id}/registrations"
    response = client.submit(f"{page}/{registration.id}/cancel", page=page)
    assert response.status_code == 404
    assert client.get("/dashboard/events/999999").status_code == 404


def test_an_organizer_exports_registrants_as_safe_csv(client, logged_in, make_event, register):
    event = make_event()
    register(event, name="=HYPERLINK(\"http://evil\")", email="formula@example.org",
             affiliation="@union")
    logged_in(Role.viewer)
    response = client.get(f"/dashboard/events/{event.id}/registrations.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:6] == ["reference", "name", "email", "affiliation", "ticket", "status"]
    assert rows[1][1] == "'=HYPERLINK(\"http://evil\")" and rows[1][3] == "'@union"
    assert rows[1][5] == "confirmed"
    assert "registrations.export" in audit_actions()


def test_the_command_line_exports_the_same_csv(runner, make_event, register, tmp_path):
    event = make_event()
    register(event, name="Peter Tatchell", email="peter@example.org")
    target = tmp_path / "registrants.csv"
    result = runner.invoke(args=["registrations", "export", event.slug, "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(target.open(encoding="utf-8", newline="")))
    assert rows[1][1:3] == ["Peter Tatchell", "peter@example.org"]
    to_stdout = runner.invoke(args=["registrations", "export", event.slug])
    assert "Peter Tatchell" in to_stdout.output
    missing = runner.invoke(args=["registrations", "export", "no-such-event"])
    assert missing.exit_code != 0 and "no event with the slug" in missing.output
    assert "--output" in runner.invoke(args=["registrations", "export", "--help"]).output


def test_drafts_can_be_previewed_by_organizers_only(client, logged_in, make_event):
    event = make_event(status=EventStatus.draft)
    assert client.get(f"/e/{event.slug}").status_code == 404
    logged_in(Role.viewer)
    assert "Draft: only organizers" in client.get(f"/e/{event.slug}").get_data(as_text=True)
