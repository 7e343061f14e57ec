"""Abuse review: organizers see held signatures, refused attempts and flagged surges; approve or
hide what is held, hide a batch and put it back. (A meeting's held group approved:
test_signing_at_a_meeting.py.)"""
import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.abuse.models import HiddenBatch
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.signatures.models import HoldReason, Signature, SignatureStatus
from tests.pages import table_page, without_cell_labels

ADDRESS = "a1" * 32


def _abuse_page(client, statement):
    return client.get(f"/dashboard/statements/{statement.id}/abuse")


def _hide_form(page_html: str, nth: int = 0) -> tuple[str, dict]:
    """The action and fields of the n-th "Hide these" button (or of the button of the page that
    asks before hiding), as the browser would send them."""
    forms = re.findall(r'<form method="post" action="([^"]+/abuse/hide(?:/confirm)?)"[^>]*>'
                       r'(.*?)</form>', page_html, re.S)
    action, body = forms[nth]
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', body))
    return action, {name: value.replace("&#43;", "+") for name, value in fields.items()}


def _signatures(make_signature, statement, number, **values):
    return [make_signature(statement, **values) for _ in range(number)]


@pytest.fixture
def limits_on(settings):
    settings.update(RATELIMIT_ENABLED=True, SIGN_FLOOD_LIMIT="1 per minute")


def test_an_organizer_sees_how_many_signing_attempts_the_flood_limit_refused(
    limits_on, client, make_statement, login, make_organizer
):
    statement = make_statement()
    page = f"/s/{statement.slug}"
    for _ in range(3):
        client.submit(f"{page}/sign", {"name": "Ivan Franko", "consent": "y", "country": "UA",
                                       "email": f"{uuid.uuid4().hex[:8]}@example.org"}, page=page)
    login(make_organizer(Role.viewer))
    html = _abuse_page(client, statement).get_data(as_text=True)
    assert "The rate limits refused 2 attempts in the last 24 hours, 2 in all." in html


