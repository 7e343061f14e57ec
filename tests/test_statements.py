"""Organizers write, edit, publish and close statements; the public sees only what is published."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry
from campaign.statements.models import (
    Campaign, Demand, Statement, StatementRevision, StatementStatus,
)
from campaign.statements.service import (
    StatementError, add_demand, change_status, create_statement, default_campaign, delete_demand,
    edit_demand, is_open_for_signing, move_demand, public_statement, slugify, update_statement,
)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _positions(statement) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Demand.position, Demand.heading)
        .where(Demand.statement_id == statement.id).order_by(Demand.position)
    )
    return [tuple(row) for row in rows]


def _form(statement, **changes) -> dict:
    """The edit form as the page fills it in, with `changes` typed over it."""
    data = {
        "title": statement.title, "slug": statement.slug, "preamble": statement.preamble,
        "closing": statement.closing, "signature_goal": statement.signature_goal or "",
        "requires_confirmation": "y" if statement.requires_confirmation else "",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


# Slugs and campaigns ------------------------------------------------------------


@pytest.mark.parametrize("title, slug", [
    ("A Free and United Ukraine!", "a-free-and-united-ukraine"),
    ("Вільна і єдина Україна", "vilna-i-iedina-ukraina"),
    ("Ελεύθερη Ουκρανία", "eleytheri-oykrania"),
    ("Don’t give up", "dont-give-up"),
    ("  Ça   va -- très bien  ", "ca-va-tres-bien"),
    ("", ""),
    ("!!! ???", ""),
])
def test_titles_in_any_script_become_readable_slugs(app, title, slug):
    assert slugify(title) == slug


def test_a_slug_made_from_a_long_title_stops_at_a_word(app):
    slug = slugify("word " * 100, max_length=22)
    assert slug == "word-word-word-word"


def test_the_default_campaign_is_created_from_the_campaign_name(app):
    app.config["CAMPAIGN_NAME"] = "Ukraine Solidarity Campaign"
    campaign = default_campaign()
    db.session.commit()
    assert (campaign.name, campaign.slug) == (
        "Ukraine Solidarity Campaign", "ukraine-solidarity-campaign")
    assert default_campaign().id == campaign.id
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 1


def test_the_default_campaign_is_the_first_one_there_is(make_campaign):
    first = make_campaign(name="First")
    make_campaign(name="Second")
    assert default_campaign().id == first.id


# Public pages -------------------------------------------------------------------


def test_a_draft_answers_404_to_the_public(client, make_statement):
    draft = make_statement(status=StatementStatus.draft)
    assert client.get(f"/s/{draft.slug}").status_code == 404
    assert client.get(f"/s/{draft.slug}/revisions").status_code == 404
    assert draft.title not in _text(client.get("/"))


def test_an_unknown_slug_answers_404(client, app):
    assert client.get("/s/no-such-statement").status_code == 404
    assert client.get("/s/no-such-statement/revisions").status_code == 404


def test_published_and_closed_statements_are_public_and_drafts_are_not(app, make_statement):
    published = make_statement()
    closed = make_statement(status=StatementStatus.closed)
    draft = make_statement(status=StatementStatus.draft)
    assert public_statement(published.slug).id == published.id
    assert public_statement(closed.slug).id == closed.id
    with pytest.raises(Exception) as error:
        public_statement(draft.slug)
    assert getattr(error.value, "code", None) == 404


def test_only_a_published_statement_within_its_window_is_open_for_signing(make_statement):
    now = utcnow()
    assert is_open_for_signing(make_statement())
    assert not is_open_for_signing(make_statement(status=StatementStatus.draft))
    assert not is_open_for_signing(make_statement(status=StatementStatus.closed))
    assert not is_open_for_signing(make_statement(opens_at=now + timedelta(hours=1)))
    assert not is_open_for_signing(make_statement(closes_at=now - timedelta(seconds=1)))
    assert is_open_for_signing(make_statement(opens_at=now - timedelta(hours=1),
                                              closes_at=now + timedelta(hours=1)))


def test_the_home_page_lists_published_and_closed_statements_newest_first(client, make_statement):
    now = utcnow()
    older = make_statement(title="Older statement", published_at=now - timedelta(days=2))
    closed = make_statement(title="Closed statement", status=StatementStatus.closed,
                            published_at=now - timedelta(days=1))
    newer = make_statement(title="Newer statement", published_at=now)
    make_statement(title="Secret draft", status=StatementStatus.draft)
    page = _text(client.get("/"))
    assert page.index(newer.title) < page.index(closed.title) < page.index(older.title)
    assert "Secret draft" not in page
    assert "Signing closed" in page


def test_a_closed_statement_keeps_its_page_and_refuses_signing(client, make_statement,
                                                                make_signature):
    statement = make_statement(status=StatementStatus.closed)
    make_signature(statement, name="Hanna Kovalenko")
    response = client.get(f"/s/{statement.slug}")
    assert response.status_code == 200
    assert statement.title in _text(response)
    assert not is_open_for_signing(statement)


def test_demands_are_numbered_and_linkable_on_the_public_page(client, make_statement):
    statement = make_statement(demands=[("Aid", "Send aid."), ("", "No heading here."),
                                        ("Justice", "Try the crimes.")])
    page = _text(client.get(f"/s/{statement.slug}"))
    assert '<ol class="demands">' in page
    for number in (1, 2, 3):
        assert f'id="demand-{number}"' in page
    assert '<span class="demand__heading">Justice</span>' in page
    assert page.count('class="demand__heading"') == 2


def test_the_preamble_is_markdown_and_html_in_it_is_shown_as_text(client, make_statement):
    statement = make_statement(
        preamble="We **stand** with Ukraine.\n\n<script>alert(1)</script>",
        demands=[("<b>Bold?</b>", "<img src=x onerror=alert(1)>")],
    )
    page = _text(client.get(f"/s/{statement.slug}"))
    assert "<strong>stand</strong>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;b&gt;Bold?&lt;/b&gt;" in page
    assert "<img" not in page


# Creating and editing in the dashboard --------------------------------------------


def test_an_editor_creates_a_draft_statement(client, logged_in):
    logged_in(Role.editor)
    response = client.submit("/dashboard/statements/new", {
        "title": "Вільна Україна", "preamble": "We *call* for peace.", "closing": "Sign now.",
        "signature_goal": "1000", "requires_confirmation": "y",
    }, page="/dashboard/statements/new")
    assert response.status_code == 303
    statement = db.session.scalar(select(Statement))
    assert response.headers["Location"].endswith(f"/dashboard/statements/{statement.id}")
    assert (statement.slug, statement.status, statement.signature_goal) == (
        "vilna-ukraina", StatementStatus.draft, 1000)
    assert statement.requires_confirmation is True
    assert statement.campaign is not None
    assert db.session.scalar(select(AuditEntry.action)) == "statement.create"


def test_a_new_statement_needs_email_confirmation_unless_unticked(client, logged_in):
    logged_in(Role.editor)
    page = _text(client.get("/dashboard/statements/new"))
    assert "Signatures need email confirmation" in page
    checkbox = re.search(r'<input[^>]*id="requires_confirmation"[^>]*>', page).group(0)
    assert "checked" in checkbox
    client.submit("/dashboard/statements/new", {"title": "No confirmation"},
                  page="/dashboard/statements/new")
    assert db.session.scalar(select(Statement.requires_confirmation)) is False


def test_a_slug_already_used_is_refused_on_the_slug_field(client, logged_in, make_statement):
    make_statement(slug="taken")
    logged_in(Role.editor)
    response = client.submit("/dashboard/statements/new", {"title": "Taken", "slug": "taken"},
                             page="/dashboard/statements/new")
    assert response.status_code == 400
    assert "already uses the web address “taken”" in _text(response)
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 1


def test_a_title_that_makes_no_slug_asks_for_one(client, logged_in):
    logged_in(Role.editor)
    response = client.submit("/dashboard/statements/new", {"title": "🙂!"},
                             page="/dashboard/statements/new")
    # Emoji transliterate to words, so a slug can still be made; punctuation alone cannot.
    assert response.status_code == 303
    response = client.submit("/dashboard/statements/new", {"title": "?!"},
                             page="/dashboard/statements/new")
    assert response.status_code == 400
    assert "type one in" in _text(response)


def test_an_editor_edits_a_statement_without_signatures_in_place(client, logged_in,
                                                                   make_statement):
    statement = make_statement(status=StatementStatus.draft)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(url, _form(statement, title="A new title", slug=""), page=url)
    assert response.status_code == 303
    db.session.refresh(statement)
    assert statement.title == "A new title"
    assert statement.revision == 1 and statement.amended_at is None
    assert statement.slug.startswith("statement-"), "a blank slug keeps the address"
    assert db.session.scalar(select(func.count()).select_from(StatementRevision)) == 0


def test_changing_signed_text_keeps_the_old_text_as_a_revision(client, logged_in, make_statement,
                                                               make_signature):
    statement = make_statement(title="Original title", preamble="Original preamble.")
    make_signature(statement)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(url, _form(statement, preamble="Amended preamble."), page=url)
    assert response.status_code == 303
    db.session.refresh(statement)
    assert statement.revision == 2 and statement.amended_at is not None
    revision = db.session.scalar(select(StatementRevision))
    assert (revision.number, revision.title, revision.preamble) == (
        1, "Original title", "Original preamble.")
    assert revision.demands == [
        {"position": 1, "heading": "Aid", "body": "Send aid now."},
        {"position": 2, "heading": "Peace", "body": "A just peace."},
    ]

    public = _text(client.get(f"/s/{statement.slug}"))
    assert "amended on" in public
    assert f'href="/s/{statement.slug}/revisions"' in public
    revisions = _text(client.get(f"/s/{statement.slug}/revisions"))
    assert "Original preamble." in revisions and "Version 1" in revisions
    assert 'id="version-1-demand-2"' in revisions
    assert db.session.scalar(
        select(AuditEntry.detail).where(AuditEntry.action == "statement.edit")) == "preamble"


def test_changing_only_settings_of_a_signed_statement_is_no_amendment(app, make_statement,
                                                                      make_signature):
    statement = make_statement()
    make_signature(statement)
    assert update_statement(statement, signature_goal=500, requires_confirmation=True) is False
    assert statement.revision == 1 and statement.amended_at is None


def test_each_amendment_of_a_signed_statement_is_a_new_revision(app, make_statement,
                                                               make_signature):
    statement = make_statement(title="First")
    make_signature(statement)
    update_statement(statement, title="Second")
    add_demand(statement, "Third demand", "More.")
    assert statement.revision == 3
    numbers = db.session.scalars(select(StatementRevision.number).order_by(StatementRevision.number))
    assert list(numbers) == [1, 2]
    second = db.session.scalar(select(StatementRevision).where(StatementRevision.number == 2))
    assert second.title == "Second" and len(second.demands) == 2


def test_an_organizer_publishes_closes_and_reopens(client, logged_in, make_statement):
    statement = make_statement(status=StatementStatus.draft)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    assert client.submit(f"{url}/publish", page=url).status_code == 303
    db.session.refresh(statement)
    assert statement.status is StatementStatus.published and statement.published_at
    assert client.get(f"/s/{statement.slug}").status_code == 200

    assert client.submit(f"{url}/close", page=url).status_code == 303
    db.session.refresh(statement)
    assert statement.status is StatementStatus.closed
    assert client.get(f"/s/{statement.slug}").status_code == 200

    client.submit(f"{url}/reopen", page=url)
    db.session.refresh(statement)
    assert statement.status is StatementStatus.published
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))
    assert list(actions) == ["statement.publish", "statement.close", "statement.reopen"]


def test_a_status_change_that_does_not_fit_is_refused(client, logged_in, make_statement):
    statement = make_statement(status=StatementStatus.draft)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(f"{url}/close", page=url, follow_redirects=True)
    assert "cannot be changed that way" in _text(response)
    db.session.refresh(statement)
    assert statement.status is StatementStatus.draft
    with pytest.raises(StatementError):
        change_status(statement, "reopen")


def test_publishing_again_keeps_the_first_publication_date(app, make_statement):
    statement = make_statement(status=StatementStatus.draft)
    change_status(statement, "publish")
    first = statement.published_at
    change_status(statement, "close")
    change_status(statement, "reopen")
    assert statement.published_at == first


# Demands -----------------------------------------------------------------------------


def test_an_editor_adds_edits_moves_and_deletes_demands(client, logged_in, make_statement):
    statement = make_statement(demands=[("One", "1"), ("Two", "2"), ("Three", "3")])
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(f"{url}/demands", {"heading": "Four", "body": "4"}, page=url)
    assert response.status_code == 303
    assert _positions(statement) == [(1, "One"), (2, "Two"), (3, "Three"), (4, "Four")]

    three = db.session.scalar(select(Demand).where(Demand.heading == "Three"))
    client.submit(f"{url}/demands/{three.id}/up", page=url)
    assert _positions(statement) == [(1, "One"), (2, "Three"), (3, "Two"), (4, "Four")]
    client.submit(f"{url}/demands/{three.id}/down", page=url)
    client.submit(f"{url}/demands/{three.id}/down", page=url)
    assert _positions(statement) == [(1, "One"), (2, "Two"), (3, "Four"), (4, "Three")]

    edit_url = f"{url}/demands/{three.id}"
    response = client.submit(edit_url, {"heading": "Third", "body": "Changed."}, page=edit_url)
    assert response.status_code == 303
    two = db.session.scalar(select(Demand).where(Demand.heading == "Two"))
    client.submit(f"{url}/demands/{two.id}/delete", page=url)
    assert _positions(statement) == [(1, "One"), (2, "Four"), (3, "Third")]


def test_moving_the_first_demand_up_changes_nothing(app, make_statement):
    statement = make_statement()
    first = statement.demands[0]
    assert move_demand(first, "up") is False
    assert move_demand(statement.demands[-1], "down") is False
    assert _positions(statement) == [(1, "Aid"), (2, "Peace")]


def test_deleting_any_demand_leaves_numbering_without_gaps(app, make_statement):
    statement = make_statement(demands=[(str(n), "x") for n in range(1, 7)])
    for heading in ("1", "4", "6"):
        delete_demand(db.session.scalar(select(Demand).where(Demand.heading == heading)))
    assert _positions(statement) == [(1, "2"), (2, "3"), (3, "5")]
    add_demand(statement, "7", "")
    assert _positions(statement) == [(1, "2"), (2, "3"), (3, "5"), (4, "7")]


def test_reordering_a_signed_statement_is_an_amendment(app, make_statement, make_signature):
    statement = make_statement()
    make_signature(statement)
    move_demand(statement.demands[1], "up")
    assert statement.revision == 2
    revision = db.session.scalar(select(StatementRevision))
    assert [d["heading"] for d in revision.demands] == ["Aid", "Peace"]
    assert _positions(statement) == [(1, "Peace"), (2, "Aid")]


def test_saving_a_demand_unchanged_is_no_amendment(app, make_statement, make_signature):
    statement = make_statement()
    make_signature(statement)
    assert edit_demand(statement.demands[0], "Aid", "Send aid now.") is False
    assert statement.revision == 1


def test_a_demand_needs_a_heading_or_a_text(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(f"{url}/demands", {"heading": "", "body": "  "}, page=url)
    assert response.status_code == 400
    assert "Give the demand a heading, a text, or both." in _text(response)
    assert len(_positions(statement)) == 2


def test_a_demand_of_another_statement_is_not_found(client, logged_in, make_statement):
    statement, other = make_statement(), make_statement()
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    foreign = other.demands[0].id
    assert client.get(f"{url}/demands/{foreign}").status_code == 404
    assert client.submit(f"{url}/demands/{foreign}/delete", page=url).status_code == 404
    assert client.submit(f"{url}/demands/{foreign}/up", page=url).status_code == 404
    assert len(_positions(other)) == 2


def test_two_organizers_reordering_at_once_keep_numbering_gapless(app, make_statement,
                                                                  on_postgresql):
    if not on_postgresql:
        pytest.skip("real concurrency needs PostgreSQL")
    from concurrent.futures import ThreadPoolExecutor

    statement = make_statement(demands=[(str(n), "x") for n in range(1, 6)])
    ids = [d.id for d in statement.demands]
    statement_id = statement.id
    db.session.remove()

    def move(demand_id, direction):
        with app.app_context():
            demand = db.session.get(Demand, demand_id)
            move_demand(demand, direction)
            db.session.remove()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda args: move(*args),
                      [(ids[0], "down"), (ids[4], "up"), (ids[2], "up"), (ids[1], "down")] * 3))
    positions = db.session.scalars(
        select(Demand.position).where(Demand.statement_id == statement_id)
        .order_by(Demand.position))
    assert list(positions) == [1, 2, 3, 4, 5]


# Bad input never breaks a page -------------------------------------------------------


@pytest.mark.parametrize("field, value, message", [
    ("title", "x" * 10_000, "Field cannot be longer than 300 characters."),
    ("title", "", "Enter a title."),
    ("title", "Nul\x00byte", "Remove the control characters"),
    ("preamble", "Nul\x00byte", "Remove the control characters"),
    ("slug", "x" * 500, "Field cannot be longer than 120 characters."),
    ("slug", "???", "Use letters, numbers and hyphens"),
    ("signature_goal", "0", "Enter a whole number from 1 to 1,000,000,000."),
    ("signature_goal", "lots", "Not a valid integer value."),
    ("signature_goal", "99999999999999999999", "Enter a whole number from 1 to 1,000,000,000."),
    ("closes_at", "yesterday", "Not a valid datetime value."),
])
def test_bad_statement_input_is_refused_with_a_message(client, logged_in, make_statement, field,
                                                       value, message):
    statement = make_statement(status=StatementStatus.draft)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(url, _form(statement, **{field: value}) | {field: value}, page=url)
    assert response.status_code == 400
    assert message in _text(response)
    db.session.refresh(statement)
    assert statement.title == "A free and united Ukraine"


def test_signing_must_close_after_it_opens(client, logged_in, make_statement):
    statement = make_statement(status=StatementStatus.draft)
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    response = client.submit(url, _form(statement, opens_at="2030-01-02T10:00",
                                        closes_at="2030-01-01T10:00"), page=url)
    assert response.status_code == 400
    assert "Signing must close after it opens." in _text(response)
    client.submit(url, _form(statement, opens_at="2030-01-01T10:00",
                             closes_at="2030-01-02T10:00"), page=url)
    db.session.refresh(statement)
    assert statement.closes_at.isoformat() == "2030-01-02T10:00:00+00:00"


def test_script_tags_in_a_title_are_kept_as_text(client, logged_in):
    logged_in(Role.editor)
    client.submit("/dashboard/statements/new", {"title": "<script>alert(1)</script> Peace"},
                  page="/dashboard/statements/new")
    statement = db.session.scalar(select(Statement))
    assert statement.title == "<script>alert(1)</script> Peace"
    change_status(statement, "publish")
    for url in ("/", f"/s/{statement.slug}", f"/dashboard/statements/{statement.id}",
                "/dashboard"):
        page = _text(client.get(url))
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Peace" in page


def test_a_nul_byte_in_a_demand_is_refused(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}"
    demand = statement.demands[0]
    edit_url = f"{url}/demands/{demand.id}"
    for response in (
        client.submit(f"{url}/demands", {"heading": "A\x00", "body": "b"}, page=url),
        client.submit(edit_url, {"heading": "Aid", "body": "b\x00"}, page=edit_url),
        client.submit(edit_url, {"heading": "x" * 10_000, "body": "b"}, page=edit_url),
    ):
        assert response.status_code == 400
    db.session.refresh(demand)
    assert demand.body == "Send aid now."


def test_unknown_ids_answer_404_and_wrong_methods_405(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.owner)
    url = f"/dashboard/statements/{statement.id}"
    assert client.get("/dashboard/statements/999999").status_code == 404
    assert client.submit("/dashboard/statements/999999", _form(statement), page=url).status_code == 404
    assert client.submit("/dashboard/statements/999999/publish", page=url).status_code == 404
    assert client.get("/dashboard/statements/abc").status_code == 404
    assert client.get("/dashboard/statements/99999999999999999999").status_code == 404
    assert client.get("/s/%00").status_code == 404
    assert client.get("/s/" + "a" * 10_000 + "/revisions").status_code == 404
    assert client.get(f"{url}/demands/999999").status_code == 404
    assert client.submit(f"{url}/sideways", page=url).status_code == 404
    assert client.submit(f"{url}/demands/{statement.demands[0].id}/sideways",
                         page=url).status_code == 404
    assert client.get(f"{url}/publish").status_code == 405
    assert client.get(f"{url}/demands/{statement.demands[0].id}/up").status_code == 405
    assert client.get(f"{url}/demands/999999/delete").status_code == 404
    assert client.delete(url).status_code == 405
    assert client.put("/dashboard/statements/new").status_code == 405
    assert client.post("/").status_code in (400, 405)
    assert client.get("/?page=abc").status_code == 200
    assert client.get("/dashboard?page=-3").status_code in (200, 404)


def test_a_viewer_reads_the_statement_page_without_editing_controls(client, logged_in,
                                                                    make_statement):
    statement = make_statement()
    logged_in(Role.viewer)
    response = client.get(f"/dashboard/statements/{statement.id}")
    assert response.status_code == 200
    page = _text(response)
    assert statement.title in page and 'id="demand-1"' in page
    assert "Close signing" not in page and 'name="title"' not in page
    assert client.get("/dashboard/statements/new").status_code == 403


def test_the_dashboard_lists_statements_with_counts_per_status(client, logged_in, make_statement):
    from campaign.signatures import counts

    published = make_statement(title="Counted statement")
    counts.adjust(published.id, counted=3, listed=2)
    db.session.commit()
    make_statement(status=StatementStatus.draft)
    make_statement(status=StatementStatus.draft)
    logged_in(Role.viewer)
    page = _text(client.get("/dashboard"))
    assert "2 draft, 1 published, 0 closed." in page
    assert "Counted statement" in page
    row = page.split("Counted statement")[1].split("</tr>")[0]
    assert re.findall(r"<td[^>]*>(\d+)</td>", row)[:2] == ["3", "2"]
    assert f'href="/dashboard/statements/{published.id}"' in page


def test_the_statement_page_links_to_signatories_and_export(client, logged_in, make_statement):
    from flask import url_for

    statement = make_statement()
    logged_in(Role.viewer)
    page = _text(client.get(f"/dashboard/statements/{statement.id}"))
    with client.application.test_request_context():
        assert url_for("dashboard.signatures", statement_id=statement.id) in page
        assert url_for("dashboard.signatures_export", statement_id=statement.id) in page


def test_create_statement_refuses_a_slug_taken_by_another(app, make_statement):
    make_statement(slug="peace-now")
    with pytest.raises(StatementError) as error:
        create_statement("Peace now!")
    assert error.value.field == "slug"
    other = make_statement()
    with pytest.raises(StatementError):
        update_statement(other, slug="peace-now")
