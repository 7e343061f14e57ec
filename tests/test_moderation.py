"""Organizers search, hide, curate, correct and delete signatures in the dashboard."""
import re

import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry
from campaign.signatures import counts, listing
from campaign.signatures.models import Signature, SignatureStatus


def _list_url(statement, **args) -> str:
    query = "&".join(f"{name}={value}" for name, value in args.items())
    return f"/dashboard/statements/{statement.id}/signatures" + (f"?{query}" if query else "")


def _names_listed(client, url: str) -> list[str]:
    html = client.get(url).get_data(as_text=True)
    return re.findall(r'<th scope="row"[^>]*>([^<]+?)\s*<', html)


def _signature_of(email: str) -> Signature:
    return db.session.scalar(select(Signature).where(Signature.email_index == email_index(email)))


def _audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def _curated(statement) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(s.name, s.featured_position) for s in listing.curated_signatories(statement)]


@pytest.fixture
def scene(make_statement, make_signature):
    """A statement with two curated signatories and three others, counts reconciled."""
    statement = make_statement()
    make_signature(statement, name="Curated One", featured=True, featured_position=1,
                   email=None)
    make_signature(statement, name="Curated Two", featured=True, featured_position=2,
                   email=None)
    make_signature(statement, name="Олена Коваленко", affiliation="Kyiv Teachers Union",
                   email="olena@example.org")
    make_signature(statement, name="Pending Person", status=SignatureStatus.pending,
                   email="pending@example.org")
    make_signature(statement, name="Quiet Person", show_publicly=False,
                   email="QUIET@Example.org")
    counts.reconcile(statement.id)
    return statement


def test_a_viewer_sees_every_signature_with_curated_ones_first(client, logged_in, scene):
    logged_in(Role.viewer)
    response = client.get(_list_url(scene))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _names_listed(client, _list_url(scene))[:2] == ["Curated One", "Curated Two"]
    assert "olena@example.org" in html and "Pending Person" in html
    assert 'action="/dashboard/signatures/' not in html  # no actions offered to a viewer


@pytest.mark.parametrize("term, expected", [
    ("олена", ["Олена Коваленко"]),
    ("ОЛЕНА", ["Олена Коваленко"]),
    ("teachers", ["Олена Коваленко"]),
    ("quiet@example.org", ["Quiet Person"]),
    ("quiet@example", []),  # addresses are encrypted: only a whole one is found
    ("%", []),
    ("_", []),
])
def test_search_ignores_case_in_any_script_across_name_affiliation_and_a_whole_email(
    client, logged_in, scene, term, expected
):
    logged_in(Role.viewer)
    assert _names_listed(client, _list_url(scene, q=term)) == expected


def test_search_follows_renames_and_deletions_and_finds_short_terms(
    client, logged_in, scene, make_signature
):
    """The search index (FTS5 on SQLite, trigrams on PostgreSQL) keeps up with every change."""
    logged_in(Role.viewer)
    renamed = _signature_of("olena@example.org")
    renamed.name = "Olha Bondarenko"
    db.session.commit()
    assert _names_listed(client, _list_url(scene, q="bondaren")) == ["Olha Bondarenko"]
    assert _names_listed(client, _list_url(scene, q="коваленко")) == []
    assert _names_listed(client, _list_url(scene, q="ol")) == ["Olha Bondarenko"]
    db.session.delete(renamed)
    db.session.commit()
    assert _names_listed(client, _list_url(scene, q="bondaren")) == []
    make_signature(scene, name="Taras O'Brien-Шевченко", affiliation='Union "Unity"')
    assert _names_listed(client, _list_url(scene, q='"unity"')) == ["Taras O&#39;Brien-Шевченко"]
    assert _names_listed(client, _list_url(scene, q="'brien-ш")) == ["Taras O&#39;Brien-Шевченко"]


def test_a_search_matching_more_than_it_counts_says_more_than(
    client, logged_in, make_statement, make_signature, monkeypatch
):
    from campaign.signatures import search

    monkeypatch.setattr(search, "SEARCH_COUNT_LIMIT", 3)
    statement = make_statement()
    for number in range(5):
        make_signature(statement, name=f"Kovalenko {number}")
    logged_in(Role.viewer)
    html = client.get(_list_url(statement, q="kovalenko")).get_data(as_text=True)
    assert "More than 3 signatures found" in html
    assert len(_names_listed(client, _list_url(statement, q="kovalenko"))) == 5
    html = client.get(_list_url(statement, q="kovalenko 4")).get_data(as_text=True)
    assert "1 signature found" in html


