"""An organizer makes a tracked link for a partner; someone follows it from the partner's site
and signs; the statistics page shows it in its charts, under the Content-Security-Policy."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.signatures.models import Signature
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = pytest.mark.browser


def test_a_partners_link_brings_a_signature_that_the_statistics_show(
    make_organizer, make_statement, live_server, open_page
):
    statement = make_statement(requires_confirmation=False, signature_goal=100)
    organizer = make_organizer(Role.editor)
    page = open_page("desktop")
    log_in(page, live_server, organizer.email)
    page.goto(live_server(f"/dashboard/statements/{statement.id}/statistics"))
    page.get_by_label("Code").fill("unite-leeds")
    page.get_by_label("Who it is for").fill("Unite, Leeds branch")
    page.get_by_role("button", name="Make the link").click()
    link = page.get_by_label("Link for unite-leeds")
    expect(link).to_have_value(live_server(f"/s/{statement.slug}?source=unite-leeds"))
    expect(page.get_by_role("img", name="QR code of the link for unite-leeds")).to_be_visible()

    visitor = open_page("phone")
    visitor.goto(live_server(f"/s/{statement.slug}?source=unite-leeds"),
                 referer="https://unite.example.org/leeds/news?id=7")
    visitor.get_by_label("Name", exact=True).fill("Olena Kovalenko")
    visitor.get_by_label("Email", exact=True).fill("olena@example.org")
    visitor.get_by_label("Country").select_option("UA")
    visitor.get_by_label("I agree").check()
    visitor.get_by_role("button", name="Sign", exact=True).click()
    expect(visitor.get_by_role("heading", name="Thank you for signing")).to_be_visible()
    signature = db.session.scalars(select(Signature)).one()
    assert (signature.source, signature.referrer_domain) == ("unite-leeds", "unite.example.org")

    page.reload()
    for name in ("Signatures counted per day", "Signatures counted so far",
                 "Signatures counted by country"):
        expect(page.get_by_role("img", name=name)).to_be_visible()
    expect(page.get_by_role("row", name="Ukraine 1")).to_be_visible()
    assert_accessible(page, "statistics page")
    screenshot(page, "dashboard-statistics")
