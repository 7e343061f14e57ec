"""The home page wears the campaign's identity and puts its featured statement, with its Sign
button, in the first screenful on a phone and on a desktop."""
import io

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.home.demo import ACCENT_COLOUR, TAGLINE
from campaign.home.service import Identity, save_settings
from tests.browser.conftest import (
    assert_accessible, assert_in_first_view, log_in, no_sideways_scroll, screenshot,
)

pytestmark = pytest.mark.browser

#: The demo's accent colour as the browser reports it.
ACCENT_RGB = "rgb(0, 87, 183)"


def emblem_png() -> bytes:
    """A small round emblem in the colours of Ukraine's flag, on a transparent ground."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.pieslice((8, 8, 232, 232), 180, 360, fill=(0, 87, 183, 255))
    draw.pieslice((8, 8, 232, 232), 0, 180, fill=(255, 213, 0, 255))
    data = io.BytesIO()
    image.save(data, format="PNG")
    return data.getvalue()


@pytest.fixture
def charter(demo):
    """The demo charter with a goal, and the demo's identity with a logo."""
    demo.signature_goal = 1000
    db.session.commit()
    save_settings(Identity(name=demo.campaign.name, tagline=TAGLINE, accent_colour=ACCENT_COLOUR),
                  emblem_png())
    return demo


def assert_sign_button_in_first_view(page):
    button = page.get_by_role("link", name="Sign", exact=True)
    assert_in_first_view(page, button, "the Sign button")
    assert button.bounding_box()["height"] >= 44, "the Sign button is a big enough target"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_featured_statement_and_its_sign_button_are_in_the_first_view(
        charter, live_server, open_page, size):
    page = open_page(size)
    page.goto(live_server("/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ukraine Solidarity Campaign")
    expect(page.get_by_text(TAGLINE)).to_be_visible()
    logo = page.locator(".site-header__logo")
    expect(logo).to_be_visible()
    assert logo.evaluate("image => image.complete && image.naturalWidth > 0")
    header_colour = page.locator(".site-header").evaluate(
        "header => getComputedStyle(header).backgroundColor")
    assert header_colour == ACCENT_RGB

    featured = page.get_by_role("region", name=charter.title)
    expect(featured.get_by_text("18 signatures")).to_be_visible()
    expect(featured.get_by_label("Our goal: 1,000")).to_have_attribute("value", "18")
    assert_sign_button_in_first_view(page)
    no_sideways_scroll(page)
    assert_accessible(page, f"home page, {size}")
    screenshot(page, "home-identity")

    page.get_by_role("link", name="Sign", exact=True).click()
    page.wait_for_url(live_server(f"/s/{charter.slug}#sign"))
    expect(page.get_by_label("Name", exact=True)).to_be_in_viewport()


def test_an_owner_gives_the_site_its_colour_and_logo(demo, live_server, desktop, tmp_path):
    page = desktop
    log_in(page, live_server, "organizer@example.org")
    page.get_by_role("link", name="Site settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Site settings")

    page.get_by_label("Accent colour").fill("#ffd500")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator(".error-message")).to_contain_text(
        "White text on #ffd500 has a contrast of only 1.4:1")
    assert_accessible(page, "settings with a colour too light")
    screenshot(page, "dashboard-settings-errors")

    logo = tmp_path / "emblem.png"
    logo.write_bytes(emblem_png())
    page.get_by_label("Accent colour").fill("#8b0000")
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("The settings are saved")).to_be_visible()
    expect(page.get_by_role("img", name="The logo now shown at the top of every page")
           ).to_be_visible()
    screenshot(page, "dashboard-settings")

    page.goto(live_server("/"))
    assert page.locator(".site-header").evaluate(
        "header => getComputedStyle(header).backgroundColor") == "rgb(139, 0, 0)"
    assert page.locator(".button--large").evaluate(
        "button => getComputedStyle(button).backgroundColor") == "rgb(139, 0, 0)"
    expect(page.locator(".site-header__logo")).to_be_visible()
