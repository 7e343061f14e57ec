"""Organizers publish news and briefings; readers find them on /news, in the feed, and beside
the statements and events they are about."""
from xml.etree import ElementTree as ET

import pytest
from sqlalchemy import select

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.news.models import Post
from campaign.news.service import email_content
from campaign.organizers.models import Role
from campaign.statements.models import StatementStatus

ATOM = "{http://www.w3.org/2005/Atom}"

BRIEFING = {
    "title": "Why a cease-fire offer is not peace",
    "summary": "A short reading of a foreign-policy article on the cease-fire talks.",
    "body": "The article argues that **concessions** without guarantees invite more war.",
    "takeaways": "- Pauses on strikes are offered as bargaining chips.\n- Allies must stay together.",
    "quotations": "“Our demands are for a free and united Ukraine.” — The campaign's statement",
    "source_title": "How to Negotiate With Putin",
    "source_publisher": "Foreign Policy",
    "source_date": "2025-03-19",
    "source_url": "https://foreignpolicy.com/2025/03/19/how-negotiate-putin-trump-ukraine/",
}


@pytest.fixture
def write_post(client):
    """An organizer fills in "Write a post" and saves; returns the response."""
    def write(**fields):
        data = dict(BRIEFING)
        data.update(fields)
        return client.submit("/dashboard/news/new", data, page="/dashboard/news/new")
    return write


def _post(slug=None) -> Post:
    query = select(Post) if slug is None else select(Post).where(Post.slug == slug)
    return db.session.scalars(query.order_by(Post.id.desc())).first()


def _publish(client, post):
    return client.submit(f"/dashboard/news/{post.id}/publish", page="/dashboard/news")