def test_the_search_box_says_that_only_a_whole_address_is_found(client, logged_in, scene):
    logged_in(Role.viewer)
    html = client.get(_list_url(scene)).get_data(as_text=True)
    assert "Part of a name or affiliation, or a whole email address" in html


def test_the_list_filters_by_status_and_refuses_an_unknown_status(client, logged_in, scene):
    logged_in(Role.viewer)
    assert _names_listed(client, _list_url(scene, status="pending")) == ["Pending Person"]
    assert client.get(_list_url(scene, status="bogus")).status_code == 400


def test_the_list_shows_fifty_a_page(client, logged_in, make_statement, make_signature):
    statement = make_statement()
    for number in range(51):
        make_signature(statement, name=f"Person {number:02d}")
    logged_in(Role.viewer)
    first = client.get(_list_url(statement)).get_data(as_text=True)
    assert len(_names_listed(client, _list_url(statement))) == 50
    assert "Page 1 of 2" in first
    assert _names_listed(client, _list_url(statement, page=2)) == ["Person 00"]


def test_anyone_not_logged_in_is_sent_to_log_in(client, scene):
    response = client.get(_list_url(scene))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_editor_hides_and_shows_a_signature_and_the_counts_follow(client, logged_in, scene):
    logged_in(Role.editor)
    olena = _signature_of("olena@example.org")
    page = _list_url(scene)

    hidden = client.submit(f"/dashboard/signatures/{olena.id}/hide",
                           {"q": "олена", "page": "1"}, page=page)

    assert hidden.status_code == 303
    assert hidden.headers["Location"].endswith(_list_url(scene, q="%D0%BE%D0%BB%D0%B5%D0%BD%D0%B0",
                                                          page=1))
    assert counts.totals(scene.id) == counts.Totals(3, 2)
    assert "Олена" not in client.get(f"/s/{scene.slug}").get_data(as_text=True)

    client.submit(f"/dashboard/signatures/{olena.id}/show", {}, page=page)

    assert counts.totals(scene.id) == counts.Totals(4, 3)
    assert counts.exact_totals(scene.id) == counts.Totals(4, 3)
    assert "Олена" in client.get(f"/s/{scene.slug}").get_data(as_text=True)
    assert _audit_actions() == ["signature.hide", "signature.show"]


def test_a_pending_signature_cannot_be_shown_into_the_count(client, logged_in, scene):
    logged_in(Role.editor)
    pending = db.session.scalar(select(Signature).where(Signature.name == "Pending Person"))
    response = client.submit(f"/dashboard/signatures/{pending.id}/show", {},
                             page=_list_url(scene))
    assert response.status_code == 303
    assert "cannot be changed that way" in client.get(_list_url(scene)).get_data(as_text=True)
    assert counts.totals(scene.id) == counts.Totals(4, 3)


def test_curating_keeps_the_order_gapless(client, logged_in, scene):
    logged_in(Role.editor)
    olena = _signature_of("olena@example.org")
    one = db.session.scalar(select(Signature).where(Signature.name == "Curated One"))
    page = _list_url(scene)

    client.submit(f"/dashboard/signatures/{olena.id}/feature", {}, page=page)
    assert _curated(scene) == [("Curated One", 1), ("Curated Two", 2), ("Олена Коваленко", 3)]

    client.submit(f"/dashboard/signatures/{olena.id}/move-up", {}, page=page)
    assert _curated(scene) == [("Curated One", 1), ("Олена Коваленко", 2), ("Curated Two", 3)]

    client.submit(f"/dashboard/signatures/{one.id}/move-up", {}, page=page)
    assert "already at that end" in client.get(page).get_data(as_text=True)

    client.submit(f"/dashboard/signatures/{one.id}/unfeature", {}, page=page)
    assert _curated(scene) == [("Олена Коваленко", 1), ("Curated Two", 2)]

    client.submit(f"/dashboard/signatures/{olena.id}/move-down", {}, page=page)
    assert _curated(scene) == [("Curated Two", 1), ("Олена Коваленко", 2)]
    html = client.get(f"/s/{scene.slug}").get_data(as_text=True)
    listing = html[html.index('id="signatories-title"'):]  # not the newest named by the form
    order = [listing.index(name) for name in ("Curated Two", "Олена Коваленко", "Curated One")]
    assert order == sorted(order)


