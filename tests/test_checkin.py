"""At the door: organizers find registrants by name or reference code and check them in with one tap."""
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.events.models import Registration
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry


def registration_of(email: str) -> Registration:
    return db.session.scalars(
        select(Registration).where(Registration.email_index == email_index(email))).one()


def test_a_door_volunteer_checks_someone_in_by_their_reference_code(
    client, logged_in, make_event, register
):
    event = make_event()
    register(event, name="Chris Kitchen", email="chris@example.org")
    code = registration_of("chris@example.org").reference
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/check-in"
    typed = f"{code[:4].lower()} {code[4:]}"  # as read out, with a space, in lower case
    found = client.get(page, query_string={"q": typed}).get_data(as_text=True)
    assert "Chris Kitchen" in found and "Check in" in found
    registration = registration_of("chris@example.org")
    response = client.submit(f"{page}/{registration.id}", {"q": typed}, page=page)
    assert response.status_code == 303 and "q=" in response.headers["Location"]
    assert registration_of("chris@example.org").checked_in_at is not None
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Checked in: Chris Kitchen." in after
    assert "Undo check-in" in after
    figures = client.get(page).get_data(as_text=True)
    assert "<dt>Checked in</dt><dd>1</dd>" in figures


def test_checking_in_twice_says_so_and_undo_takes_it_back(client, logged_in, make_event, register):
    event = make_event()
    register(event, email="twice@example.org")
    registration = registration_of("twice@example.org")
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/check-in"
    client.submit(f"{page}/{registration.id}", page=page)
    again = client.submit(f"{page}/{registration.id}", page=page, follow_redirects=True)
    assert "was already checked in" in again.get_data(as_text=True)
    client.submit(f"{page}/{registration.id}/undo", page=page)
    assert registration_of("twice@example.org").checked_in_at is None
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("registration.check_in") == 1 and "registration.check_in_undo" in actions


def test_people_are_found_by_part_of_their_name(client, logged_in, make_event, register):
    event = make_event()
    register(event, name="Mick Whelan", email="mick.w@example.org")
    register(event, name="Mick Antoniw", email="mick.a@example.org")
    register(event, name="Nadia Whittome", email="nadia@example.org")
    logged_in(Role.viewer)
    html = client.get(f"/dashboard/events/{event.id}/check-in?q=mick").get_data(as_text=True)
    assert "Mick Whelan" in html and "Mick Antoniw" in html and "Nadia Whittome" not in html
    nobody = client.get(f"/dashboard/events/{event.id}/check-in?q=zzz").get_data(as_text=True)
    assert "Nobody registered matches" in nobody


def test_the_waiting_list_and_cancelled_cannot_be_checked_in(client, logged_in, make_event, register):
    event = make_event(capacity=1)
    register(event, name="Has Place", email="placed@example.org")
    register(event, name="Still Waiting", email="waiting@example.org")
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/check-in"
    html = client.get(page, query_string={"q": "Still"}).get_data(as_text=True)
    assert "On the waiting list: no confirmed place." in html
    waiting = registration_of("waiting@example.org")
    refused = client.submit(f"{page}/{waiting.id}", page=page, follow_redirects=True)
    assert "Only confirmed registrants can be checked in." in refused.get_data(as_text=True)
    assert registration_of("waiting@example.org").checked_in_at is None


def test_the_check_in_page_offers_camera_scanning_from_a_local_script(client, logged_in, make_event):
    event = make_event()
    logged_in(Role.viewer)
    html = client.get(f"/dashboard/events/{event.id}/check-in").get_data(as_text=True)
    assert '<script src="/static/js/checkin.js" defer></script>' in html
    assert "data-checkin-scan" in html and " hidden" in html
    script = client.get("/static/js/checkin.js").get_data(as_text=True)
    assert "BarcodeDetector" in script


