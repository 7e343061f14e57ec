"""A signatory reads a statement on its public page and signs it."""
import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.mail.service import message_bodies
from campaign.common.hashing import email_index
from campaign import create_app
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.signatures import counts
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import StatementStatus
from tests.conftest import CampaignClient


def _signatures() -> list[Signature]:
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def _outbox(to: str) -> list[OutboxMessage]:
    """Messages to exactly this address: found by its blind index, then compared as written."""
    messages = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(to)))
    return [message for message in messages if message.to == to]


def test_the_statement_page_shows_the_text_count_and_a_labelled_form(client, make_statement):
    statement = make_statement(requires_confirmation=True, signature_goal=500,
                               preamble="We stand with **Ukraine**.")
    counts.adjust(statement.id, 120, 0)
    db.session.commit()

    response = client.get(f"/s/{statement.slug}")
    html = response.get_data(as_text=True)

    assert response.status_code == 200
    assert re.search(r"<h1[^>]*>A free and united Ukraine</h1>", html)
    assert 'id="demand-1"' in html and 'id="demand-2"' in html
    assert "120 signatures" in html
    assert '<progress id="goal-progress" class="progress" max="500" value="120"' in html
    for label in ("Name", "Affiliation", "Email", "Country", "Comment",
                  "I am signing in a personal capacity", "Show my name publicly"):
        assert re.search(rf'<label class="[^"]*" for="\w+">{label}</label>', html), label
    assert "Role and organisation" in html and "never shown publicly" in html
    assert re.search(r'<label class="checkbox__label" for="consent">[^<]*<a href="/privacy">', html)
    assert re.search(r'<button type="submit" class="button[^"]*">Sign</button>', html)
    show_publicly = re.search(r'<input[^>]*id="show_publicly"[^>]*>', html).group(0)
    assert "checked" not in show_publicly
    assert 'name="website"' in html  # the honeypot
    for tag in ("og:title", "og:description", "og:url", "og:type"):
        assert f'property="{tag}"' in html


def test_the_country_list_is_iso_codes_sorted_by_name(client, make_statement):
    statement = make_statement()
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    options = re.findall(r'<option value="([A-Z]{2})">([^<]+)</option>', html)
    codes = [code for code, _name in options]
    names = [name for _code, name in options]

    assert ("UA", "Ukraine") in options and ("GB", "United Kingdom") in options
    assert not {"EU", "UN", "ZZ", "QO", "XA"} & set(codes)
    assert names == sorted(names, key=str.casefold)
    assert len(codes) > 240


def test_the_country_list_speaks_the_page_language_and_keeps_a_signers_choice(
        client, make_statement, sign):
    statement = make_statement()
    ukrainian = client.get(f"/s/{statement.slug}?lang=uk").get_data(as_text=True)
    english = client.get(f"/s/{statement.slug}?lang=en").get_data(as_text=True)
    assert ('<option value="">Choose a country</option><option value="AF">Afghanistan</option>'
            in english)
    assert '<option value="UA">Україна</option>' in ukrainian
    assert '<option value="">Виберіть країну</option>' in ukrainian

    html = sign(statement, email="not an address", country="UA").get_data(as_text=True)
    assert "selected" in re.search(r'<option[^>]*value="UA"[^>]*>Ukraine</option>', html)[0]
    assert html.count(" selected") == 1


def test_a_person_signs_and_is_asked_to_confirm_by_email(client, make_statement, sign):
    statement = make_statement(requires_confirmation=True, revision=3)

    response = sign(statement, name="  Olena Kovalenko  ", affiliation="Teacher, Kyiv School 5",
                    email="Olena@Example.org", country="UA", personal_capacity="y",
                    show_publicly="y", comment="Слава Україні!\r\nSecond line.")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{statement.slug}/thanks")
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check your email and press the button in it" in thanks
    [signature] = _signatures()
    assert signature.name == "Olena Kovalenko"
    assert signature.affiliation == "Teacher, Kyiv School 5"
    assert signature.email == "Olena@example.org"
    assert signature.email_index == email_index("olena@example.org")
    assert signature.email_domain == "example.org"
    assert signature.country == "UA"
    assert signature.personal_capacity and signature.show_publicly
    assert signature.comment == "Слава Україні!\nSecond line."
    assert signature.status is SignatureStatus.pending
    assert signature.consent_version == "2026-11-01"
    assert signature.revision == 3
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash
    assert counts.totals(statement.id).counted == 0
    [message] = _outbox("Olena@example.org")
    assert message.kind == "signature_confirmation"
    assert f"/s/{statement.slug}/confirm/" in message_bodies(message)[0]
    assert f"/s/{statement.slug}/withdraw/" in message_bodies(message)[0]
    assert f"/s/{statement.slug}/withdraw/" in message_bodies(message)[1]
    assert "Campaign statements" in message_bodies(message)[0]


