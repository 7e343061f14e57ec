"""An owner answers a person's requests (a copy, erasure), and old personal data is anonymised."""
import json
import os
import stat
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from campaign.common.time import utcnow
from campaign.events.models import Registration, RegistrationStatus
from campaign.extensions import db
from campaign.mail.models import OutboxMessage, OutboxStatus
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry
from campaign.audit.service import person_reference
from campaign.common.hashing import email_index, ip_hash
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import StatementStatus

PERSON = "Ian.Ford+petitions@gmail.com"


def rows(model, *where):
    db.session.expire_all()
    return list(db.session.scalars(select(model).where(*where).order_by(model.id)))


def audit(action):
    return rows(AuditEntry, AuditEntry.action == action)


def country_totals(statement):
    return dict(db.session.execute(
        select(Signature.country, func.count()).where(
            Signature.statement_id == statement.id,
            Signature.status == SignatureStatus.confirmed,
        ).group_by(Signature.country)
    ).all())


@pytest.fixture
def person_on_file(make_statement, make_event, sign, register):
    """Ian has signed two statements (once as a pending signature) and registered for an event;
    others have signed and registered too."""
    confirmed = make_statement(title="Stop the war")
    pending = make_statement(title="Send aid", requires_confirmation=True)
    event = make_event(title="Launch meeting")
    sign(confirmed, name="Ian Ford", email=PERSON, country="GB", affiliation="Unite",
         show_publicly="y", comment="In solidarity")
    sign(pending, name="Ian Ford", email="ianford@GMAIL.com", country="GB")
    sign(confirmed, name="Olena Kovalenko", email="olena@example.org", country="UA",
         show_publicly="y")
    register(event, name="Ian Ford", email="IANFORD@gmail.com")
    register(event, name="Oksana Holota", email="oksana@example.org")
    return confirmed, pending, event


def test_signing_and_registering_record_the_consent_version_of_the_notice(
    app, make_statement, make_event, sign, register, client
):
    app.config["CONSENT_VERSION"] = "2027-01-15"
    statement, event = make_statement(), make_event()

    sign(statement, email="signer@example.org")
    register(event, email="attendee@example.org")

    assert [s.consent_version for s in rows(Signature)] == ["2027-01-15"]
    assert [r.consent_version for r in rows(Registration)] == ["2027-01-15"]
    assert "Version 2027-01-15" in client.get("/privacy").get_data(as_text=True)


def test_the_privacy_notice_states_the_configured_terms(app, client):
    app.config.update(PRIVACY_CONTROLLER="Ukraine Solidarity Campaign",
                    PRIVACY_CONTACT="data@example.net", RETENTION_DAYS=90,
                    IP_HASH_RETENTION_DAYS=14)

    html = client.get("/privacy").get_data(as_text=True)

    assert "Ukraine Solidarity Campaign is the controller" in html
    assert "data@example.net" in html
    assert "erased 90 days after" in html and "deleted after 14 days" in html


def test_a_signers_ip_address_is_kept_only_as_a_keyed_hash(client, make_statement, sign, app):
    client.environ_base["REMOTE_ADDR"] = "203.0.113.77"
    sign(make_statement(), email="signer@example.org")

    [signature] = rows(Signature)
    assert signature.ip_hash == ip_hash("203.0.113.77") == ip_hash(" ::ffff:203.0.113.77 ")
    assert len(signature.ip_hash) == 64 and ip_hash("203.0.113.78") != signature.ip_hash
    stored = " ".join(str(value) for value in vars(signature).values())
    assert "203.0.113.77" not in stored
    app.config["SECRET_KEY"] = "another deployment's key"
    assert ip_hash("203.0.113.77") != signature.ip_hash, "the hash depends on SECRET_KEY"


