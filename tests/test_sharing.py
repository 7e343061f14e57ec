"""Link previews and the widget: what a person sharing a statement, or a partner site, gets."""
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from campaign.common.time import utcnow
from campaign.events.models import Event, EventStatus
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.sharing.service import count_shown, draw_card
from campaign.signatures import counts
from campaign.signatures.models import Signature
from campaign.statements.models import StatementStatus


@pytest.fixture(autouse=True)
def card_folder(settings, tmp_path):
    """Each test its own folder of pictures, so what one draws is not counted by another."""
    settings["SHARE_CARD_DIR"] = str(tmp_path / "cards")


def _image(response) -> Image.Image:
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    return Image.open(BytesIO(response.data))


def _cards(app) -> list[Path]:
    return sorted(Path(app.config["SHARE_CARD_DIR"]).glob("*.png"))


def test_a_shared_statement_link_shows_a_picture_of_its_title_and_count(client, make_statement):
    statement = make_statement(title="A free and united Ukraine")
    response = client.get(f"/s/{statement.slug}/card.png")
    image = _image(response)
    assert image.size == (1200, 630)
    assert "public" in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_a_link_preview_tool_asking_again_gets_not_modified(client, make_statement):
    statement = make_statement()
    first = client.get(f"/s/{statement.slug}/card.png")
    again = client.get(f"/s/{statement.slug}/card.png",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""


def test_the_picture_changes_when_the_count_changes_and_old_pictures_are_not_kept(
    app, client, make_statement
):
    statement = make_statement()
    first = client.get(f"/s/{statement.slug}/card.png")
    counts.adjust(statement.id, 3, 3)
    db.session.commit()
    second = client.get(f"/s/{statement.slug}/card.png")
    assert second.headers["ETag"] != first.headers["ETag"]
    assert second.data != first.data
    assert len(_cards(app)) == 1, "one picture per statement is kept on disk"


def test_the_picture_is_drawn_once_and_then_served_from_disk(app, client, make_statement):
    statement = make_statement()
    client.get(f"/s/{statement.slug}/card.png")
    [card] = _cards(app)
    card.write_bytes(b"kept")
    assert client.get(f"/s/{statement.slug}/card.png").data == b"kept"


def test_the_picture_is_redrawn_when_the_title_is_edited(app, client, make_statement):
    statement = make_statement(title="First words")
    first = client.get(f"/s/{statement.slug}/card.png")
    statement.title = "Better words"
    db.session.commit()
    second = client.get(f"/s/{statement.slug}/card.png")
    assert second.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize(("count", "shown"), [
    (0, (0, False)), (7, (7, False)), (99, (99, False)), (100, (100, False)),
    (1234, (1200, True)), (1200, (1200, False)), (98_765, (98_000, True)),
])
def test_a_busy_statement_shows_its_count_in_steps(count, shown):
    assert count_shown(count) == shown


def test_a_very_long_title_still_fits_on_the_picture(app):
    png = draw_card("Solidarity " * 80, ["12,000+ signatures"], "Ukraine Solidarity Campaign " * 5)
    assert Image.open(BytesIO(png)).size == (1200, 630)


def test_drafts_have_no_picture_and_no_widget(client, make_statement):
    draft = make_statement(status=StatementStatus.draft)
    assert client.get(f"/s/{draft.slug}/card.png").status_code == 404
    assert client.get(f"/s/{draft.slug}/embed").status_code == 404
    assert client.get("/s/no-such-statement/card.png").status_code == 404


def test_an_event_link_shows_a_picture_of_its_title_and_date(client, make_campaign):
    campaign = make_campaign()
    event = Event(campaign_id=campaign.id, slug="launch", title="Launch meeting in Parliament",
                  starts_at=utcnow() + timedelta(days=3), venue="Committee Room 10",
                  status=EventStatus.published)
    db.session.add(event)
    db.session.commit()
    assert _image(client.get("/e/launch/card.png")).size == (1200, 630)
    event.status = EventStatus.draft
    db.session.commit()
    assert client.get("/e/launch/card.png").status_code == 404


def test_the_embedded_form_shows_title_count_and_the_signing_form_itself(
    client, make_statement
):
    statement = make_statement(title="A free and united Ukraine")
    counts.adjust(statement.id, 1234, 1000)
    db.session.commit()
    response = client.get(f"/s/{statement.slug}/embed")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A free and united Ukraine" in html
    assert "1,234 signatures" in html
    assert f'action="/s/{statement.slug}/embed"' in html
    for label in ("Name", "Affiliation", "Email", "Country"):
        assert f">{label}</label>" in html
    assert 'name="form_token"' in html and 'name="consent"' in html
    assert ">Sign</button>" in html
    assert '<script src="/static/js/embed-frame.js" defer></script>' in html
    assert 'aria-live="polite"' in html
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_a_person_signs_in_the_embedded_form_and_is_thanked_in_the_frame(
    app, make_statement
):
    statement = make_statement(requires_confirmation=True)
    frame = app.test_client(use_cookies=False)  # the partner's site: third-party cookies blocked
    frame.get(f"/s/{statement.slug}/embed")
    response = frame.post(f"/s/{statement.slug}/embed", headers={
        "Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}, data={
        "name": "Olena Kovalenko", "email": "olena@example.org", "country": "UA", "consent": "y",
        "form_token": frame.form_token()})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{statement.slug}/embed/thanks"
    assert "Set-Cookie" not in response.headers
    thanks = frame.get(response.headers["Location"])
    assert "Open the link in it to confirm" in thanks.get_data(as_text=True)
    assert "frame-ancestors *" in thanks.headers["Content-Security-Policy"]
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 1


def test_an_embedded_form_with_mistakes_comes_back_in_the_frame(client, make_statement):
    statement = make_statement()
    response = client.post(f"/s/{statement.slug}/embed", data={
        "name": "", "email": "not-an-address", "form_token": client.form_token()})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your name." in html and 'class="embed__card"' in html
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]


