"""The dashboard on a phone (390 × 844) and a desktop (1280 × 900): one layout on every page,
its menu marking where you are and folding away on a phone, nothing scrolling sideways, each
table row a card of labelled lines on a phone and the signatories table whole on a desktop; the
door, the audit log and the changes between a statement's versions as people read them."""
from collections import Counter

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.events.models import Registration
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.signatures.models import SignatureStatus
from campaign.statements.service import edit_demand, update_statement
from tests.browser.conftest import SIZES, assert_accessible, log_in, screenshot
from tests.pages import html_pages

pytestmark = pytest.mark.browser

#: How much wider the page is than the window, and what the menu marks as current. A phone
#: zooms out to show a page wider than its screen, and window.innerWidth grows with it, so the
#: page is measured against the width it was laid out for (the root's clientWidth) as well.
_MEASURE = """() => ({
    overflow: document.documentElement.scrollWidth
        - Math.min(window.innerWidth, document.documentElement.clientWidth),
    current: Array.from(document.querySelectorAll('.dashboard-nav [aria-current]'))
        .map(link => link.textContent.trim()),
    menus: document.querySelectorAll('.dashboard-menu').length,
})"""


def test_every_dashboard_page_fits_a_phone_and_a_desktop_and_its_menu_marks_where_you_are(
    app, client, scene, make_organizer, login, live_server, open_page
):
    owner = make_organizer(Role.owner)
    login(owner)
    pages = html_pages(app, client, scene, dashboard=True)
    assert {"dashboard.index", "dashboard.signatures", "dashboard.event_checkin",
            "dashboard.event_registrations", "dashboard.outbox", "dashboard.audit",
            "dashboard.organizers", "dashboard.privacy"} <= {endpoint for endpoint, _ in pages}
    page = open_page("phone")
    log_in(page, live_server, owner.email)
    problems = []
    for size in ("phone", "desktop"):
        page.set_viewport_size(SIZES[size]["viewport"])
        for endpoint, path in pages:
            page.goto(live_server(path))
            found = page.evaluate(_MEASURE)
            if found["overflow"] > 0:
                problems.append(f"{size} {path}: scrolls sideways by {found['overflow']} px")
            if found["menus"] != 1 or len(found["current"]) != 1:
                problems.append(f"{size} {path}: the menu marks {found['current']}")
    assert not problems, "\n".join(problems)


def test_the_menu_folds_into_a_disclosure_on_a_phone_that_opens_without_a_script(
    scene, make_organizer, live_server, open_page
):
    owner = make_organizer(Role.owner)
    phone = open_page("phone", java_script_enabled=False)
    log_in(phone, live_server, owner.email)
    phone.goto(live_server(f"/dashboard/events/{scene['event'].id}/tickets"))
    events = phone.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Events")
    expect(events).to_be_hidden()
    phone.get_by_text("Menu", exact=False).first.click()
    expect(events).to_be_visible()
    expect(events).to_have_attribute("aria-current", "true")
    screenshot(phone, "dashboard-menu-open")

    desktop = open_page("desktop", java_script_enabled=False)
    log_in(desktop, live_server, owner.email)
    desktop.goto(live_server("/dashboard/events"))
    menu = desktop.get_by_role("navigation", name="Dashboard")
    expect(menu.get_by_role("link", name="Events")).to_be_visible()
    expect(menu.get_by_role("link", name="Events")).to_have_attribute("aria-current", "page")
    expect(menu.get_by_role("link", name="Audit log")).to_be_visible()
    expect(desktop.locator(".dashboard-menu__toggle")).to_be_hidden()

    scripted = open_page("phone")
    log_in(scripted, live_server, owner.email)
    scripted.get_by_text("Menu", exact=False).first.click()
    assert_accessible(scripted, "menu open")


def _long_signatories(make_statement, make_signature):
    """A statement signed by people with long names, affiliations and addresses."""
    statement = make_statement(title="A free and united Ukraine")
    make_signature(statement, name="Mick Whelan", affiliation="General Secretary, ASLEF",
                   featured=True, featured_position=1, email=None)
    for number in range(12):
        make_signature(
            statement, name=f"Olena Kovalenko-Shevchenko {number}",
            affiliation="Deputy General Secretary, Confederation of Free Trade Unions of Ukraine",
            email=f"olena.kovalenko.shevchenko.{number}@trade-unions-of-ukraine.example.org",
            country="UA", comment="In solidarity with the miners of Kryvyi Rih." * 3,
            status=SignatureStatus.pending if number % 4 == 0 else SignatureStatus.confirmed,
            show_publicly=number % 3 != 0,
        )
    counts.reconcile(statement.id)
    return statement


