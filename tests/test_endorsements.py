"""Organisations endorse a statement: a union fills in the public form, an organizer approves it,
and the statement page, the API and the CSV export list it; organizers can also enter one."""
import io
import json
import threading

import pytest

from PIL import Image
from sqlalchemy import select, text

from campaign import create_app
from campaign.endorsements.models import Endorsement, EndorsementStatus
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.privacy.duties import erase_person, export_person
from tests.conftest import CampaignClient


def _png(size=(200, 100), colour="crimson") -> io.BytesIO:
    data = io.BytesIO()
    Image.new("RGB", size, colour).save(data, format="PNG", pnginfo=None)
    data.seek(0)
    return data


def _endorse(client, statement, token_page=None, **fields):
    data = {"name": "Unite the Union", "kind": "trade_union", "web_address": "unite.example.org",
            "contact_email": "press@unite.example.org", "consent": "y", **fields}
    page = f"/s/{statement.slug}/endorse"
    return client.submit(page, data, page=token_page or page, content_type="multipart/form-data")


def _endorsements(statement) -> list[Endorsement]:
    return list(db.session.scalars(
        select(Endorsement).where(Endorsement.statement_id == statement.id)
    ))


def test_a_union_endorses_and_is_listed_once_an_organizer_approves(
        app, client, make_statement, make_organizer, login):
    statement = make_statement()
    sent = _endorse(client, statement, logo=(_png(), "logo.png"))
    assert sent.status_code == 303
    assert client.get(sent.headers["Location"]).status_code == 200
    [endorsement] = _endorsements(statement)
    assert endorsement.status is EndorsementStatus.pending
    assert endorsement.website == "https://unite.example.org"
    assert Image.open(io.BytesIO(endorsement.logo_png)).format == "PNG"

    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Unite the Union" not in page and "Endorsed by" not in page
    logo_url = f"/endorsements/{endorsement.id}/logo/{endorsement.logo_digest}.png"
    assert client.get(logo_url).status_code == 404

    login(make_organizer(Role.editor))
    listing = client.get(f"/dashboard/statements/{statement.id}/endorsements")
    assert "waiting for approval" in listing.get_data(as_text=True)
    assert client.submit(f"/dashboard/endorsements/{endorsement.id}/approve",
                         page=f"/dashboard/statements/{statement.id}/endorsements"
                         ).status_code == 303

    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Endorsed by 1 organisation" in page and "Unite the Union" in page
    assert "press@unite.example.org" not in page
    logo = client.get(logo_url)
    assert logo.status_code == 200 and logo.mimetype == "image/png"

    api = client.get(f"/api/statements/{statement.slug}/endorsements").get_json()
    assert api["endorsement_count"] == 1
    assert api["endorsements"][0]["name"] == "Unite the Union"
    assert api["endorsements"][0]["kind"] == "trade_union"
    assert "press@unite.example.org" not in json.dumps(api)
    assert client.get(f"/api/statements/{statement.slug}").get_json()["endorsement_count"] == 1


