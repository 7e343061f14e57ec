"""A partner site shows the widget in a frame; every other page refuses to be framed."""
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from sqlalchemy import select

from campaign.extensions import db
from campaign.sharing.service import embed_code
from campaign.signatures import counts
from campaign.signatures.models import Signature
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser




@pytest.fixture
def partner_site():
    """Another site on this machine with a page framing a URL and pasting the dashboard's code.

    Served as `localhost` while the app is `127.0.0.1`: another site, not only another origin,
    so the browser treats the frame as third-party. partner_site(url, code=None) -> the page.
    """
    framed = {}

    def page(environ, start_response):
        frame = framed["code"] or (f'<iframe id="widget" src="{framed["url"]}" title="Statement" '
                                   'width="100%" height="240"></iframe>')
        html = ('<!doctype html><html lang="en"><meta name="viewport" content="width=device-width">'
                f'<title>Partner</title><h1>Our partners</h1>{frame}</html>')
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    server = make_server("127.0.0.1", 0, page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def frame(url: str, code: str | None = None) -> str:
        framed.update(url=url, code=code)
        return f"http://localhost:{server.port}/"

    yield frame
    server.shutdown()
    thread.join(timeout=10)


def test_a_partner_sites_visitor_signs_in_the_embedded_form_with_third_party_cookies_blocked(
    make_statement, live_server, partner_site, phone
):
    statement = make_statement(title="A free and united Ukraine", requires_confirmation=True)
    counts.adjust(statement.id, 1234, 1000)
    db.session.commit()
    code = embed_code(statement).replace("http://localhost", live_server(""))
    page = phone
    page.goto(partner_site(live_server(f"/s/{statement.slug}/embed"), code))
    frame = page.frame_locator("iframe[data-campaign-embed]")
    expect(frame.get_by_role("heading", level=1)).to_contain_text("A free and united Ukraine")
    expect(frame.get_by_text("1,234 signatures")).to_be_visible()
    # The frame told the partner's page its height, through the script in the snippet.
    page.wait_for_function("document.querySelector('iframe').style.height !== ''")
    frame_height = page.evaluate("document.querySelector('iframe').getBoundingClientRect().height")
    assert frame_height > 400
    screenshot(page, "embed-form-on-partner-site")
    assert_accessible(page.frame(url=live_server(f"/s/{statement.slug}/embed")), "form in a frame")

    frame.get_by_label("Name", exact=True).fill("Olena Kovalenko")
    frame.get_by_label("Affiliation", exact=True).fill("Kyiv School 5")
    frame.get_by_label("Email", exact=True).fill("olena@example.org")
    frame.get_by_label("Country", exact=True).select_option("UA")
    frame.get_by_label("I agree").check()
    frame.get_by_role("button", name="Sign", exact=True).click()

    expect(frame.get_by_role("heading", name="Thank you for signing")).to_be_visible()
    assert page.context.cookies() == []
    db.session.expire_all()
    [signature] = db.session.scalars(select(Signature)).all()
    assert signature.name == "Olena Kovalenko" and signature.country == "UA"


def test_the_statement_page_itself_refuses_to_be_framed(
    make_statement, live_server, partner_site, phone
):
    statement = make_statement()
    page = phone
    page.expect_console_error("frame-ancestors")
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(partner_site(live_server(f"/s/{statement.slug}")))
    framed = page.frame_locator("#widget")
    expect(framed.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