def test_a_page_of_another_site_cannot_sign_through_the_embedded_form(client, make_statement):
    statement = make_statement()
    response = client.post(f"/s/{statement.slug}/embed", headers={
        "Origin": "https://partner.example", "Sec-Fetch-Site": "cross-site"}, data={
        "name": "Olena", "email": "olena@example.org", "consent": "y",
        "form_token": client.form_token()})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_closed_statement_widget_says_so_and_offers_no_signing(client, make_statement):
    statement = make_statement(status=StatementStatus.closed)
    html = client.get(f"/s/{statement.slug}/embed").get_data(as_text=True)
    assert "closed to new signatures" in html
    assert "<form" not in html


def test_statement_page_tells_link_previews_its_title_and_picture(client, make_statement):
    statement = make_statement(title="A free and united Ukraine",
                               preamble="We stand with **Ukraine**.")
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert '<meta property="og:title" content="A free and united Ukraine">' in html
    assert '<meta property="og:description" content="We stand with Ukraine.">' in html
    assert f'<meta property="og:image" content="http://localhost/s/{statement.slug}/card.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html


def test_the_dashboard_gives_the_code_to_embed_a_published_statement(
    client, make_statement, logged_in
):
    logged_in(Role.editor)
    statement = make_statement(title='The "united" Ukraine')
    html = client.get(f"/dashboard/statements/{statement.id}").get_data(as_text=True)
    assert "Code for partner sites" in html
    # The code is shown as text, with the title's quote escaped inside the attribute.
    assert (f"&lt;iframe src=&#34;http://localhost/s/{statement.slug}/embed&#34; "
            "title=&#34;The &amp;#34;united&amp;#34; Ukraine&#34;") in html
    assert ("&lt;script src=&#34;http://localhost/static/js/embed-resize.js&#34; async&gt;"
            in html)


def test_event_page_tells_link_previews_its_title_and_picture(client, make_campaign):
    campaign = make_campaign()
    event = Event(campaign_id=campaign.id, slug="launch", title="Launch meeting",
                  description="Hosted by an MP, with two speakers.",
                  starts_at=utcnow() + timedelta(days=3), status=EventStatus.published)
    db.session.add(event)
    db.session.commit()
    html = client.get("/e/launch").get_data(as_text=True)
    assert '<meta property="og:title" content="Launch meeting">' in html
    assert '<meta property="og:image" content="http://localhost/e/launch/card.png">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
