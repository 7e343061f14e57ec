"""After signing, a person passes the statement on: share buttons with their icons, and a
copy-link button where the browser can copy (the link itself to copy where it cannot)."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, no_sideways_scroll, screenshot
from tests.browser.test_signing import fill_in_signature

pytestmark = pytest.mark.browser

SHARE_BUTTONS = ("WhatsApp", "Telegram", "Facebook", "X", "Bluesky", "Email")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_signatory_shares_the_statement_with_the_buttons_after_signing(
    make_statement, live_server, open_page, size
):
    statement = make_statement(requires_confirmation=False, title="Stop the war")
    page = open_page(size, permissions=["clipboard-read", "clipboard-write"])
    page.goto(live_server(f"/s/{statement.slug}"))
    fill_in_signature(page, "Taras Shevchuk", "taras@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing")
    expect(page.get_by_text("Your signature counts.")).to_be_visible()
    for label in SHARE_BUTTONS:
        button = page.get_by_role("link", name=label, exact=False).filter(has=page.locator("img"))
        expect(button).to_be_visible()
        assert button.locator("img").evaluate("icon => icon.complete && icon.naturalWidth > 0"), (
            f"the {label} icon did not load")
    bluesky = page.get_by_role("link", name="Bluesky")
    assert bluesky.get_attribute("href").startswith(
        "https://bsky.app/intent/compose?text=Stop+the+war+")

    copy = page.get_by_role("button", name="Copy link")
    expect(copy).to_be_visible()
    assert copy.locator("img").evaluate("icon => icon.complete && icon.naturalWidth > 0")
    copy.click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == live_server(f"/s/{statement.slug}")
    no_sideways_scroll(page)
    assert_accessible(page, f"thank-you page, {size}")
    screenshot(page, "thanks-shared")


def test_without_javascript_the_link_is_there_to_copy_by_hand(make_statement, live_server,
                                                              open_page):
    statement = make_statement(requires_confirmation=True)
    page = open_page("phone", java_script_enabled=False)
    page.goto(live_server(f"/s/{statement.slug}/thanks"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your email and press the button in it")
    expect(page.get_by_text("Your signature counts after that.")).to_be_visible()
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(page.get_by_label("Link to the statement")).to_have_value(
        live_server(f"/s/{statement.slug}"))
    for label in SHARE_BUTTONS:
        expect(page.get_by_role("link", name=label).filter(has=page.locator("img"))).to_be_visible()