def test_an_owner_looks_a_person_up_and_downloads_a_copy_of_their_data(
    person_on_file, client, logged_in
):
    confirmed, pending, event = person_on_file
    owner = logged_in(Role.owner)

    found = client.submit("/dashboard/privacy", {"email": "ian.ford@gmail.com"},
                          page="/dashboard/privacy")
    html = found.get_data(as_text=True)
    assert found.status_code == 200
    assert "Stop the war" in html and "Send aid" in html and "Launch meeting" in html
    assert "Olena" not in html and "Oksana" not in html
    assert found.headers["Cache-Control"] == "no-store"

    download = client.submit("/dashboard/privacy/export", {"email": "ianford@gmail.com"},
                             page="/dashboard/privacy")

    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.get_data(as_text=True))
    assert data["email"] == "ianford@gmail.com"
    titles = sorted(s["statement"]["title"] for s in data["signatures"])
    assert titles == ["Send aid", "Stop the war"]
    signed = next(s for s in data["signatures"] if s["statement"]["title"] == "Stop the war")
    assert signed["name"] == "Ian Ford" and signed["email"] == PERSON
    assert signed["affiliation"] == "Unite" and signed["comment"] == "In solidarity"
    assert signed["status"] == "confirmed" and signed["consent_version"]
    [registration] = data["registrations"]
    assert registration["event"]["title"] == "Launch meeting"
    [ians] = rows(Registration, Registration.name == "Ian Ford")
    assert registration["reference"] == ians.reference
    assert {m["to"].lower() for m in data["messages"]} == {"ianford@gmail.com", PERSON.lower()}
    assert "olena@example.org" not in json.dumps(data)

    [entry] = audit("privacy.export")
    assert entry.actor == owner.email and entry.organizer_id == owner.id
    assert entry.target == person_reference(PERSON)
    assert "ianford" not in (entry.target + entry.detail).lower()


def test_only_owners_reach_the_privacy_pages(client, logged_in):
    logged_in(Role.editor)

    assert client.get("/dashboard/privacy").status_code == 403
    assert client.get("/dashboard/audit").status_code == 403
    token = client.csrf_token("/dashboard/mail")
    for path in ("/dashboard/privacy/export", "/dashboard/privacy/erase"):
        response = client.post(path, data={"csrf_token": token, "email": "a@example.org",
                                           "confirm": "y"})
        assert response.status_code == 403
    assert audit("privacy.export") == [] and audit("privacy.erase") == []


def test_a_malformed_address_is_refused_with_a_message(client, logged_in):
    logged_in(Role.owner)

    for path in ("/dashboard/privacy", "/dashboard/privacy/export", "/dashboard/privacy/erase"):
        for email in ("not-an-address", "a@b\x00.org", "x" * 400 + "@example.org", ""):
            response = client.submit(path, {"email": email, "confirm": "y"},
                                     page="/dashboard/privacy")
            assert response.status_code == 400, (path, email)
            assert "There is a problem" in response.get_data(as_text=True)
    assert audit("privacy.export") == [] and audit("privacy.erase") == []


def test_an_owner_erases_a_person_everywhere_and_the_counts_stay_right(
    person_on_file, client, logged_in
):
    confirmed, pending, event = person_on_file
    owner = logged_in(Role.owner)
    before = counts.totals(confirmed.id)

    asked = client.submit("/dashboard/privacy/erase", {"email": "ianford@gmail.com"},
                          page="/dashboard/privacy")
    assert asked.status_code == 200
    assert "Erase everything held on ianford@gmail.com?" in asked.get_data(as_text=True)
    assert len(rows(Signature, Signature.name == "Ian Ford")) == 2

    erased = client.submit("/dashboard/privacy/erase",
                           {"email": "ianford@gmail.com", "confirm": "y"},
                           page="/dashboard/privacy", follow_redirects=True)

    assert "Erased everything held on that address" in erased.get_data(as_text=True)
    for model in (Signature, Registration):
        assert rows(model, model.name == "Ian Ford") == []
        assert [held for held in rows(model) if "ianford" in (held.email or "").lower()] == []
        assert rows(model, model.email_index == email_index("ianford@gmail.com")) == []
    assert rows(Signature, Signature.affiliation == "Unite") == []
    assert [held for held in rows(Signature) if held.comment == "In solidarity"] == []
    assert [message for message in rows(OutboxMessage) if "ianford" in message.to.lower()] == []
    assert rows(OutboxMessage, OutboxMessage.to_index == email_index(PERSON)) == []  # the receipt
    assert rows(OutboxMessage, OutboxMessage.to_index == email_index("oksana@example.org")) != []
    after = counts.totals(confirmed.id)
    assert after == counts.exact_totals(confirmed.id)
    assert (after.counted, after.listed) == (before.counted - 1, before.listed - 1)
    assert "Ian Ford" not in client.get(f"/s/{confirmed.slug}").get_data(as_text=True)
    erased_registration = rows(Registration, Registration.email.is_(None))
    assert [r.status for r in erased_registration] == [RegistrationStatus.cancelled]
    [entry] = audit("privacy.erase")
    assert entry.actor == owner.email and entry.target == person_reference(PERSON)
    assert "2 signatures, 1 registrations" in entry.detail

    again = client.submit("/dashboard/privacy", {"email": "ianford@gmail.com"},
                          page="/dashboard/privacy").get_data(as_text=True)
    assert "Nothing is held on this address." in again
    assert (f"{owner.name} erased everything held on one person: 2 signatures, "
            "1 registration, and 3 emails.") in again, (
        "the earlier erasure is shown by the address's reference")


