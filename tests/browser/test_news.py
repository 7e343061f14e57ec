"""A reader opens the demo's briefing from the statement page on a phone and on a desktop; an
editor writes and publishes a post in the dashboard, with the post form's errors shown."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from campaign.extensions import db
from campaign.news.models import Post
from campaign.organizers.models import Role
from tests.browser.conftest import (
    assert_accessible, html_errors, log_in, no_sideways_scroll, screenshot,
)

pytestmark = pytest.mark.browser

TITLE = "Reading the cease-fire offer: a briefing"


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_a_reader_finds_the_briefing_beside_the_statement(demo, live_server, open_page, size):
    page = open_page(size)
    page.goto(live_server("/s/free-and-united-ukraine"))
    linked = page.get_by_role("region", name="News and briefings")
    expect(linked).to_be_visible()
    screenshot(page, "statement-with-news")
    linked.get_by_role("link", name=TITLE).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    for heading in ("Key takeaways", "Quotations", "Source", "About"):
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="How to Negotiate With Putin")).to_be_visible()
    assert_accessible(page, "briefing")
    no_sideways_scroll(page)
    screenshot(page, "news-post")

    page.get_by_role("link", name="News and briefings").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("News and briefings")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert_accessible(page, "news list")
    no_sideways_scroll(page)
    screenshot(page, "news-index")


def test_an_editor_writes_and_publishes_a_post(make_organizer, make_statement, live_server,
                                               desktop):
    statement = make_statement(title="A free and united Ukraine")
    editor = make_organizer(Role.editor)
    page = desktop
    log_in(page, live_server, editor.email)
    page.get_by_role("link", name="News", exact=True).click()
    page.get_by_role("link", name="Write a post").click()

    page.get_by_label("Quotations").fill("A quotation without anyone saying it")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter a title.")
    expect(page.locator("[data-error-summary]")).to_contain_text("Quotation 1")
    assert_accessible(page, "post form with errors")
    screenshot(page, "dashboard-news-errors")

    page.get_by_label("Title", exact=True).fill("The charter goes to Parliament")
    page.get_by_label("Summary", exact=True).fill("What happens at the launch, and how to join in.")
    page.get_by_label("Text", exact=True).fill("We launch the charter **next week**.")
    page.get_by_label("Key takeaways").fill("- Come to the launch\n- Sign the charter")
    page.get_by_label("Quotations").fill("“Stand with Ukraine.” — The campaign")
    page.get_by_label("A free and united Ukraine").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("saved as a draft")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("The post is published.")

    page.goto(live_server(f"/s/{statement.slug}"))
    expect(page.get_by_role("link", name="The charter goes to Parliament")).to_be_visible()


def test_the_news_pages_are_valid_html(app, client, demo, make_organizer, login):
    documents = {
        "news index": client.get("/news").get_data(as_text=True),
        "news post": client.get("/news/reading-the-cease-fire-offer").get_data(as_text=True),
        "statement with news": client.get("/s/free-and-united-ukraine").get_data(as_text=True),
        "event with news": client.get("/e/free-and-united-ukraine-launch").get_data(as_text=True),
    }
    login(make_organizer(Role.owner))
    documents["dashboard news"] = client.get("/dashboard/news").get_data(as_text=True)
    post_id = db.session.scalar(select(Post.id))
    documents["dashboard post"] = client.get(f"/dashboard/news/{post_id}").get_data(as_text=True)
    documents["dashboard post errors"] = client.submit(
        "/dashboard/news/new", {"title": "", "quotations": "x"},
        page="/dashboard/news/new").get_data(as_text=True)
    assert html_errors(documents) == {}