def test_a_viewer_can_look_people_up_but_not_check_them_in(client, logged_in, make_event, register):
    event = make_event()
    register(event, name="Peter Tatchell", email="peter@example.org")
    logged_in(Role.viewer)
    page = f"/dashboard/events/{event.id}/check-in"
    html = client.get(page, query_string={"q": "Peter"}).get_data(as_text=True)
    assert "Peter Tatchell" in html and "Check in<" not in html
    registration = registration_of("peter@example.org")
    token = client.csrf_token(page)
    assert client.post(f"{page}/{registration.id}", data={"csrf_token": token}).status_code == 403


def test_the_door_list_is_sorted_by_surname_and_leaves_out_the_waiting_list(
    client, logged_in, make_event, register
):
    event = make_event(capacity=3, tickets=[{"name": "Supporter", "price_minor": 1000}])
    for name in ("Mark Serwotka", "Olena Ivashchenko", "Chris Kitchen", "Yury Levchenko"):
        register(event, name=name)
    logged_in(Role.viewer)
    html = client.get(f"/dashboard/events/{event.id}/door-list").get_data(as_text=True)
    positions = [html.index(name) for name in ("Olena Ivashchenko", "Chris Kitchen", "Mark Serwotka")]
    assert positions == sorted(positions)
    assert "Yury Levchenko" not in html
    assert "3 confirmed registrants, by surname." in html
    assert "£10.00" in html


def test_part_of_a_reference_code_read_out_at_the_door_finds_the_registrant(
    client, logged_in, make_event, register
):
    event = make_event()
    register(event, name="Chris Kitchen", email="chris@example.org")
    register(event, name="Mick Whelan", email="mick@example.org")
    registration_of("chris@example.org").reference = "XQ7ZK2W9"
    db.session.commit()
    logged_in(Role.viewer)
    page = f"/dashboard/events/{event.id}/check-in"
    for part in ("K2W9", "7z-k2", "xq7z"):
        html = client.get(page, query_string={"q": part}).get_data(as_text=True)
        assert "Chris Kitchen" in html and "Mick Whelan" not in html, part
    too_short = client.get(page, query_string={"q": "2W9"}).get_data(as_text=True)
    assert "Chris Kitchen" not in too_short


def test_a_pay_at_the_door_ticket_is_marked_paid_on_the_check_in_screen(
    client, logged_in, make_event, register
):
    event = make_event(tickets=[{"name": "Supporter", "price_minor": 1000, "currency": "GBP"}])
    register(event, name="Mark Serwotka", email="mark@example.org")
    logged_in(Role.editor)
    page = f"/dashboard/events/{event.id}/check-in"
    html = client.get(page, query_string={"q": "Serwotka"}).get_data(as_text=True)
    assert "to pay: £10.00" in html and "Mark paid" in html
    registration = registration_of("mark@example.org")

    response = client.submit(f"{page}/{registration.id}/paid", {"q": "Serwotka"}, page=page)

    assert response.status_code == 303 and "q=Serwotka" in response.headers["Location"]
    after = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mark Serwotka is marked as paid." in after
    assert "to pay:" not in after and "Mark paid" not in after and "Check in" in after
    assert registration_of("mark@example.org").paid_at is not None
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "registration.paid" in actions


def test_a_viewer_at_the_door_sees_what_is_owed_but_cannot_mark_it_paid(
    client, logged_in, make_event, register
):
    event = make_event(tickets=[{"name": "Supporter", "price_minor": 1000, "currency": "GBP"}])
    register(event, name="Mark Serwotka", email="mark@example.org")
    logged_in(Role.viewer)
    page = f"/dashboard/events/{event.id}/check-in"
    html = client.get(page, query_string={"q": "Serwotka"}).get_data(as_text=True)
    assert "to pay: £10.00" in html and "Mark paid" not in html
    registration = registration_of("mark@example.org")
    token = client.csrf_token(page)
    assert client.post(f"{page}/{registration.id}/paid",
                       data={"csrf_token": token}).status_code == 403
    assert registration_of("mark@example.org").paid_at is None