def test_the_signatories_table_fits_a_desktop(
    make_statement, make_signature, make_organizer, live_server, open_page
):
    statement = _long_signatories(make_statement, make_signature)
    editor = make_organizer(Role.editor)
    url = live_server(f"/dashboard/statements/{statement.id}/signatures")

    desktop = open_page("desktop")
    log_in(desktop, live_server, editor.email)
    desktop.goto(url)
    table = desktop.locator(".table-wrap")
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth"), "fits at 1280 px"
    screenshot(desktop, "dashboard-signatories-wide")
    row = desktop.get_by_role("row").filter(has_text="Olena Kovalenko-Shevchenko 1").first
    row.get_by_text("Actions").click()
    row.get_by_role("button", name="Hide").click()
    expect(desktop.get_by_text("The signature is hidden")).to_be_visible()
    assert_accessible(desktop, "signatories")


#: Each row of the page's tables as it is drawn: whether it is a card (a bordered block), its
#: heading (the cell drawn first), and each other cell shown as [its label, its text].
_CARDS = """() => Array.from(document.querySelectorAll('.table-wrap tbody tr')).map(row => {
    const style = getComputedStyle(row);
    const cells = Array.from(row.children)
        .filter(cell => cell.getBoundingClientRect().width > 1)
        .sort((one, other) => one.getBoundingClientRect().top - other.getBoundingClientRect().top);
    const label = cell => getComputedStyle(cell, '::before').content.replace(/^"|"$/g, '');
    return {
        card: style.display !== 'table-row' && style.borderTopStyle === 'solid'
            && parseFloat(style.borderTopWidth) > 0,
        heading: cells[0].innerText.trim(),
        headingLabel: label(cells[0]),
        lines: cells.slice(1).map(cell => [label(cell), cell.innerText.trim()]),
    };
})"""

#: How far the widest table runs past its box (0 or less: no table scrolls in its box).
_TABLE_OVERFLOW = """() => Math.max(...Array.from(document.querySelectorAll('.table-wrap'))
    .map(box => box.scrollWidth - box.clientWidth))"""


def test_on_a_phone_each_table_row_is_a_card_of_labelled_lines_and_nothing_scrolls_sideways(
    make_statement, make_signature, make_organizer, live_server, phone
):
    statement = _long_signatories(make_statement, make_signature)
    log_in(phone, live_server, make_organizer(Role.editor).email)

    phone.goto(live_server("/dashboard"))
    rows = phone.evaluate(_CARDS)
    assert rows == [{
        "card": True, "heading": "A free and united Ukraine", "headingLabel": "none",
        "lines": [["Status: ", "Published"], ["Signatures: ", "10"],
                  ["Shown publicly: ", "7"], ["Created: ", rows[0]["lines"][3][1]]],
    }]
    assert phone.evaluate(_MEASURE)["overflow"] <= 0 and phone.evaluate(_TABLE_OVERFLOW) <= 0
    expect(phone.get_by_role("columnheader", name="Shown publicly")).to_have_count(1)
    expect(phone.get_by_role("cell", name="Published")).to_be_visible()
    assert_accessible(phone, "statements as cards")
    screenshot(phone, "dashboard-statements-cards")

    phone.goto(live_server(f"/dashboard/statements/{statement.id}/signatures"))
    rows = phone.evaluate(_CARDS)
    assert len(rows) == 13 and all(row["card"] for row in rows)
    olena = next(row for row in rows if row["heading"].startswith("Olena Kovalenko-Shevchenko 1\n"))
    assert olena["headingLabel"] == "none"
    assert [label for label, _ in olena["lines"]] == [
        "Affiliation: ", "Email: ", "Country: ", "Status: ", "Signed: ", "none"]
    assert olena["lines"][1][1] == "olena.kovalenko.shevchenko.1@trade-unions-of-ukraine.example.org"
    assert olena["lines"][-1][1].startswith("Actions")
    mick = next(row for row in rows if row["heading"].startswith("Mick Whelan"))
    assert "Email: " not in [label for label, _ in mick["lines"]], "an empty cell is not shown"
    assert phone.evaluate(_MEASURE)["overflow"] <= 0 and phone.evaluate(_TABLE_OVERFLOW) <= 0
    header = phone.locator(".table-wrap thead").bounding_box()
    assert header["width"] <= 1 and header["height"] <= 1, "the header row is hidden"
    expect(phone.get_by_role("columnheader", name="Affiliation")).to_have_count(1)
    tree = phone.context.new_cdp_session(phone).send("Accessibility.getFullAXTree")["nodes"]
    roles = Counter(node["role"]["value"] for node in tree if not node.get("ignored"))
    assert (roles["table"], roles["row"], roles["columnheader"], roles["rowheader"]) == (
        1, 14, 7, 13), "the browser still tells a screen reader it is a table"
    assert roles["cell"] == 13 * 6, "an empty cell not shown is still there for a screen reader"
    row = phone.get_by_role("row").filter(has_text="Olena Kovalenko-Shevchenko 1").first
    row.get_by_text("Actions").click()
    expect(row.get_by_role("button", name="Hide")).to_be_visible()
    assert phone.evaluate(_MEASURE)["overflow"] <= 0 and phone.evaluate(_TABLE_OVERFLOW) <= 0
    assert_accessible(phone, "signatories as cards")
    screenshot(phone, "dashboard-signatories-cards")


