"""The statement page is light on a phone, asks nothing of other hosts, and prints well."""
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from campaign.signatures import counts
from tests.browser.conftest import ARTIFACTS_DIR

pytestmark = pytest.mark.browser

#: The most a phone may have to download for the statement page, everything included.
PAGE_WEIGHT_LIMIT = 100 * 1024


@pytest.fixture
def busy_statement(demo, make_signature, app):
    """The demo charter with more listed signatories after its curated ones than a page holds."""
    for number in range(app.config["SIGNATURES_PER_PAGE"] + 5):
        make_signature(demo, name=f"Signatory Number {number}",
                       affiliation="Member, Public and Commercial Services Union")
    counts.reconcile(demo.id)
    return demo


def test_the_statement_page_weighs_under_100_kb_and_stays_on_this_site(
    app, busy_statement, live_server, phone
):
    requested, weights = [], {}

    def note(response):
        requested.append(response.url)
        if 200 <= response.status < 300:
            weights[response.url] = len(response.body())

    phone.on("response", note)
    phone.on("request", lambda request: requested.append(request.url))
    phone.goto(live_server(f"/s/{busy_statement.slug}"), wait_until="networkidle")
    expect(phone.locator(".signatories > li")).to_have_count(app.config["SIGNATURES_PER_PAGE"])

    elsewhere = {url for url in requested if urlsplit(url).netloc != live_server.netloc}
    assert not elsewhere, f"the page asked other hosts for {elsewhere}"
    total = sum(weights.values())
    assert total < PAGE_WEIGHT_LIMIT, f"{total} bytes: {weights}"
    assert len(weights) >= 3, "the page, its stylesheet and its script were all counted"


def test_the_statement_prints_with_its_signatories_and_without_the_form(
    demo, live_server, desktop
):
    page = desktop
    page.goto(live_server(f"/s/{demo.slug}"))
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("ol.demands > li")).to_have_count(7)
    expect(page.get_by_role("region", name="Signatories").get_by_text("Mark Serwotka")
           ).to_be_visible()
    for hidden in (".site-header", ".site-footer", "#sign", "form"):
        expect(page.locator(hidden).first).to_be_hidden()
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS_DIR / "statement-print.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
