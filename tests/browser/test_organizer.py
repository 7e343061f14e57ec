"""An organizer logs in, writes and publishes a statement, curates its signatories, exports them."""
import csv

import pytest
from playwright.sync_api import expect

from campaign.organizers.models import Role
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


def demand_headings(page):
    return page.locator(".demand-editor__item .demand__heading")


def test_an_organizer_writes_publishes_and_reorders_a_statement(
    make_organizer, live_server, desktop
):
    organizer = make_organizer(Role.editor)
    page = desktop
    page.goto(live_server("/login"))
    assert_accessible(page, "login form")
    screenshot(page, "login")
    log_in(page, live_server, organizer.email)
    assert_accessible(page, "empty dashboard")

    page.get_by_role("link", name="Create a statement").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    assert_accessible(page, "new statement with errors")

    page.get_by_label("Title").fill("Solidarity with Ukrainian miners")
    page.get_by_label("Preamble").fill("We, the undersigned, support the miners of Ukraine.")
    page.get_by_label("Closing text").fill("Add your name.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Solidarity with Ukrainian miners")

    added = []
    for heading, body in (("Wages", "Pay wages on time."), ("Safety", "Make every pit safe."),
                          ("Unions", "Respect the right to organise.")):
        page.get_by_label("Heading").fill(heading)
        page.get_by_label("Text", exact=True).fill(body)
        page.get_by_role("button", name="Add demand").click()
        added.append(heading)
        # Each demand is a form post and a reload: wait for it before writing the next.
        expect(demand_headings(page)).to_have_text(added)

    unions = page.locator(".demand-editor__item").filter(has_text="Unions")
    unions.get_by_role("button", name="Move up").click()
    expect(demand_headings(page)).to_have_text(["Wages", "Unions", "Safety"])
    assert_accessible(page, "draft with demands")
    screenshot(page, "dashboard-statement")

    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Close signing")).to_be_visible()
    expect(page.get_by_label("Code for partner sites")).to_contain_text("/embed")
    assert_accessible(page, "published statement")

    page.get_by_role("link", name="View the public page").click()
    expect(page.locator("ol.demands .demand__heading")).to_have_text(["Wages", "Unions", "Safety"])


def test_an_organizer_features_signatories_and_downloads_the_csv(
    make_organizer, make_statement, make_signature, live_server, desktop
):
    organizer = make_organizer(Role.editor)
    statement = make_statement(title="A free and united Ukraine")
    for name, affiliation in (("John McDonnell", "Labour MP for Hayes and Harlington"),
                              ("Clive Lewis", "Labour MP for Norwich South"),
                              ("=HYPERLINK(\"http://x\")", "Spreadsheet trick")):
        make_signature(statement, name=name, affiliation=affiliation)
    page = desktop
    log_in(page, live_server, organizer.email)
    page.goto(live_server(f"/dashboard/statements/{statement.id}"))
    page.get_by_role("link", name="Signatories and moderation").click()
    assert_accessible(page, "signatories list")
    screenshot(page, "dashboard-signatories")

    for name in ("Clive Lewis", "John McDonnell"):
        row = page.get_by_role("row").filter(has_text=name)
        row.get_by_text("Actions").click()
        row.get_by_role("button", name="Feature").click()
        expect(page.get_by_text("Added to the curated signatories.")).to_be_visible()

    page.goto(live_server(f"/s/{statement.slug}"))
    curated = page.locator(".signatories--curated .signatory__name")
    expect(curated).to_have_text(["Clive Lewis", "John McDonnell"])

    page.go_back()
    page.get_by_text("Export as CSV").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    # Curated first in their order, then the rest; a formula is neutralised.
    assert [row["name"] for row in rows] == [
        "Clive Lewis", "John McDonnell", "'=HYPERLINK(\"http://x\")"
    ]
    assert rows[0]["email"].endswith("@example.org")
