"""One date and time style on every page and in every email: "24 March 2027, 18:00 GMT" in
English, each other language in its own order, never the US "3/24/27" or "Mar 24, 2027, 6:00 PM"."""
import re
from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from campaign.mail.service import message_bodies
from campaign.common import dates
from campaign.common.hashing import email_index
from campaign.events import service
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role

#: What the US style and Flask-Babel's medium style look like: "12/1/26", "Dec 1, 2026", "5:32 PM".
US_STYLE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[A-Z][a-z]{2} \d{1,2}, \d{4}\b|\d [AP]M\b")


def london(year, month, day, hour, minute=0) -> datetime:
    return service.local_to_utc(datetime(year, month, day, hour, minute), "Europe/London")


def test_an_event_page_says_when_in_the_events_zone_with_one_zone_name(client, make_event):
    event = make_event(starts_at=london(2027, 3, 24, 18), ends_at=london(2027, 3, 24, 20))
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "24 March 2027, 18:00 – 20:00 GMT" in html
    assert '<time datetime="2027-03-24T18:00:00+00:00">' in html
    assert not US_STYLE.search(html)


def test_an_event_past_midnight_gives_both_dates(client, make_event):
    event = make_event(starts_at=london(2027, 7, 1, 22), ends_at=london(2027, 7, 2, 1, 30))
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "1 July 2027, 22:00 BST – 2 July 2027, 01:30 BST" in html


def test_the_registration_email_gives_the_time_as_the_page_does(make_event, register):
    event = make_event(starts_at=london(2027, 3, 24, 18), ends_at=london(2027, 3, 24, 20))
    register(event, email="oksana@example.org")
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index("oksana@example.org"))).one()
    for body in (message_bodies(message)[0], message_bodies(message)[1]):
        assert "24 March 2027, 18:00 – 20:00 GMT" in body


def test_a_statement_not_yet_open_gives_the_opening_time_in_utc(client, make_statement):
    statement = make_statement(opens_at=datetime(2027, 3, 24, 18, tzinfo=timezone.utc))
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Signing opens on 24 March 2027, 18:00 UTC." in html


def test_the_home_page_gives_the_day_a_statement_was_published(client, make_statement):
    make_statement(title="Featured", published_at=datetime(2026, 11, 30, tzinfo=timezone.utc))
    make_statement(title="Another", published_at=datetime(2026, 12, 1, 17, 32, tzinfo=timezone.utc))
    html = client.get("/").get_data(as_text=True)
    assert "Published 30 November 2026" in html


def test_dashboard_pages_show_the_same_style(client, logged_in, make_statement, make_signature):
    """The dashboard's templates still name Flask-Babel's formats ("short", "yyyy-MM-dd"):
    the filters give the one style whatever they name."""
    logged_in(Role.owner)
    statement = make_statement(created_at=datetime(2026, 12, 1, 17, 32, 43, tzinfo=timezone.utc))
    make_signature(statement, created_at=datetime(2026, 12, 1, 17, 32, 43, tzinfo=timezone.utc))
    listing = client.get(f"/dashboard/statements/{statement.id}/signatures").get_data(as_text=True)
    assert "1 December 2026, 17:32 UTC" in listing
    assert "1 December 2026" in client.get("/dashboard").get_data(as_text=True)
    for html in (listing, client.get("/dashboard").get_data(as_text=True)):
        assert not US_STYLE.search(html), US_STYLE.search(html).group(0)


@pytest.mark.parametrize("language, shown", [
    ("en", "24 March 2027, 18:00 GMT"),
    ("de", "24. März 2027, 18:00 GMT"),
    ("uk", "24 березня 2027\u202fр., 18:00 GMT"),
    ("fr", "24 mars 2027, 18:00 GMT"),
])
def test_each_language_writes_the_date_in_its_own_order(app, language, shown):
    with app.test_request_context(), force_locale(language):
        assert dates.format_datetime(london(2027, 3, 24, 18), "Europe/London") == shown


def test_a_zone_without_an_abbreviation_is_named_by_its_offset(app):
    with app.test_request_context():
        moment = datetime(2027, 3, 24, 14, tzinfo=timezone.utc)
        assert dates.format_datetime(moment, "Asia/Dubai") == "24 March 2027, 18:00 UTC+04"
        assert dates.format_time(moment + timedelta(hours=1), "Europe/Kyiv") == "17:00 EET"