def test_at_the_door_part_of_a_code_finds_someone_who_pays_and_is_checked_in(
    make_event, register, make_organizer, live_server, phone
):
    event = make_event(tickets=[{"name": "Supporter", "price_minor": 1000, "currency": "GBP"}])
    register(event, name="Mark Serwotka", email="mark@example.org")
    code = db.session.scalar(select(Registration.reference))
    log_in(phone, live_server, make_organizer(Role.editor).email)
    phone.goto(live_server(f"/dashboard/events/{event.id}/check-in"))

    phone.get_by_label("Name or reference code").fill(code[-4:].lower())
    phone.get_by_role("button", name="Find").click()
    expect(phone.get_by_text("to pay: £10.00")).to_be_visible()
    assert_accessible(phone, "someone who still has to pay")
    screenshot(phone, "dashboard-checkin-to-pay")
    phone.get_by_role("button", name="Mark paid").click()
    expect(phone.get_by_text("Mark Serwotka is marked as paid.")).to_be_visible()
    phone.get_by_role("button", name="Check in").click()
    expect(phone.get_by_text("Checked in: Mark Serwotka.")).to_be_visible()
    screenshot(phone, "dashboard-checkin-done")


def test_the_audit_log_reads_as_sentences_on_a_phone_and_a_desktop(
    make_statement, make_event, make_organizer, live_server, open_page
):
    statement = make_statement(title="A free and united Ukraine")
    event = make_event(title="Launch meeting in Parliament")
    anna = make_organizer(Role.owner, name="Anna Koval")
    for size in ("phone", "desktop"):
        page = open_page(size)
        log_in(page, live_server, anna.email)
        if size == "phone":
            page.request.get(live_server(f"/dashboard/statements/{statement.id}/signatures.csv"))
            page.goto(live_server(f"/dashboard/events/{event.id}/cancel"))
            page.get_by_role("button", name="Cancel the event").click()
        page.goto(live_server("/dashboard/audit"))
        expect(page.get_by_text(
            "Anna Koval cancelled “Launch meeting in Parliament” and emailed everyone "
            "registered.")).to_be_visible()
        expect(page.get_by_text(
            "Anna Koval exported the signatories of “A free and united Ukraine”, with their "
            "email addresses.")).to_be_visible()
        assert page.evaluate(_MEASURE)["overflow"] <= 0
        assert_accessible(page, "audit log")
        screenshot(page, "dashboard-audit-sentences")


def test_the_changes_between_versions_read_well_on_a_phone_and_a_desktop(
    make_statement, make_signature, live_server, open_page
):
    statement = make_statement(
        title="A free and united Ukraine", preamble="We, the undersigned, stand with Ukraine.",
        demands=(("Aid", "Send aid now."), ("Peace", "A just peace.")))
    make_signature(statement)
    update_statement(statement, title="A free, united and democratic Ukraine",
                     preamble="We, the undersigned trade unionists, stand with Ukraine.")
    edit_demand(statement.demands[1], "Peace", "A just and lasting peace.")
    for size in ("phone", "desktop"):
        page = open_page(size)
        page.goto(live_server(f"/s/{statement.slug}/revisions"))
        expect(page.locator("ins").filter(has_text="trade unionists")).to_be_visible()
        expect(page.locator("del").first).to_be_visible()
        assert page.evaluate(_MEASURE)["overflow"] <= 0
        assert_accessible(page, "what changed")
        screenshot(page, "statement-revisions-changes")