def test_without_confirmation_a_signature_counts_at_once(client, make_statement, sign):
    statement = make_statement(requires_confirmation=False)

    sign(statement, show_publicly="y")

    [signature] = _signatures()
    assert signature.status is SignatureStatus.confirmed and signature.confirmed_at
    assert counts.totals(statement.id) == counts.Totals(1, 1)
    thanks = client.get(f"/s/{statement.slug}/thanks").get_data(as_text=True)
    assert "Check your email" not in thanks
    assert "Olena Kovalenko" in client.get(f"/s/{statement.slug}").get_data(as_text=True)


@pytest.mark.parametrize("name", [
    "Олена Коваленко", "José Ñúñez-Müller", "Seán O'Brien", "王秀英", "Đặng Thị Ngọc Thịnh",
])
def test_a_name_in_any_script_is_kept_exactly(make_statement, sign, name):
    statement = make_statement()
    assert sign(statement, name=name, affiliation=f"{name}'s union").status_code == 302
    [signature] = _signatures()
    assert signature.name == name and signature.affiliation == f"{name}'s union"


@pytest.mark.parametrize("fields, field_id, message", [
    ({"name": ""}, "name", "Enter your name."),
    ({"name": "   "}, "name", "Enter your name."),
    ({"name": "x" * 201}, "name", "Your name must be 200 characters or fewer."),
    ({"name": "x" * 10_000}, "name", "Your name must be 200 characters or fewer."),
    ({"name": "Ada\x00Lovelace"}, "name", "Remove the control characters from this field."),
    ({"name": "Ada\nLovelace"}, "name", "Remove the control characters from this field."),
    ({"affiliation": "y" * 301}, "affiliation", "The affiliation must be 300 characters or fewer."),
    ({"affiliation": "Union\x1b[31m"}, "affiliation", "Remove the control characters"),
    ({"email": ""}, "email", "Enter your email address."),
    ({"email": "not-an-address"}, "email", "Enter an email address in the right format"),
    ({"email": "olena@"}, "email", "Enter an email address in the right format"),
    ({"email": "olena\x00@example.org"}, "email", "Remove the control characters"),
    ({"country": "XX"}, "country", "Choose a country from the list."),
    ({"consent": ""}, "consent", "Tick the box to agree"),
    ({"comment": "z" * 1001}, "comment", "Your comment must be 1000 characters or fewer."),
    ({"comment": "Hello\x00"}, "comment", "Remove the control characters"),
])
def test_each_rule_is_checked_with_a_message_by_its_field(
    make_statement, sign, fields, field_id, message
):
    statement = make_statement()

    response = sign(statement, **fields)
    html = response.get_data(as_text=True)

    assert response.status_code == 400
    assert "There is a problem" in html
    error = re.search(rf'<p class="error-message" id="{field_id}-error">(.*?)</p>', html, re.S)
    assert error and message in error.group(1)
    assert f'<a href="#{field_id}">' in html
    assert _signatures() == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_a_multi_line_comment_and_an_empty_country_are_accepted(make_statement, sign):
    statement = make_statement()
    assert sign(statement, country="", comment="Line one.\nLine two.").status_code == 302
    [signature] = _signatures()
    assert signature.country == "" and signature.comment == "Line one.\nLine two."


def test_a_bot_filling_the_honeypot_sees_success_but_nothing_is_stored(make_statement, sign):
    statement = make_statement(requires_confirmation=True)

    response = sign(statement, website="http://spam.example")

    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{statement.slug}/thanks")
    assert _signatures() == []
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_signing_twice_gives_the_same_answer_and_emails_the_address_instead(
    client, make_statement, sign
):
    statement = make_statement(requires_confirmation=False)

    first = sign(statement, email="olena.kovalenko@gmail.com", show_publicly="y")
    second = sign(statement, name="Someone Else", email="OlenaKovalenko+again@Gmail.com")

    assert (first.status_code, first.headers["Location"]) == (
        second.status_code, second.headers["Location"])
    [signature] = _signatures()
    assert signature.name == "Olena Kovalenko"
    assert counts.totals(statement.id) == counts.Totals(1, 1)
    [notice] = _outbox("OlenaKovalenko+again@gmail.com")
    assert notice.kind == "signature_already_signed"
    assert "already signed" in message_bodies(notice)[0]
    assert f"/s/{statement.slug}/withdraw/" in message_bodies(notice)[0]


