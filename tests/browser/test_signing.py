"""A signatory reads the statement and signs it, on a phone, on a desktop, and by keyboard alone."""
import re

import pytest
from playwright.sync_api import expect

from campaign.extensions import db
from campaign.statements.models import StatementStatus
from tests.browser.conftest import (
    assert_accessible, focus_is_visible, latest_email, link_in, no_sideways_scroll, screenshot,
)

pytestmark = pytest.mark.browser


def fill_in_signature(page, name: str, email: str, affiliation: str = ""):
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Affiliation", exact=True).fill(affiliation)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Country", exact=True).select_option(label="United Kingdom")
    page.get_by_label("Show my name publicly").check()
    page.get_by_role("checkbox", name=re.compile("^I agree")).check()


def listed(page):
    """The list of signatories (the newest few are also named beside the form)."""
    return page.get_by_role("region", name="Signatories")


def confirm_by_email(page, live_server, email: str):
    live_server.run_mail_sender()
    page.goto(link_in(latest_email(email), r"/confirm/[^/]+$"))
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signature is confirmed")


def test_a_signatory_signs_on_a_phone_and_sees_their_name_listed(demo, live_server, phone):
    page = phone
    page.goto(live_server(f"/s/{demo.slug}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("FREE AND UNITED UKRAINE")
    expect(page.locator("#count")).to_have_text("18 signatures")
    expect(page.locator("ol.demands > li")).to_have_count(7)
    expect(page.locator("#count")).to_have_attribute("aria-live", "polite")
    expect(page.get_by_text("Mick Antoniw")).to_be_visible()
    assert_accessible(page, "empty form")
    screenshot(page, "statement")
    no_sideways_scroll(page)

    fill_in_signature(page, "Halyna Kovalenko", "halyna@example.org", "Nurse, Lviv")
    page.get_by_role("button", name="Sign", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your email and press the button in it")
    expect(page.get_by_text("Your signature counts after that.")).to_be_visible()
    assert_accessible(page, "thank-you")
    screenshot(page, "thanks")

    confirm_by_email(page, live_server, "halyna@example.org")
    assert_accessible(page, "confirmed")
    screenshot(page, "confirmed")
    page.get_by_role("link", name="Go to the statement").click()
    expect(page.locator("#count")).to_have_text("19 signatures")
    expect(listed(page).get_by_text("Halyna Kovalenko")).to_be_visible()


def test_a_signatory_signs_on_a_desktop_screen(make_statement, live_server, desktop):
    statement = make_statement(requires_confirmation=False)
    page = desktop
    page.goto(live_server(f"/s/{statement.slug}"))
    screenshot(page, "statement-short")
    fill_in_signature(page, "Taras Shevchuk", "taras@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing")
    page.get_by_role("link", name="Back to the statement").click()
    expect(page.locator("#count")).to_have_text("1 signature")
    expect(listed(page).get_by_text("Taras Shevchuk")).to_be_visible()


def tab_to(page, selector: str, most: int = 80):
    """Press Tab until the element matching `selector` has focus; each stop shows its focus."""
    target = page.locator(selector)
    for _ in range(most):
        page.keyboard.press("Tab")
        assert focus_is_visible(page), "focus is not visible on " + page.evaluate(
            "() => document.activeElement.outerHTML.slice(0, 120)")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_a_signatory_signs_with_the_keyboard_alone(make_statement, live_server, desktop):
    statement = make_statement(requires_confirmation=False)
    page = desktop
    page.goto(live_server(f"/s/{statement.slug}"))

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    assert focus_is_visible(page)
    page.keyboard.press("Enter")

    tab_to(page, "#name")
    page.keyboard.type("Olha Bondar")
    tab_to(page, "#show_publicly")
    page.keyboard.press("Space")
    tab_to(page, "#email")
    page.keyboard.type("olha@example.org")
    tab_to(page, "#country")
    page.keyboard.type("Ukraine")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "button[type=submit]:text-is('Sign')")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing")
    db.session.rollback()
    page.goto(live_server(f"/s/{statement.slug}"))
    expect(listed(page).get_by_text("Olha Bondar")).to_be_visible()


def test_a_form_sent_with_mistakes_moves_focus_to_the_list_of_problems(
    make_statement, live_server, phone
):
    statement = make_statement()
    page = phone
    page.goto(live_server(f"/s/{statement.slug}"))
    page.get_by_label("Email", exact=True).fill("not an address")
    page.get_by_role("button", name="Sign", exact=True).click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter your name.")
    expect(page.locator("#name")).to_have_attribute("aria-invalid", "true")
    assert "name-error" in page.locator("#name").get_attribute("aria-describedby")
    # The problem is told in words, not by colour alone.
    expect(page.locator("#name-error")).to_contain_text("Error: Enter your name.")
    assert_accessible(page, "form with errors")
    screenshot(page, "statement-errors")

    summary.get_by_role("link", name="Enter your name.").click()
    expect(page.locator("#name")).to_be_focused()


def test_the_form_works_without_javascript(make_statement, live_server, open_page):
    statement = make_statement(requires_confirmation=False)
    page = open_page("phone", java_script_enabled=False)
    page.goto(live_server(f"/s/{statement.slug}"))
    page.get_by_role("button", name="Sign", exact=True).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link").first.get_attribute("href") == "#name"

    fill_in_signature(page, "Iryna Melnyk", "iryna@example.org")
    page.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for signing")


def test_a_closed_statement_can_be_read_but_not_signed(make_statement, make_signature,
                                                      live_server, phone):
    statement = make_statement(status=StatementStatus.closed)
    make_signature(statement, name="Mick Whelan", affiliation="ASLEF", featured=True,
                   featured_position=1)
    page = phone
    page.goto(live_server(f"/s/{statement.slug}"))
    expect(page.get_by_text("Signing has closed.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign", exact=True)).to_have_count(0)
    assert_accessible(page, "closed statement")
    screenshot(page, "statement-closed")


def test_the_count_on_an_open_page_rises_and_is_announced_politely(
    make_statement, make_signature, live_server, phone
):
    from campaign.signatures import counts

    statement = make_statement()
    page = phone
    page.clock.install()
    page.goto(live_server(f"/s/{statement.slug}"))
    expect(page.locator("#count")).to_have_text("0 signatures")
    counts.adjust(statement.id, 2, 2)
    db.session.commit()
    page.clock.run_for(31_000)
    expect(page.locator("#count")).to_have_text("2 signatures")


def test_the_statement_reads_well_at_360_pixels(demo, live_server, open_page):
    page = open_page("narrow")
    page.goto(live_server(f"/s/{demo.slug}"))
    no_sideways_scroll(page)
    font_size = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert font_size >= 16
    screenshot(page, "statement")
    assert re.search(r"\d", page.locator("#count").inner_text())