def test_a_waiting_resend_request_is_in_the_copy_and_goes_with_the_erasure(
    person_on_file, client, logged_in
):
    """"Send my confirmation link again" is held, encrypted, until the mail sender's next round:
    until then the copy lists it and an erasure deletes it, so no link is sent after."""
    from campaign.mail.sender import send_due
    from campaign.signatures.models import ResendRequest
    from campaign.signatures.service import resend_confirmation

    confirmed, pending, event = person_on_file
    resend_confirmation(pending, "IanFord@gmail.com")
    resend_confirmation(pending, "olena@example.org")
    logged_in(Role.owner)

    found = client.submit("/dashboard/privacy", {"email": "ianford@gmail.com"},
                          page="/dashboard/privacy").get_data(as_text=True)
    assert ("Requests from this address to send a confirmation link again, not yet sent: 1."
            in found)
    download = client.submit("/dashboard/privacy/export", {"email": "ian.ford@gmail.com"},
                             page="/dashboard/privacy")
    [request] = json.loads(download.get_data(as_text=True))["resend_requests"]
    assert request["statement"]["title"] == "Send aid"
    assert request["email"] == "IanFord@gmail.com" and request["requested_at"]
    assert "olena" not in download.get_data(as_text=True)
    assert "1 resend requests" in audit("privacy.export")[0].detail

    erased = client.submit("/dashboard/privacy/erase",
                           {"email": "ianford@gmail.com", "confirm": "y"},
                           page="/dashboard/privacy", follow_redirects=True)
    assert erased.status_code == 200
    assert [held.email for held in rows(ResendRequest)] == ["olena@example.org"]
    assert "1 resend requests" in audit("privacy.erase")[0].detail
    send_due()
    assert rows(ResendRequest) == []
    assert rows(OutboxMessage, OutboxMessage.to_index == email_index(PERSON)) == []
    assert rows(OutboxMessage, OutboxMessage.kind == "signature_confirmation") == [], (
        "no link again for the erased request (nor for Olena, who signed the other statement)")
    again = client.submit("/dashboard/privacy", {"email": "ianford@gmail.com"},
                          page="/dashboard/privacy").get_data(as_text=True)
    assert "Nothing is held on this address." in again


def test_a_resend_request_alone_is_something_held(make_statement, sign, runner):
    from campaign.signatures.service import resend_confirmation

    statement = make_statement(requires_confirmation=True)
    resend_confirmation(statement, "never.signed@example.org")
    found = runner.invoke(args=["privacy", "erase", "never.signed@example.org"], input="n\n")
    assert "Nothing is held" not in found.output and "1 resend requests" in found.output
    exported = runner.invoke(args=["privacy", "export", "never.signed@example.org"])
    assert json.loads(exported.output)["resend_requests"][0]["email"] == \
        "never.signed@example.org"
    erased = runner.invoke(args=["privacy", "erase", "never.signed@example.org", "--yes"])
    assert erased.exit_code == 0, erased.output
    assert runner.invoke(args=["privacy", "erase", "never.signed@example.org", "--yes"]) \
        .output.startswith("Nothing is held")


def test_erasing_a_confirmed_place_gives_it_to_the_first_person_waiting(
    make_event, register, runner
):
    event = make_event(capacity=1)
    register(event, name="First In", email="first@example.org")
    register(event, name="Next Waiting", email="next@example.org")

    result = runner.invoke(args=["privacy", "erase", "first@example.org", "--yes"])

    assert result.exit_code == 0, result.output
    [waiting] = rows(Registration, Registration.name == "Next Waiting")
    assert waiting.status is RegistrationStatus.confirmed
    assert rows(OutboxMessage, OutboxMessage.to_index == email_index("next@example.org"),
                OutboxMessage.kind == "registration_promoted")


