"""The statement page's endorsing organisations and the public endorsement form, on a phone
and a desktop; an organizer enters paper signatures, fixes the bad line, then adds them."""
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from campaign.common.logo import logo_from_upload
from campaign.common.time import utcnow
from campaign.endorsements.models import Endorsement, EndorsementStatus, OrganisationKind
from campaign.extensions import db
from campaign.organizers.models import Role
from tests.browser.conftest import assert_accessible, log_in, no_sideways_scroll, screenshot

pytestmark = pytest.mark.browser

ORGANISATIONS = [
    ("Unite the Union", OrganisationKind.trade_union, "navy"),
    ("Public and Commercial Services Union", OrganisationKind.trade_union, "crimson"),
    ("ASLEF", OrganisationKind.trade_union, None),
    ("Ukraine Solidarity Campaign Scotland", OrganisationKind.community_group, "gold"),
    ("Trades Union Congress of the North West and Cumbria (Regional Council)",
     OrganisationKind.trade_union, None),
    ("Students for Ukraine", OrganisationKind.student_group, "teal"),
]


def _logo(colour: str):
    picture = io.BytesIO()
    Image.new("RGB", (240, 120), colour).save(picture, format="PNG")
    return logo_from_upload(picture.getvalue())


@pytest.fixture
def endorsed(make_statement):
    statement = make_statement()
    for name, kind, colour in ORGANISATIONS:
        logo = _logo(colour) if colour else None
        db.session.add(Endorsement(
            statement_id=statement.id, name=name, kind=kind,
            website="https://example.org", status=EndorsementStatus.approved,
            approved_at=utcnow(), logo_png=logo and logo.png, logo_digest=logo and logo.digest,
        ))
    db.session.commit()
    return statement


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_the_endorsing_organisations_fit_a_phone_and_a_desktop(endorsed, live_server, open_page,
                                                               size):
    page = open_page(size)
    page.goto(live_server(f"/s/{endorsed.slug}"))
    section = page.locator("section.endorsements")
    expect(section.get_by_text("Endorsed by 6 organisations")).to_be_visible()
    expect(section.locator("img.endorsement__logo")).to_have_count(4)
    section.scroll_into_view_if_needed()
    page.wait_for_function("""() => [...document.querySelectorAll('img.endorsement__logo')]
        .every(img => img.complete && img.naturalWidth > 0)""")
    no_sideways_scroll(page)
    assert_accessible(page, f"statement page with endorsements, {size}")
    screenshot(page, "statement-endorsements", full_page=False)

    section.get_by_role("link", name="Endorse this statement on behalf of an organisation").click()
    page.get_by_label("Organisation", exact=True).fill("Fire Brigades Union")
    page.get_by_label("Kind of organisation").select_option(label="Trade union")
    page.get_by_label("Contact email").fill("office@fbu.example.org")
    no_sideways_scroll(page)
    assert_accessible(page, f"endorsement form, {size}")
    screenshot(page, "endorse-form")
    page.get_by_role("button", name="Endorse").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Tick the box")
    page.get_by_label("I may speak for this organisation").check()
    page.get_by_role("button", name="Endorse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for endorsing")


def test_an_organizer_fixes_a_bad_paper_line_then_adds_the_signatures(
        make_statement, make_organizer, live_server, desktop):
    statement = make_statement()
    organizer = make_organizer(Role.editor)
    page = desktop
    log_in(page, live_server, organizer.email)
    page.goto(live_server(f"/dashboard/statements/{statement.id}/signatures"))
    page.get_by_role("link", name="Add signatures collected on paper").click()
    lines = page.get_by_label("Signatories, one a line")
    lines.fill("Taras Shevchenko, Kyiv Teachers' Union\n=cmd|' /C calc'!A0\nIvan Franko (pc)")
    page.get_by_label("Date collected").fill("2026-11-20")
    page.get_by_role("button", name="Check the lines").click()
    expect(page.get_by_text("1 line has a problem")).to_be_visible()
    expect(page.get_by_role("button", name="Add 3 signatures")).to_have_count(0)
    no_sideways_scroll(page)
    assert_accessible(page, "paper signatures with a problem")
    screenshot(page, "paper-preview-problem")

    page.get_by_label("Signatories, one a line").fill(
        "Taras Shevchenko, Kyiv Teachers' Union\nIvan Franko (pc)")
    page.get_by_role("button", name="Check the lines").click()
    expect(page.get_by_text("All 2 signatures are ready to be added.")).to_be_visible()
    screenshot(page, "paper-preview-ready")
    page.get_by_role("button", name="Add 2 signatures").click()
    expect(page.get_by_text("Added 2 signatures collected on paper.")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Ivan Franko personal capacity")).to_be_visible()
