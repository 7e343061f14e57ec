"""Internationalised email addresses: a look-alike Unicode domain and its punycode are one
address, kept and sent in ASCII, and shown to organizers in both forms, flagged."""
from sqlalchemy import select

from campaign.events.models import Registration
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role
from campaign.signatures.models import Signature

PUNYCODE = "a@xn--80ak6aa92e.com"
LOOK_ALIKE = "a@аррӏе.com"  # Cyrillic letters that look like "apple"


def test_signing_with_the_punycode_and_the_unicode_domain_is_one_person_kept_in_ascii(
    make_statement, sign
):
    statement = make_statement()

    sign(statement, email=PUNYCODE)
    sign(statement, name="Someone Else", email=LOOK_ALIKE)

    [signature] = db.session.scalars(select(Signature)).all()
    assert (signature.email, signature.email_domain) == (PUNYCODE, PUNYCODE.split("@")[1])
    assert signature.name == "Olena Kovalenko"
    recipients = db.session.scalars(select(OutboxMessage.to)).all()
    assert recipients == [PUNYCODE, PUNYCODE]


def test_registering_with_the_unicode_domain_keeps_the_ascii_form(make_event, register):
    event = make_event()

    register(event, email=LOOK_ALIKE)
    register(event, email=PUNYCODE)

    [registration] = db.session.scalars(select(Registration)).all()
    assert registration.email == PUNYCODE


def test_organizers_see_the_unicode_form_flagged_beside_the_ascii_one(
    client, logged_in, make_statement, sign
):
    statement = make_statement()
    sign(statement, name="Look Alike", email=LOOK_ALIKE)
    sign(statement, name="Plain Person", email="plain@example.org")
    signature = db.session.scalar(select(Signature).where(Signature.name == "Look Alike"))
    logged_in(Role.editor)

    listing = client.get(f"/dashboard/statements/{statement.id}/signatures").get_data(as_text=True)
    detail = client.get(f"/dashboard/signatures/{signature.id}/edit").get_data(as_text=True)

    for page in (listing, detail):
        assert f"{PUNYCODE} <span class=\"tag\">internationalised address: {LOOK_ALIKE}</span>" in page
    assert listing.count("internationalised address") == 1