def test_erase_on_the_command_line_shows_what_it_found_and_asks_first(person_on_file, runner):
    declined = runner.invoke(args=["privacy", "erase", "ianford@gmail.com"], input="n\n")

    assert "2 signatures, 1 registrations" in declined.output
    assert declined.exit_code != 0
    assert len(rows(Signature, Signature.name == "Ian Ford")) == 2

    accepted = runner.invoke(args=["privacy", "erase", "ianford@gmail.com"], input="y\n")

    assert accepted.exit_code == 0, accepted.output
    assert rows(Signature, Signature.name == "Ian Ford") == []
    [entry] = audit("privacy.erase")
    assert entry.actor.startswith("cli")

    nothing = runner.invoke(args=["privacy", "erase", "ianford@gmail.com", "--yes"])
    assert "Nothing is held on ianford@gmail.com" in nothing.output
    assert runner.invoke(args=["privacy", "erase", "nonsense"]).exit_code == 2


def test_export_on_the_command_line_to_standard_output_or_a_private_file(
    person_on_file, runner, tmp_path
):
    printed = runner.invoke(args=["privacy", "export", "ianford@gmail.com"])

    assert printed.exit_code == 0, printed.output
    assert len(json.loads(printed.stdout)["signatures"]) == 2

    target = tmp_path / "ian.json"
    written = runner.invoke(args=["privacy", "export", "ianford@gmail.com", "-o", str(target)])

    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text("utf-8"))["registrations"][0]["name"] == "Ian Ford"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert len(audit("privacy.export")) == 2


@pytest.fixture
def closed_long_ago(make_statement, make_signature, make_event, register):
    """A statement closed 200 days ago and an event that ended then, with people's data on them;
    and a statement still open, whose signatures must be left alone."""
    long_ago = utcnow() - timedelta(days=200)
    closed = make_statement(title="Closed long ago", status=StatementStatus.published,
                            closes_at=long_ago)
    for name, country in (("Anna", "UA"), ("Ben", "GB"), ("Cara", "GB"), ("Dan", "PL")):
        make_signature(closed, name=name, country=country, affiliation="Union",
                       comment="Yes", ip_hash="f" * 64)
    make_signature(closed, name="Eve Pending", country="GB", status=SignatureStatus.pending)
    counts.reconcile(closed.id)
    open_statement = make_statement(title="Still open")
    make_signature(open_statement, name="Olga Open", country="UA")
    past_event = make_event(starts_at=long_ago - timedelta(hours=2), ends_at=long_ago)
    future_event = make_event()
    register(future_event, name="Future Guest", email="future@example.org")
    db.session.add(Registration(
        event_id=past_event.id, ticket_type_id=past_event.ticket_types[0].id, name="Past Guest",
        email="past@example.org", affiliation="Guild",
        status=RegistrationStatus.confirmed, reference="PAST2345", checked_in_at=long_ago,
    ))
    db.session.commit()
    return closed, open_statement


def test_anonymising_keeps_counts_and_country_totals_and_is_idempotent(closed_long_ago, runner):
    closed, open_statement = closed_long_ago
    before_totals, before_countries = counts.totals(closed.id), country_totals(closed)

    result = runner.invoke(args=["privacy", "anonymise"])

    assert result.exit_code == 0, result.output
    assert "5 signatures were anonymised" in result.output
    assert "1 registrations were anonymised" in result.output
    anonymised = rows(Signature, Signature.statement_id == closed.id)
    assert all(s.email is None and s.email_index is None and s.email_domain is None
               and s.ip_hash is None for s in anonymised)
    assert not {"Anna", "Ben", "Cara", "Dan", "Eve Pending"} & {s.name for s in anonymised}
    assert {s.affiliation for s in anonymised} == {""} and {s.comment for s in anonymised} == {""}
    assert counts.totals(closed.id).counted == before_totals.counted == 4
    assert counts.totals(closed.id) == counts.exact_totals(closed.id)
    assert country_totals(closed) == before_countries == {"UA": 1, "GB": 2, "PL": 1}
    [past] = rows(Registration, Registration.reference == "PAST2345")
    assert (past.name, past.email, past.affiliation) != ("Past Guest", "past@example.org", "Guild")
    assert past.email is None and past.status is RegistrationStatus.confirmed
    assert past.checked_in_at is not None
    assert rows(Signature, Signature.name == "Olga Open") != []
    assert rows(Registration, Registration.name == "Future Guest") != []
    [entry] = audit("privacy.anonymise")
    assert "5 signatures" in entry.detail

    again = runner.invoke(args=["privacy", "anonymise"])

    assert "0 signatures were anonymised" in again.output
    assert "0 registrations were anonymised" in again.output
    assert len(audit("privacy.anonymise")) == 1, "a run that changes nothing is not logged"


