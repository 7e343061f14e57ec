"""People protecting the site: bad input gets a clear 4xx, never a 5xx, and stores nothing;
no public page ever shows a signatory's email address."""
import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.signatures.models import Signature


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature))


def _raw_post(client, url: str, body: str):
    return client.post(url, data=body.encode("latin-1", "surrogateescape"),
                       content_type="application/x-www-form-urlencoded")


def test_broken_percent_encoding_in_the_body_is_refused_without_storing(client, make_statement):
    statement = make_statement()
    token = client.form_token()

    response = _raw_post(client, f"/s/{statement.slug}/sign",
                         f"form_token={token}&name=%E0%A4%A&email=%ZZ%&consent=y&country=%G1")

    assert response.status_code == 400
    assert "Enter an email address in the right format" in response.get_data(as_text=True)
    assert _stored() == 0


def test_raw_bytes_that_are_not_utf8_do_not_break_the_form(client, make_statement):
    statement = make_statement()
    token = client.form_token()
    body = f"form_token={token}&name=\udcff\udcfe&email=a%40example.org&consent=y"

    response = _raw_post(client, f"/s/{statement.slug}/sign", body)

    assert response.status_code in (302, 400)


@pytest.mark.parametrize("path", [
    "/s/%ZZ", "/s/%E0%A4%A", "/s/%ff", "/s/%00", "/s/a%00b/thanks", "/s/%ff/thanks",
    "/s/" + "x" * 5000, "/s/%3Cscript%3E", "/s/any/confirm/%00", "/s/any/withdraw/a%00b",
])
def test_broken_or_strange_addresses_are_not_found(client, make_statement, path):
    make_statement()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("method, suffix", [
    ("get", "/sign"), ("put", ""), ("delete", ""), ("post", ""), ("post", "/thanks"),
    ("get", "/resend"), ("patch", "/sign"),
])
def test_wrong_methods_are_refused(client, make_statement, method, suffix):
    statement = make_statement()
    response = getattr(client, method)(f"/s/{statement.slug}{suffix}")
    assert response.status_code == 405
    assert _stored() == 0


@pytest.mark.parametrize("token", [None, "", "forged-token", "\x00"])
def test_a_missing_or_invalid_form_token_is_refused_and_nothing_stored(
    client, make_statement, token
):
    statement = make_statement()
    client.get(f"/s/{statement.slug}")
    data = {"name": "Olena", "email": "olena@example.org", "consent": "y"}
    if token is not None:
        data["form_token"] = token

    response = client.post(f"/s/{statement.slug}/sign", data=data)

    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert _stored() == 0


def test_a_body_larger_than_allowed_is_refused(client, make_statement):
    statement = make_statement()
    token = client.form_token()
    response = client.post(f"/s/{statement.slug}/sign", data={
        "form_token": token, "name": "x" * (3 * 1024 * 1024), "email": "a@example.org",
        "consent": "y",
    })
    assert response.status_code == 413
    assert _stored() == 0


@pytest.mark.parametrize("page", ["99999999999999999999", "0", "-3", "1000001"])
def test_impossible_page_numbers_are_not_found(client, make_statement, page):
    statement = make_statement()
    assert client.get(f"/s/{statement.slug}?page={page}").status_code == 404


def test_a_page_number_that_is_not_a_number_shows_the_first_page(client, make_statement):
    statement = make_statement()
    assert client.get(f"/s/{statement.slug}?page=abc").status_code == 200


def test_script_tags_and_formulas_are_kept_as_text_and_shown_as_text(
    client, make_statement, sign
):
    statement = make_statement(requires_confirmation=False)
    name = '<script>alert("x")</script>'
    affiliation = '=HYPERLINK("http://evil.example","Click")'

    assert sign(statement, name=name, affiliation=affiliation, show_publicly="y").status_code == 302

    signature = db.session.scalar(select(Signature))
    assert (signature.name, signature.affiliation) == (name, affiliation)
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;Click&#34;)" in html


@pytest.mark.parametrize("token", [
    "garbage", "a" * 3000, "%ff%fe", "W1sxLCJhYmMiXV0.invalid.signature",
])
def test_tampered_links_get_a_clear_400_page(client, make_statement, token):
    statement = make_statement()
    for purpose in ("confirm", "withdraw"):
        response = client.get(f"/s/{statement.slug}/{purpose}/{token}")
        assert response.status_code == 400
        assert "This link is not valid" in response.get_data(as_text=True)


@pytest.fixture
def own_card_folder(settings, tmp_path):
    """The crawl below draws share pictures; they go to a folder of this test's own."""
    settings["SHARE_CARD_DIR"] = str(tmp_path / "share-cards")


def test_no_public_page_shows_a_signatory_email(
    own_card_folder, app, client, make_statement, sign, emailed_link
):
    statement = make_statement(requires_confirmation=True, signature_goal=10)
    address = "hidden.person@example.org"
    sign(statement, email=address, show_publicly="y", comment="Private note")
    confirm = emailed_link(address, "confirm")
    withdraw = emailed_link(address, "withdraw")
    assert client.submit(confirm, {}, page=confirm).status_code == 200
    sign(statement, email=address)  # a second try: the "already signed" path

    pages = {confirm, withdraw, f"/s/{statement.slug}?page=1"}
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/dashboard", "/static")):
            continue
        if set(rule.arguments) <= {"slug"}:
            pages.add(rule.rule.replace("<slug>", statement.slug))
    assert f"/s/{statement.slug}" in pages and "/" in pages

    for page in sorted(pages):
        response = client.get(page)
        assert response.status_code < 500, page
        body = response.get_data()
        assert address.encode() not in body, page
        assert b"hidden.person" not in body, page
        assert b"Private note" not in body, page