def test_a_surge_from_one_address_is_flagged_and_still_counts(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    _signatures(make_signature, statement, 12, ip_hash=ADDRESS)
    _signatures(make_signature, statement, 3)
    counts.reconcile(statement.id)
    logged_in(Role.viewer)

    html = without_cell_labels(_abuse_page(client, statement).get_data(as_text=True))

    assert f"One network address (hashed: {ADDRESS[:12]}…)" in html
    assert "<td>12</td>" in html
    assert "Hide these" not in html  # a viewer reviews; an editor acts
    assert counts.totals(statement.id).counted == 15


def test_an_editor_hides_a_flagged_batch_and_puts_exactly_those_back(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    confirmed = _signatures(make_signature, statement, 10, ip_hash=ADDRESS)
    pending = _signatures(make_signature, statement, 2, ip_hash=ADDRESS,
                          status=SignatureStatus.pending)
    earlier = make_signature(statement, ip_hash=ADDRESS, created_at=utcnow() - timedelta(days=1))
    hidden_before = make_signature(statement, ip_hash=ADDRESS, status=SignatureStatus.hidden)
    others = _signatures(make_signature, statement, 4)
    counts.reconcile(statement.id)
    assert counts.totals(statement.id).counted == 15
    logged_in(Role.editor)

    action, fields = _hide_form(_abuse_page(client, statement).get_data(as_text=True))
    action, fields = _hide_form(client.post(action, data=fields).get_data(as_text=True))
    hidden = client.post(action, data=fields, follow_redirects=True)

    assert "12 signatures are hidden" in hidden.get_data(as_text=True)
    statuses = {s.id: s.status for s in db.session.scalars(select(Signature)).all()}
    assert all(statuses[s.id] is SignatureStatus.hidden for s in confirmed + pending)
    assert statuses[earlier.id] is SignatureStatus.confirmed
    assert all(statuses[s.id] is SignatureStatus.confirmed for s in others)
    assert counts.totals(statement.id) == counts.exact_totals(statement.id) == counts.Totals(5, 5)
    assert "Nothing unusual right now." in hidden.get_data(as_text=True)

    # One of them turns out to be real and is shown again by hand before the undo.
    client.submit(f"/dashboard/signatures/{confirmed[0].id}/show", {},
                  page=f"/dashboard/statements/{statement.id}/signatures")
    batch = db.session.scalar(select(HiddenBatch))
    undone = client.submit(
        f"/dashboard/statements/{statement.id}/abuse/batches/{batch.id}/undo", {},
        page=f"/dashboard/statements/{statement.id}/abuse", follow_redirects=True,
    )

    assert "11 signatures are back as they were." in undone.get_data(as_text=True)
    db.session.expire_all()
    statuses = {s.id: s.status for s in db.session.scalars(select(Signature)).all()}
    assert all(statuses[s.id] is SignatureStatus.confirmed for s in confirmed)
    assert all(statuses[s.id] is SignatureStatus.pending for s in pending)
    assert statuses[hidden_before.id] is SignatureStatus.hidden
    assert counts.totals(statement.id) == counts.exact_totals(statement.id) == counts.Totals(15, 15)
    assert "Put back" in undone.get_data(as_text=True)
    again = client.submit(
        f"/dashboard/statements/{statement.id}/abuse/batches/{batch.id}/undo", {},
        page=f"/dashboard/statements/{statement.id}/abuse", follow_redirects=True,
    )
    assert "already been put back" in again.get_data(as_text=True)


def test_a_domain_or_country_far_above_the_statements_normal_is_flagged(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    last_week = utcnow() - timedelta(days=2)
    for n in range(60):
        make_signature(statement, email=f"p{n}@example.org", country="GB", created_at=last_week)
        make_signature(statement, email=f"q{n}@mail.test", country="UA", created_at=last_week)
    for n in range(30):
        make_signature(statement, email=f"bot{n}@spam.test", country="KP")
    for n in range(30):
        make_signature(statement, email=f"r{n}@example.org", country="GB")
    logged_in(Role.viewer)

    html = _abuse_page(client, statement).get_data(as_text=True)

    assert "Email domain spam.test" in html
    assert "Country KP" in html
    assert "Email domain example.org" not in html and "Country GB" not in html


def test_a_new_statement_has_no_normal_yet_so_only_addresses_are_flagged(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    for n in range(40):
        make_signature(statement, email=f"p{n}@example.org", country="GB")
    logged_in(Role.viewer)
    assert "Nothing unusual right now." in _abuse_page(client, statement).get_data(as_text=True)


def _hide_fields(statement, make_signature) -> tuple[str, str, dict]:
    _signatures(make_signature, statement, 10, ip_hash=ADDRESS)
    now = utcnow()
    fields = {"signal": "address", "value": ADDRESS,
              "since": (now - timedelta(hours=1)).isoformat(), "until": now.isoformat()}
    return (f"/dashboard/statements/{statement.id}/abuse/hide",
            f"/dashboard/statements/{statement.id}/abuse", fields)


def test_a_viewer_cannot_hide_a_batch(make_statement, make_signature, logged_in, client):
    statement = make_statement()
    url, page, fields = _hide_fields(statement, make_signature)
    logged_in(Role.viewer)
    assert client.submit(url, fields, page=page).status_code == 403
    assert db.session.scalar(select(HiddenBatch)) is None


def test_a_tampered_flag_is_refused_and_hides_nothing(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    url, page, fields = _hide_fields(statement, make_signature)
    now = utcnow()
    logged_in(Role.editor)
    for tampered in ({"signal": "password"}, {"since": "yesterday"}, {"since": "2026-01-01T00:00"},
                     {"since": now.isoformat(), "until": (now - timedelta(hours=1)).isoformat()},
                     {"value": ""}, {"value": "x" * 400}):
        assert client.submit(url, {**fields, **tampered}, page=page).status_code == 400
    assert db.session.scalar(select(HiddenBatch)) is None
    assert counts.exact_totals(statement.id).counted == 10


def _held(make_signature, statement, number, **values):
    return [make_signature(statement, status=SignatureStatus.pending,
                           held_reason=HoldReason.busy_address, **{"ip_hash": ADDRESS, **values})
            for _ in range(number)]


def _held_url(statement, *parts) -> str:
    return "/".join([f"/dashboard/statements/{statement.id}/abuse/held", *map(str, parts)])


def test_a_viewer_sees_the_held_signatures_but_cannot_approve_or_hide_them(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    [held] = _held(make_signature, statement, 1, name="Petro Held", affiliation="Kyiv Uni")
    make_signature(statement, name="Ivan Counted", ip_hash=ADDRESS)
    make_signature(statement, name="Olha Pending", status=SignatureStatus.pending,
                   ip_hash=ADDRESS)
    logged_in(Role.viewer)

    html = _abuse_page(client, statement).get_data(as_text=True)

    assert f"One network address (hashed: {ADDRESS[:12]}…): 1 held signature" in html
    assert "Petro Held" in html and "Kyiv Uni" in html
    assert "Ivan Counted" not in html and "Olha Pending" not in html
    assert "Approve" not in html
    page = f"/dashboard/statements/{statement.id}/abuse"
    for url in (_held_url(statement, held.id, "approve"), _held_url(statement, "approve")):
        assert client.submit(url, {"address": ADDRESS}, page=page).status_code == 403
    assert client.get(_held_url(statement, f"approve?address={ADDRESS}")).status_code == 403
    db.session.refresh(held)
    assert held.is_held


def test_an_editor_approves_one_held_signature_and_hides_another_whose_link_then_fails(
    make_statement, make_signature, logged_in, client, emailed_link
):
    statement = make_statement()
    approved, hidden = _held(make_signature, statement, 2)
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"

    one = client.submit(_held_url(statement, approved.id, "approve"), page=page,
                        follow_redirects=True)
    other = client.submit(_held_url(statement, hidden.id, "hide"), page=page,
                          follow_redirects=True)

    assert "1 signature is approved: it counts now." in one.get_data(as_text=True)
    assert "1 signature is hidden: it will never count." in other.get_data(as_text=True)
    db.session.expire_all()
    assert approved.status is SignatureStatus.confirmed and approved.confirmed_at
    assert hidden.status is SignatureStatus.hidden
    assert counts.totals(statement.id) == counts.exact_totals(statement.id) == counts.Totals(1, 1)
    again = client.submit(_held_url(statement, approved.id, "approve"), page=page,
                          follow_redirects=True)
    assert "no longer held" in again.get_data(as_text=True)


def test_approving_a_group_counts_those_still_held_once_even_if_some_confirmed_meanwhile(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    group = _held(make_signature, statement, 3)
    _held(make_signature, statement, 2, ip_hash="b2" * 32)
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"
    asked = client.get(_held_url(statement, f"approve?address={ADDRESS}"))
    assert "Approve 3 held signatures?" in asked.get_data(as_text=True)
    # One of them opens the link in their email before the organizer presses the button.
    client.submit(_held_url(statement, group[0].id, "approve"), page=page)

    approved = client.submit(_held_url(statement, "approve"), {"address": ADDRESS}, page=page,
                             follow_redirects=True)

    html = approved.get_data(as_text=True)
    assert "2 signatures are approved: they count now." in html
    assert "2 held signatures" in html  # the other address's group waits
    assert counts.totals(statement.id) == counts.exact_totals(statement.id) == counts.Totals(3, 3)


def test_held_signatures_whose_address_is_no_longer_kept_can_be_hidden_as_a_group(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    _held(make_signature, statement, 2, ip_hash=None)
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"
    assert "Network addresses no longer kept: 2 held signatures" in table_page(client, 
        page)

    asked = table_page(client, _held_url(statement, "hide?address="))
    assert "Hide 2 held signatures?" in asked
    hidden = client.submit(_held_url(statement, "hide"), {"address": ""}, page=page,
                           follow_redirects=True)

    assert "2 signatures are hidden: they will never count." in hidden.get_data(as_text=True)
    assert "No signature is held." in hidden.get_data(as_text=True)
    assert counts.exact_totals(statement.id).counted == 0


def test_a_tampered_group_is_refused_and_changes_nothing(
    make_statement, make_signature, logged_in, client
):
    statement = make_statement()
    _held(make_signature, statement, 2)
    logged_in(Role.editor)
    page = f"/dashboard/statements/{statement.id}/abuse"
    assert client.submit(_held_url(statement, "approve"), {"address": "x" * 65},
                         page=page).status_code == 400
    assert client.get(_held_url(statement, "approve?address=" + "x" * 65)).status_code == 400
    assert counts.exact_totals(statement.id).counted == 0