def test_someone_who_chose_not_to_be_listed_cannot_be_curated(client, logged_in, scene):
    logged_in(Role.editor)
    quiet = db.session.scalar(select(Signature).where(Signature.name == "Quiet Person"))
    client.submit(f"/dashboard/signatures/{quiet.id}/feature", {}, page=_list_url(scene))
    assert "chose to be shown publicly" in client.get(_list_url(scene)).get_data(as_text=True)
    assert [name for name, _ in _curated(scene)] == ["Curated One", "Curated Two"]


def test_an_editor_corrects_a_name_and_affiliation(client, logged_in, scene):
    logged_in(Role.editor)
    olena = _signature_of("olena@example.org")
    url = f"/dashboard/signatures/{olena.id}/edit"

    invalid = client.submit(url, {"name": "", "affiliation": "x"}, page=url)
    saved = client.submit(url, {"name": "Olena Kovalenko", "affiliation": "Kyiv School 5"},
                          page=url)

    assert invalid.status_code == 400 and "Enter your name." in invalid.get_data(as_text=True)
    assert saved.status_code == 303
    db.session.expire_all()
    assert (olena.name, olena.affiliation) == ("Olena Kovalenko", "Kyiv School 5")
    assert _audit_actions() == ["signature.edit"]
    assert counts.totals(scene.id) == counts.Totals(4, 3)


def test_deleting_asks_first_then_removes_the_row_and_its_count(client, logged_in, scene):
    logged_in(Role.editor)
    two = db.session.scalar(select(Signature).where(Signature.name == "Curated Two"))
    url = f"/dashboard/signatures/{two.id}/delete"

    confirm_page = client.get(url)
    assert confirm_page.status_code == 200
    assert "Delete this signature?" in confirm_page.get_data(as_text=True)
    assert db.session.get(Signature, two.id) is not None

    response = client.submit(url, {}, page=url)

    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Signature, two.id) is None
    assert counts.totals(scene.id) == counts.Totals(3, 2)
    assert _curated(scene) == [("Curated One", 1)]
    assert _audit_actions() == ["signature.delete"]


def test_a_viewer_cannot_change_anything(client, logged_in, scene):
    logged_in(Role.viewer)
    olena = _signature_of("olena@example.org")
    page = _list_url(scene)
    for action in ("hide", "feature", "delete", "edit"):
        response = client.submit(f"/dashboard/signatures/{olena.id}/{action}", {}, page=page)
        assert response.status_code == 403, action
    db.session.expire_all()
    assert olena.status is SignatureStatus.confirmed and not olena.featured


def test_an_action_without_the_form_token_is_refused(client, logged_in, scene):
    logged_in(Role.editor)
    olena = _signature_of("olena@example.org")
    assert client.post(f"/dashboard/signatures/{olena.id}/hide").status_code == 400
    assert client.get(f"/dashboard/signatures/{olena.id}/hide").status_code == 405
    assert client.submit("/dashboard/signatures/999999/hide", {}, page=_list_url(scene)
                         ).status_code == 404
    db.session.expire_all()
    assert olena.status is SignatureStatus.confirmed


def test_a_search_lists_matching_curated_signatories_first_then_the_newest_across_pages(
    client, logged_in, make_statement, make_signature, monkeypatch
):
    from datetime import datetime, timedelta, timezone

    from campaign.dashboard import signatures_pages

    monkeypatch.setattr(signatures_pages, "SIGNATURES_PER_PAGE", 2)
    statement = make_statement()
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for position in (2, 1, 3):
        make_signature(statement, name=f"Curated Kovalenko {position}", featured=True,
                       featured_position=position, email=None,
                       created_at=start + timedelta(days=position))
    make_signature(statement, name="Curated Other", featured=True, featured_position=4,
                   email=None)
    for day in (1, 3, 2):
        make_signature(statement, name=f"Signer Kovalenko {day}",
                       created_at=start + timedelta(days=10 + day))
    make_signature(statement, name="Someone Else", created_at=start + timedelta(days=30))
    logged_in(Role.viewer)
    pages = [_names_listed(client, _list_url(statement, q="kovalenko", page=page))
             for page in (1, 2, 3, 4)]
    assert pages == [["Curated Kovalenko 1", "Curated Kovalenko 2"],
                     ["Curated Kovalenko 3", "Signer Kovalenko 2"],
                     ["Signer Kovalenko 3", "Signer Kovalenko 1"], []]
    assert "6 signatures found" in client.get(
        _list_url(statement, q="kovalenko")).get_data(as_text=True)