def test_endorsed_by_twelve_organisations_entered_by_organizers(
        client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    page = f"/dashboard/statements/{statement.id}/endorsements/new"
    for number in range(12):
        added = client.submit(page, {"name": f"Trades Council no. {number}",
                                     "kind": "community_group"}, page=page,
                              content_type="multipart/form-data")
        assert added.status_code == 303
    statement_page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Endorsed by 12 organisations" in statement_page

    exported = client.get(f"/dashboard/statements/{statement.id}/endorsements.csv")
    lines = exported.get_data(as_text=True).splitlines()
    assert lines[0] == "name,kind,website,status,contact_email,endorsed_at,approved_at"
    assert len(lines) == 13 and lines[1].startswith("Trades Council no. 0,community_group,")


def test_the_same_organisation_cannot_endorse_twice(client, make_statement):
    statement = make_statement()
    assert _endorse(client, statement).status_code == 303
    again = _endorse(client, statement, name="  unite THE union ")
    assert again.status_code == 400
    assert "already endorsed this statement" in again.get_data(as_text=True)
    assert len(_endorsements(statement)) == 1


def test_bad_endorsements_are_refused_with_a_message(client, make_statement):
    statement = make_statement()
    not_an_image = io.BytesIO(b"<svg onload=alert(1)></svg>")
    cases = [
        ({"name": ""}, "Enter the organisation"),
        ({"name": "Union\x00"}, "control characters"),
        ({"contact_email": "not an address"}, "right format"),
        ({"web_address": "javascript:alert(1)"}, "website"),
        ({"kind": "secret_society"}, "Not a valid choice"),
        ({"consent": ""}, "Tick the box"),
        ({"logo": (not_an_image, "logo.svg")}, "PNG, JPEG or WebP"),
        ({"logo": (_png(size=(3000, 10)), "big.png")}, "at most"),
    ]
    for fields, message in cases:
        response = _endorse(client, statement, **fields)
        assert response.status_code == 400, fields
        assert message in response.get_data(as_text=True), fields
    assert _endorsements(statement) == []
    assert client.get("/s/no-such-statement/endorse").status_code == 404
    assert client.get("/endorsements/99999999/logo/abc.png").status_code == 404


def test_a_draft_or_closed_statement_takes_no_public_endorsement(client, make_statement):
    from campaign.statements.models import StatementStatus

    draft = make_statement(status=StatementStatus.draft)
    assert client.get(f"/s/{draft.slug}/endorse").status_code == 404
    closed = make_statement(status=StatementStatus.closed)
    assert "no longer open" in client.get(f"/s/{closed.slug}/endorse").get_data(as_text=True)
    assert _endorse(client, closed, token_page="/login").status_code == 409
    assert _endorsements(closed) == []


def test_removing_an_endorsement_asks_first(client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    _endorse(client, statement)
    [endorsement] = _endorsements(statement)
    question = client.get(f"/dashboard/endorsements/{endorsement.id}/remove")
    assert question.status_code == 200 and "Remove this endorsement?" in question.get_data(
        as_text=True)
    assert len(_endorsements(statement)) == 1
    removed = client.submit(f"/dashboard/endorsements/{endorsement.id}/remove",
                            page=f"/dashboard/endorsements/{endorsement.id}/remove")
    assert removed.status_code == 303
    assert _endorsements(statement) == []


def test_the_contact_address_is_encrypted_and_covered_by_privacy_export_and_erasure(
        app, client, make_statement):
    statement = make_statement()
    _endorse(client, statement)
    stored = db.session.execute(text("SELECT contact_email FROM endorsements")).scalar_one()
    assert "unite.example.org" not in stored

    export = export_person("Press@unite.example.org")
    assert export["endorsements"][0]["organisation"] == "Unite the Union"
    assert export["endorsements"][0]["contact_email"] == "press@unite.example.org"

    erase_person("press@unite.example.org", actor="cli:test")
    db.session.expire_all()
    [endorsement] = _endorsements(statement)
    assert endorsement.contact_email is None and endorsement.contact_email_index is None
    assert endorsement.name == "Unite the Union"


def test_a_viewer_sees_endorsements_but_cannot_approve_or_enter(client, logged_in, make_statement):
    statement = make_statement()
    _endorse(client, statement)
    [endorsement] = _endorsements(statement)
    logged_in(Role.viewer)
    assert client.get(f"/dashboard/statements/{statement.id}/endorsements").status_code == 200
    assert client.get(f"/dashboard/endorsements/{endorsement.id}/logo.png").status_code == 404
    assert client.get(f"/dashboard/statements/{statement.id}/endorsements/new").status_code == 403


def test_the_same_organisation_endorsing_at_once_is_kept_once(settings, on_postgresql,
                                                              make_statement):
    if not on_postgresql:
        pytest.skip("real concurrent writers need PostgreSQL")
    statement = make_statement()
    slug = statement.slug
    settings.update(DB_POOL_SIZE=10, RATELIMIT_ENABLED=False)
    app = create_app(settings)
    app.test_client_class = CampaignClient
    clients = []
    for _ in range(8):
        client = app.test_client()
        clients.append((client, client.csrf_token(f"/s/{slug}/endorse")))
    barrier = threading.Barrier(len(clients))
    answers = []

    def endorse_at_once(client, token, number):
        with app.app_context():
            barrier.wait()
            response = client.post(f"/s/{slug}/endorse", data={
                "name": "Unite the Union" if number % 2 else "UNITE  the union",
                "kind": "trade_union", "contact_email": f"press{number}@unite.example.org",
                "consent": "y", "csrf_token": token,
            }, content_type="multipart/form-data")
            answers.append(response.status_code)

    threads = [threading.Thread(target=endorse_at_once, args=(*pair, number))
               for number, pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        db.engine.dispose()

    db.session.expire_all()
    assert sorted(answers) == [303] + [400] * 7
    assert len(_endorsements(statement)) == 1