def test_an_editor_writes_a_briefing_that_stays_hidden_until_published(
        client, logged_in, write_post, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    response = write_post(statements=[statement.slug])
    assert response.status_code == 303
    post = _post()
    assert post.is_draft and post.slug == "why-a-cease-fire-offer-is-not-peace"
    assert post.takeaways == ["Pauses on strikes are offered as bargaining chips.",
                              "Allies must stay together."]
    assert post.quotations == [{"text": "Our demands are for a free and united Ukraine.",
                                "speaker": "The campaign's statement"}]
    assert post.source_date.isoformat() == "2025-03-19"
    assert [linked.slug for linked in post.statements] == [statement.slug]

    anonymous = client.application.test_client()
    assert anonymous.get(f"/news/{post.slug}").status_code == 404
    assert post.title not in anonymous.get("/news").get_data(as_text=True)
    # The organizer previews the draft.
    assert "only organizers can see it" in client.get(f"/news/{post.slug}").get_data(as_text=True)

    assert _publish(client, post).status_code == 303
    page = anonymous.get(f"/news/{post.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for shown in ("Why a cease-fire offer is not peace", "<strong>concessions</strong>",
                  "Key takeaways", "Allies must stay together.",
                  "Our demands are for a free and united Ukraine.", "The campaign&#39;s statement",
                  "How to Negotiate With Putin", "Foreign Policy", "19 March 2025",
                  f'href="/s/{statement.slug}"'):
        assert shown in html, shown
    assert post.title in anonymous.get("/news").get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["post.create", "post.publish"]


def test_a_post_page_carries_an_open_graph_card_drawn_by_the_project(client, logged_in, write_post):
    logged_in()
    write_post()
    post = _post()
    _publish(client, post)
    html = client.application.test_client().get(f"/news/{post.slug}").get_data(as_text=True)
    assert f'<meta property="og:image" content="http://localhost/news/{post.slug}/card.png">' in html
    assert f'<meta property="og:title" content="{post.title}">' in html
    card = client.get(f"/news/{post.slug}/card.png")
    assert card.status_code == 200 and card.mimetype == "image/png"
    assert card.data.startswith(b"\x89PNG")


def test_a_drafts_card_and_an_unknown_posts_card_are_not_found(client, logged_in, write_post):
    logged_in()
    write_post()
    assert client.get(f"/news/{_post().slug}/card.png").status_code == 404
    assert client.get("/news/nothing-here/card.png").status_code == 404


@pytest.mark.parametrize("slug", ["nothing-here", "Upper-Case", "a" * 500, "bad%00slug", "..%2f"])
def test_an_unknown_or_impossible_address_is_not_found(client, slug):
    assert client.get(f"/news/{slug}").status_code == 404


def test_the_news_page_is_paged_newest_first(client, logged_in, write_post):
    logged_in()
    for number in range(12):
        write_post(title=f"Post number {number}")
        _publish(client, _post())
    first = client.get("/news").get_data(as_text=True)
    assert "Post number 11" in first and "Post number 2" in first and "Post number 1<" not in first
    assert first.index("Post number 11") < first.index("Post number 10")
    second = client.get("/news?page=2").get_data(as_text=True)
    assert "Post number 1<" in second and "Post number 0" in second
    assert client.get("/news?page=0").status_code == 404
    assert client.get("/news?page=99999999").status_code == 404


def test_the_atom_feed_parses_and_carries_the_published_posts(client, logged_in, write_post):
    logged_in()
    write_post(title="First published briefing")
    _publish(client, _post())
    write_post(title="Second <published> & briefing")
    _publish(client, _post())
    write_post(title="A draft nobody sees")

    response = client.application.test_client().get("/news/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/news/feed.atom"
    entries = feed.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
        "Second <published> & briefing", "First published briefing"]
    newest = entries[0]
    slug = _post("second-published-briefing").slug
    assert newest.findtext(f"{ATOM}id") == f"http://localhost/news/{slug}"
    assert newest.find(f"{ATOM}link").get("href") == f"http://localhost/news/{slug}"
    assert newest.findtext(f"{ATOM}summary") == BRIEFING["summary"]
    assert "<strong>concessions</strong>" in newest.findtext(f"{ATOM}content")
    assert newest.find(f"{ATOM}content").get("type") == "html"
    for stamp in ("published", "updated"):
        assert newest.findtext(f"{ATOM}{stamp}").endswith("Z")


def test_the_statement_page_shows_the_latest_posts_linked_to_it(
        client, logged_in, write_post, make_statement):
    statement = make_statement()
    other = make_statement(title="Another statement")
    logged_in()
    for number in range(4):
        write_post(title=f"Linked post {number}", statements=[statement.slug])
        _publish(client, _post())
    write_post(title="A linked draft", statements=[statement.slug])
    write_post(title="About something else", statements=[other.slug])
    _publish(client, _post())

    html = client.application.test_client().get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "News and briefings" in html
    assert "Linked post 3" in html and "Linked post 1" in html
    assert "Linked post 0" not in html  # only the newest three
    assert "A linked draft" not in html and "About something else" not in html


def test_the_event_page_shows_the_posts_linked_to_it(client, logged_in, write_post, make_event):
    event = make_event()
    logged_in()
    write_post(title="Before the launch meeting", events=[event.slug])
    _publish(client, _post())
    html = client.application.test_client().get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Before the launch meeting" in html
    post_html = client.application.test_client().get(
        f"/news/{_post().slug}").get_data(as_text=True)
    assert f'href="/e/{event.slug}"' in post_html


def test_a_post_does_not_link_to_a_draft_statement(client, logged_in, write_post, make_statement):
    draft = make_statement(title="Still a draft", status=StatementStatus.draft)
    logged_in()
    write_post(statements=[draft.slug])
    _publish(client, _post())
    html = client.application.test_client().get(f"/news/{_post().slug}").get_data(as_text=True)
    assert "Still a draft" not in html


@pytest.mark.parametrize("fields, message", [
    ({"title": ""}, "Enter a title."),
    ({"title": "x" * 301}, "Use at most 300 characters here."),
    ({"title": "Nul\x00byte"}, "Remove the control characters from this field."),
    ({"body": "a\x00b"}, "Remove the control characters from this field."),
    ({"quotations": "A quotation nobody said"}, "end the line with a dash and who said it"),
    ({"source_url": "javascript:alert(1)"}, "starting with https://"),
    ({"source_date": "19/03/2025"}, "Not a valid date value"),
    ({"statements": ["no-such-statement"]}, "is not a valid choice"),
    ({"slug": "!!!"}, "Use letters, numbers and hyphens"),
    ({"takeaways": "\n".join(f"- point {n}" for n in range(21))}, "at most 20 key takeaways"),
])
def test_a_form_with_bad_input_is_answered_400_with_a_message(
        client, logged_in, write_post, fields, message):
    logged_in()
    response = write_post(**fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _post() is None


def test_html_typed_into_a_post_is_shown_as_text_or_dropped(client, logged_in, write_post):
    logged_in()
    write_post(title="<script>alert(1)</script> title",
               body="<script>alert(2)</script>\n\n[click](javascript:alert(3))",
               summary="<img src=x onerror=alert(4)>")
    _publish(client, _post())
    html = client.get(f"/news/{_post().slug}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; title" in html


def test_a_taken_web_address_is_refused_and_a_title_gets_a_new_one(client, logged_in, write_post):
    logged_in()
    write_post(slug="briefing")
    response = write_post(slug="briefing")
    assert response.status_code == 400
    assert "Another post already uses the web address “briefing”" in response.get_data(as_text=True)
    write_post()
    write_post()
    slugs = db.session.scalars(select(Post.slug).order_by(Post.id)).all()
    assert slugs == ["briefing", "why-a-cease-fire-offer-is-not-peace",
                     "why-a-cease-fire-offer-is-not-peace-2"]


def test_an_editor_changes_a_post_and_a_viewer_may_only_read_it(
        client, logged_in, write_post, login, make_organizer):
    logged_in(Role.editor)
    write_post()
    post = _post()
    page = f"/dashboard/news/{post.id}"
    form = client.get(page).get_data(as_text=True)
    assert "“Our demands are for a free and united Ukraine.” — The campaign&#39;s statement" in form
    data = dict(BRIEFING, title="A better title")
    assert client.submit(page, data, page=page).status_code == 303
    db.session.refresh(post)
    assert post.title == "A better title" and post.slug == "why-a-cease-fire-offer-is-not-peace"

    viewer = client.application.test_client()
    viewer.submit("/login", {"email": make_organizer(Role.viewer).email,
                             "password": "correct horse battery staple"})
    assert viewer.get(page).status_code == 200
    assert viewer.submit(page, data, page=page).status_code == 403


def test_an_editor_deletes_a_post_after_being_asked(client, logged_in, write_post):
    logged_in(Role.editor)
    write_post()
    post = _post()
    question = client.get(f"/dashboard/news/{post.id}/delete")
    assert question.status_code == 200 and "Delete this post?" in question.get_data(as_text=True)
    assert _post() is not None
    response = client.submit(f"/dashboard/news/{post.id}/delete", page="/dashboard/news")
    assert response.status_code == 303
    assert _post() is None
    assert client.get("/dashboard/news/999999").status_code == 404


def test_publishing_twice_says_so(client, logged_in, write_post):
    logged_in()
    write_post()
    post = _post()
    _publish(client, post)
    again = _publish(client, post)
    assert "already published" in client.get(again.location).get_data(as_text=True)
    assert client.get(f"/dashboard/news/{post.id}/publish").status_code == 405


def test_a_post_becomes_an_email_subject_and_markdown_body(client, logged_in, write_post):
    logged_in()
    write_post()
    post = _post()
    content = email_content(post)
    assert content.subject == "Why a cease-fire offer is not peace"
    assert content.body.startswith(BRIEFING["summary"])
    assert "- Allies must stay together." in content.body
    assert "> Our demands are for a free and united Ukraine." in content.body
    assert "> — The campaign's statement" in content.body
    assert "“How to Negotiate With Putin”, Foreign Policy, 19 March 2025" in content.body
    assert f"http://localhost/news/{post.slug}" in content.body


def test_an_editor_sends_a_published_post_to_supporters_as_an_update(
        client, logged_in, write_post):
    logged_in()
    write_post()
    post = _post()
    assert "as an email update" not in client.get(f"/dashboard/news/{post.id}").get_data(
        as_text=True)
    _publish(client, post)
    page = client.get(f"/dashboard/news/{post.id}").get_data(as_text=True)
    assert f"/dashboard/updates/new?post_id={post.id}" in page
    form = client.get(f"/dashboard/updates/new?post_id={post.id}").get_data(as_text=True)
    assert 'value="Why a cease-fire offer is not peace"' in form
    assert BRIEFING["summary"] in form


def test_the_feed_stays_well_formed_with_characters_xml_cannot_hold(client, logged_in, write_post):
    logged_in()
    write_post(title="Odd\uffff title", summary="Still\ufffe readable")
    _publish(client, _post())
    feed = ET.fromstring(client.get("/news/feed.atom").data)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Odd title"
    assert entry.findtext(f"{ATOM}summary") == "Still readable"