def test_a_dry_run_says_what_it_would_do_and_changes_nothing(closed_long_ago, runner):
    snapshot = [(s.id, s.name, s.email, s.ip_hash) for s in rows(Signature)]

    result = runner.invoke(args=["privacy", "anonymise", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert "5 signatures would be anonymised" in result.output
    assert "1 registrations would be anonymised" in result.output
    assert [(s.id, s.name, s.email, s.ip_hash) for s in rows(Signature)] == snapshot
    assert audit("privacy.anonymise") == []


def test_days_sets_how_long_after_closing_data_is_kept(closed_long_ago, runner):
    kept = runner.invoke(args=["privacy", "anonymise", "--days", "365"])
    assert "0 signatures were anonymised" in kept.output

    closed = runner.invoke(args=["privacy", "anonymise", "--days", "30"])
    assert "5 signatures were anonymised" in closed.output
    assert runner.invoke(args=["privacy", "anonymise", "--days", "-1"]).exit_code == 2


def test_a_statement_closed_by_hand_counts_from_when_it_was_closed(
    make_statement, make_signature, runner
):
    statement = make_statement(status=StatementStatus.closed)
    make_signature(statement, name="Closed By Hand")
    recent = runner.invoke(args=["privacy", "anonymise"])
    assert "0 signatures" in recent.output

    statement.updated_at = utcnow() - timedelta(days=181)
    db.session.commit()
    runner.invoke(args=["privacy", "anonymise"])

    assert rows(Signature, Signature.name == "Closed By Hand") == []


def test_ip_hashes_and_old_mail_go_after_their_own_retention_periods(
    make_statement, make_signature, runner, app
):
    statement = make_statement()
    make_signature(statement, name="Old", ip_hash="a" * 64,
                   created_at=utcnow() - timedelta(days=31))
    make_signature(statement, name="New", ip_hash="b" * 64)
    month_ago = utcnow() - timedelta(days=31)
    db.session.add_all([
        OutboxMessage(kind="test", to="old@example.org", sender="x", subject="Old", body_text="",
                      status=OutboxStatus.sent, created_at=month_ago),
        OutboxMessage(kind="test", to="failed@example.org", sender="x", subject="Failed",
                      body_text="", status=OutboxStatus.failed, created_at=month_ago),
        OutboxMessage(kind="test", to="new@example.org", sender="x", subject="New", body_text="",
                      status=OutboxStatus.sent),
    ])
    db.session.commit()

    result = runner.invoke(args=["privacy", "anonymise"])

    assert "1 IP hashes older than 30 days were dropped" in result.output
    assert {s.name: s.ip_hash for s in rows(Signature)} == {"Old": None, "New": "b" * 64}
    assert [m.subject for m in rows(OutboxMessage)] == ["New"]


def test_owners_read_the_audit_log_newest_first_a_page_at_a_time(client, logged_in, app):
    from campaign.audit.service import record

    owner = logged_in(Role.owner)
    start = utcnow() - timedelta(hours=2)
    for number in range(60):
        entry = record("statement.edit", f"statement:s{number:02d}", "title", actor=owner)
        entry.created_at = start + timedelta(minutes=number)
    record("privacy.erase", "person:abc", "1 signatures, 0 registrations, 2 messages",
           actor="cli:ops").created_at = utcnow()
    db.session.commit()

    first = client.get("/dashboard/audit").get_data(as_text=True)
    second = client.get("/dashboard/audit?page=2").get_data(as_text=True)

    erased = ("Someone at the command line (ops) erased everything held on one person: "
              "1 signature, 0 registrations, and 2 emails.")
    positions = [first.index(text) for text in (erased, "“s59”", "“s58”")]
    assert positions == sorted(positions), "newest first"
    assert "“s09”" not in first and "“s09”" in second
    assert f"{owner.name} changed the title of “s59”." in first
    only_erasures = client.get("/dashboard/audit?action=privacy.erase").get_data(as_text=True)
    assert erased in only_erasures and "“s59”" not in only_erasures
    assert '<option value="privacy.erase" selected>Erasing a person&#39;s data</option>' in (
        only_erasures)
    assert client.get("/dashboard/audit?page=999999999").status_code == 404


def test_anonymising_is_audited_with_who_ran_it(closed_long_ago, runner):
    runner.invoke(args=["privacy", "anonymise"])

    [entry] = audit("privacy.anonymise")
    assert entry.actor.startswith("cli")
    assert Counter(e.action for e in rows(AuditEntry))["signature.anonymise"] == 5
