"""Abuse review: organizers see refused attempts and flagged surges, hide a batch and put it back."""
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
from campaign.signatures.models import Signature, SignatureStatus

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
    settings["RATELIMIT_ENABLED"] = True


def test_an_organizer_sees_how_many_signing_attempts_were_refused(
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

    html = _abuse_page(client, statement).get_data(as_text=True)

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
