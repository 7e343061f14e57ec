"""Scripted publishing: `flask --app app news import FILE [--publish]`, the dashboard's upload
of the same file, and the demo's briefing."""
import pytest
from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.news.models import Post
from campaign.organizers.models import Role

BRIEFING_FILE = """\
Title: What the cease-fire talks mean for Ukraine
Summary: Our reading of this week's talks.
Source: How to Negotiate With Putin
Publisher: Foreign Policy
Source date: 2025-03-19
Source link: https://foreignpolicy.com/2025/03/19/how-negotiate-putin-trump-ukraine/
Statements: {statement}

The talks offered a **pause**, not peace.

## Key takeaways

- A pause is a bargaining chip.
• Allies must hold together.

## Quotations

- “Peace will only last if Ukraine stays free.” — The charter
- "No surrender of sovereignty." -- Demand 1

## What you can do

Sign the charter.
"""


@pytest.fixture
def post_file(tmp_path):
    def write(text: str, name: str = "post.md"):
        path = tmp_path / name
        path.write_bytes(text.encode() if isinstance(text, str) else text)
        return str(path)
    return write


def _posts() -> list[Post]:
    return db.session.scalars(select(Post).order_by(Post.id)).all()


def test_an_organizer_publishes_a_briefing_from_a_markdown_file(
        runner, post_file, make_statement, client):
    statement = make_statement()
    result = runner.invoke(args=["news", "import", post_file(
        BRIEFING_FILE.format(statement=statement.slug)), "--publish"])
    assert result.exit_code == 0, result.output
    [post] = _posts()
    assert "Published: “What the cease-fire talks mean for Ukraine”" in result.output
    assert f"http://localhost/news/{post.slug}" in result.output
    assert post.is_published and post.summary == "Our reading of this week's talks."
    assert post.source_title == "How to Negotiate With Putin"
    assert post.source_publisher == "Foreign Policy" and str(post.source_date) == "2025-03-19"
    assert post.takeaways == ["A pause is a bargaining chip.", "Allies must hold together."]
    assert post.quotations == [
        {"text": "Peace will only last if Ukraine stays free.", "speaker": "The charter"},
        {"text": "No surrender of sovereignty.", "speaker": "Demand 1"}]
    assert "## Key takeaways" not in post.body and "## What you can do" in post.body
    assert [linked.slug for linked in post.statements] == [statement.slug]
    assert db.session.scalar(select(AuditEntry.action)) == "post.import"
    assert client.get(f"/news/{post.slug}").status_code == 200
    assert post.title in client.get(f"/s/{statement.slug}").get_data(as_text=True)


def test_without_publish_the_imported_post_is_a_draft(runner, post_file, client):
    text = BRIEFING_FILE.replace("Statements: {statement}\n", "")
    result = runner.invoke(args=["news", "import", post_file(text)])
    assert result.exit_code == 0, result.output
    assert "Saved as a draft" in result.output
    [post] = _posts()
    assert post.is_draft
    assert client.get(f"/news/{post.slug}").status_code == 404


@pytest.mark.parametrize("text, message", [
    ("Summary: no title\n\nBody.", "needs a header line “Title: …”"),
    ("Title: A post\nAuthor: Someone\n\nBody.", "Line 2 of the header"),
    ("Title: A post\nSource date: last Tuesday\n\nBody.", "YYYY-MM-DD"),
    ("Title: A post\nStatements: no-such-statement\n\nBody.",
     "No statement has the web address “no-such-statement”"),
    ("Title: A post\nEvents: no-such-event\n\nBody.", "No event has the web address"),
    ("Title: A post\n\nBody.\n\n## Quotations\n\n- Nobody said this\n", "Quotation 1"),
    ("Title: A post\nSource link: ftp://example.org/x\n\nBody.", "starting with https://"),
    ("Title: Nul\x00byte\n\nBody.", "control characters"),
    (b"Title: \xff\xfe bad bytes\n\n", "not UTF-8"),
    ("Title: " + "x" * 400 + "\n\nBody.", "at most 300 characters"),
])
def test_a_file_not_in_the_shape_is_refused_with_the_reason_and_nothing_saved(
        runner, post_file, text, message):
    result = runner.invoke(args=["news", "import", post_file(text)])
    assert result.exit_code == 1
    assert message in result.output
    assert _posts() == []


def test_an_editor_uploads_the_same_file_on_the_dashboard(client, logged_in, make_statement):
    from io import BytesIO

    statement = make_statement()
    logged_in(Role.editor)
    data = {"file": (BytesIO(BRIEFING_FILE.format(statement=statement.slug).encode()), "b.md"),
            "publish": "y"}
    response = client.submit("/dashboard/news/import", data, page="/dashboard/news/import",
                             content_type="multipart/form-data")
    assert response.status_code == 303
    [post] = _posts()
    assert post.is_published and post.statements == [statement]

    bad = {"file": (BytesIO(b"no header here"), "b.md")}
    response = client.submit("/dashboard/news/import", bad, page="/dashboard/news/import",
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Line 1 of the header" in response.get_data(as_text=True)
    empty = client.submit("/dashboard/news/import", {}, page="/dashboard/news/import")
    assert empty.status_code == 400 and "Choose a Markdown file." in empty.get_data(as_text=True)


def test_the_demo_includes_a_briefing_linked_to_the_statement_and_its_launch(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    [post] = _posts()
    assert post.is_published and post.takeaways and post.quotations
    assert post.source_publisher == "Foreign Policy"
    assert [s.slug for s in post.statements] == ["free-and-united-ukraine"]
    assert [e.slug for e in post.events] == ["free-and-united-ukraine-launch"]
    assert post.title in client.get("/s/free-and-united-ukraine").get_data(as_text=True)
    assert post.title in client.get("/e/free-and-united-ukraine-launch").get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Post)) == 1
