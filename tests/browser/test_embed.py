"""A partner site shows the widget in a frame; every other page refuses to be framed."""
import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from campaign.extensions import db
from campaign.signatures import counts
from tests.browser.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.browser




@pytest.fixture
def partner_site():
    """Another site on this machine (its own port, so another origin) with a page framing a URL.

    partner_site(url) -> the address of that page.
    """
    framed = {}

    def page(environ, start_response):
        html = ('<!doctype html><html lang="en"><meta name="viewport" content="width=device-width">'
                '<title>Partner</title><h1>Our partners</h1>'
                f'<iframe id="widget" src="{framed["url"]}" title="Statement" width="100%" '
                'height="240"></iframe></html>')
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    server = make_server("127.0.0.1", 0, page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def frame(url: str) -> str:
        framed["url"] = url
        return f"http://127.0.0.1:{server.port}/"

    yield frame
    server.shutdown()
    thread.join(timeout=10)


def test_a_partner_site_shows_the_widget_and_its_sign_button_opens_the_statement(
    make_statement, live_server, partner_site, phone
):
    statement = make_statement(title="A free and united Ukraine")
    counts.adjust(statement.id, 1234, 1000)
    db.session.commit()
    page = phone
    page.goto(partner_site(live_server(f"/s/{statement.slug}/embed")))
    widget = page.frame_locator("#widget")
    expect(widget.get_by_role("heading", level=1)).to_have_text("A free and united Ukraine")
    expect(widget.get_by_text("1,234 signatures")).to_be_visible()
    screenshot(page, "embed-on-partner-site")
    assert_accessible(page.frame(url=live_server(f"/s/{statement.slug}/embed")), "widget in a frame")

    with page.expect_popup() as popup_info:
        widget.get_by_role("link", name="Sign the statement").click()
    statement_page = popup_info.value
    statement_page.wait_for_load_state()
    assert statement_page.url == live_server(f"/s/{statement.slug}#sign")
    expect(statement_page.get_by_role("button", name="Sign", exact=True)).to_be_visible()


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
