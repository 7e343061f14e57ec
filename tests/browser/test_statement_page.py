"""The statement page as a reader first sees it: on a desktop the form is there beside the text
and stays there while they read; on a phone the count and a Sign link are under the title."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible, assert_in_first_view, no_sideways_scroll, screenshot,
)

pytestmark = pytest.mark.browser


def test_on_a_desktop_the_form_is_beside_the_text_and_stays_in_view(demo, live_server, desktop):
    page = desktop
    page.goto(live_server(f"/s/{demo.slug}"))
    name = page.get_by_label("Name", exact=True)
    sign = page.get_by_role("button", name="Sign", exact=True)
    assert_in_first_view(page, name, "the Name field")
    assert_in_first_view(page, sign, "the Sign button")
    assert_in_first_view(page, page.locator("#count"), "the count")
    expect(page.get_by_label("Next milestone: 100")).to_have_attribute("value", "18")
    text = page.locator("article.statement").bounding_box()
    assert name.bounding_box()["x"] > text["x"] + text["width"], "the form is beside the text"
    expect(page.get_by_role("link", name="Sign", exact=True)).to_be_hidden()
    no_sideways_scroll(page)
    assert_accessible(page, "statement page, desktop")
    screenshot(page, "statement-first-view", full_page=False)

    page.get_by_role("heading", name="Signatories", exact=True).scroll_into_view_if_needed()
    assert_in_first_view(page, sign, "the Sign button, after scrolling to the signatories")
    assert_in_first_view(page, page.locator("#count"), "the count, after scrolling")


def test_on_a_phone_the_count_and_a_sign_link_come_first(demo, live_server, phone):
    page = phone
    page.goto(live_server(f"/s/{demo.slug}"))
    assert_in_first_view(page, page.locator("#count"), "the count")
    assert_in_first_view(page, page.locator("#goal-progress"), "the progress bar")
    jump = page.get_by_role("link", name="Sign", exact=True)
    assert_in_first_view(page, jump, "the Sign link")
    expect(page.get_by_text("18 signed in the last 24 hours")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(page, "statement page, phone")
    screenshot(page, "statement-first-view", full_page=False)

    jump.click()
    page.wait_for_url(live_server(f"/s/{demo.slug}#sign"))
    expect(page.get_by_label("Name", exact=True)).to_be_in_viewport()
    # On a phone the text comes first, then the form, then the launch meeting.
    demands, form, meeting = (page.locator(selector).bounding_box()["y"] for selector in (
        "ol.demands", "form.sign-form", ".launch-event"))
    assert demands < form < meeting


def test_the_newest_signatories_are_named_near_the_form(demo, live_server, phone):
    page = phone
    page.goto(live_server(f"/s/{demo.slug}"))
    latest = page.locator("#sign .latest > li")
    expect(latest).to_have_count(5)
    expect(latest.first).to_contain_text("Mark Serwotka, General Secretary, PCSU")


def test_the_display_choices_are_one_question_left_unticked(demo, live_server, phone):
    page = phone
    page.goto(live_server(f"/s/{demo.slug}"))
    question = page.get_by_role("group", name="How should your signature appear?")
    for box in ("I am signing in a personal capacity", "Show my name publicly"):
        expect(question.get_by_label(box)).not_to_be_checked()
    page.get_by_text("Add a comment for the organisers").click()
    expect(page.get_by_label("Comment", exact=True)).to_be_visible()