def test_signing_again_before_confirming_sends_the_confirmation_link_again(make_statement, sign):
    statement = make_statement(requires_confirmation=True)
    sign(statement)
    sign(statement, email="OLENA@example.org")

    assert len(_signatures()) == 1
    kinds = [message.kind for message in sorted(_outbox("olena@example.org"),
                                                key=lambda message: message.id)]
    kinds += [message.kind for message in _outbox("OLENA@example.org")]
    assert kinds == ["signature_confirmation", "signature_confirmation"]


def test_concurrent_duplicates_leave_one_row_and_identical_answers(
    settings, on_postgresql, make_statement
):
    if not on_postgresql:
        pytest.skip("real concurrent writers need PostgreSQL")
    statement = make_statement(requires_confirmation=False)
    slug = statement.slug
    settings.update(DB_POOL_SIZE=12)
    app = create_app(settings)
    app.test_client_class = CampaignClient
    clients = []
    for _ in range(10):
        client = app.test_client()
        token = client.form_token()
        clients.append((client, token))
    barrier = threading.Barrier(len(clients))
    answers = []

    def sign_at_once(client, token):
        with app.app_context():
            barrier.wait()
            response = client.post(f"/s/{slug}/sign", data={
                "name": "Olena Kovalenko", "email": "olena@example.org", "country": "UA",
                "consent": "y", "show_publicly": "y", "form_token": token,
            })
            answers.append((response.status_code, response.headers.get("Location")))

    threads = [threading.Thread(target=sign_at_once, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()

    db.session.expire_all()
    assert len(answers) == 10 and len(set(answers)) == 1
    assert answers[0][0] == 302
    assert len(_signatures()) == 1
    assert counts.totals(statement.id) == counts.Totals(1, 1)
    tell_new_signatories()  # the mail sender, after every answer has gone
    kinds = [message.kind for message in _outbox("olena@example.org")]
    # Three a day for the repeats; the signature's own receipt whatever they used up.
    assert kinds == ["signature_already_signed"] * 3 + ["signature_receipt"]


@pytest.mark.parametrize("overrides", [
    {"status": StatementStatus.closed},
    {"closes_at": utcnow() - timedelta(minutes=1)},
])
def test_a_closed_statement_keeps_its_page_and_list_but_refuses_signatures(
    client, make_statement, make_signature, overrides
):
    statement = make_statement(**overrides)
    make_signature(statement, name="Taras Shevchenko")
    counts.reconcile(statement.id)
    token = client.form_token()  # the closed page has no form of its own

    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    response = client.post(f"/s/{statement.slug}/sign", data={
        "name": "Late Comer", "email": "late@example.org", "consent": "y", "form_token": token,
    })

    assert "Signing has closed" in page and "Taras Shevchenko" in page
    assert 'action="/s/' not in page
    assert response.status_code == 409
    assert "Signing has closed" in response.get_data(as_text=True)
    assert [s.name for s in _signatures()] == ["Taras Shevchenko"]


def test_a_statement_not_yet_open_says_when_signing_opens(client, make_statement):
    statement = make_statement(opens_at=utcnow() + timedelta(days=2))
    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    response = client.submit(f"/s/{statement.slug}/sign", {
        "name": "Early Bird", "email": "early@example.org", "consent": "y"})
    assert "Signing opens on" in page
    assert response.status_code == 409
    assert _signatures() == []


def test_drafts_and_unknown_statements_are_not_found(client, make_statement):
    draft = make_statement(status=StatementStatus.draft)
    token = client.form_token()
    assert client.get(f"/s/{draft.slug}").status_code == 404
    assert client.get("/s/no-such-statement").status_code == 404
    response = client.post(f"/s/{draft.slug}/sign", data={
        "name": "A", "email": "a@example.org", "consent": "y", "form_token": token})
    assert response.status_code == 404
    assert _signatures() == []
