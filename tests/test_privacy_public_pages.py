"""No public page gives away an email address, an IP address or a name not meant to be shown.

The public pages are collected from the app's URL map, so pages added later are checked too.
"""
import re

import pytest

from sqlalchemy import func, select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus

SIGNER_ADDRESS = "198.51.100.23"
#: Text that must appear on no public page.
SECRETS = (
    "shown.signer@signers.example", "hidden.signer@signers.example",
    "unconfirmed.signer@signers.example", "attendee@signers.example",
    "Unconfirmed Signer", "Hidden Signer", "Registered Attendee", SIGNER_ADDRESS,
)


@pytest.fixture
def people_on_file(client, make_statement, make_signature, make_event, sign, register):
    statement = make_statement(title="Stop the war", requires_confirmation=True)
    make_signature(statement, name="Shown Signer", email="shown.signer@signers.example",
                   show_publicly=True, country="GB")
    make_signature(statement, name="Hidden Signer", email="hidden.signer@signers.example",
                   show_publicly=False, country="UA")
    counts.reconcile(statement.id)
    client.environ_base["REMOTE_ADDR"] = SIGNER_ADDRESS
    sign(statement, name="Unconfirmed Signer", email="unconfirmed.signer@signers.example",
         show_publicly="y", country="PL")
    event = make_event(title="Launch meeting", statement_id=statement.id)
    register(event, name="Registered Attendee", email="attendee@signers.example")
    db.session.expire_all()
    return statement, event


def public_urls(app, statement, event) -> list[str]:
    """Every GET page outside the dashboard whose only arguments are slugs we can fill in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        if rule.endpoint.startswith("dashboard."):
            continue
        values = {}
        for argument in rule.arguments:
            if "slug" not in argument:
                break
            is_event = rule.rule.startswith("/e/") or rule.endpoint.startswith("events.")
            values[argument] = event.slug if is_event else statement.slug
        else:
            urls.append(rule.build(values)[1])
    return sorted(set(urls))


def test_no_email_ip_or_unshown_name_is_on_any_public_page(app, people_on_file):
    statement, event = people_on_file
    urls = public_urls(app, statement, event)
    assert {"/", f"/s/{statement.slug}", f"/e/{event.slug}"} <= set(urls)
    visitor = app.test_client()

    pages = 0
    for url in urls:
        response = visitor.get(url)
        if response.status_code != 200:
            continue
        pages += 1
        body = response.get_data().decode("utf-8", errors="replace")
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} appears on {url}"
        assert not re.search(r"[\w.+-]+@signers\.example", body), f"an address appears on {url}"

    assert pages >= 3
    statement_page = visitor.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "Shown Signer" in statement_page, "the check would see a name if it were there"


def test_the_public_count_leaves_out_unconfirmed_signatures(people_on_file):
    statement, _ = people_on_file

    totals = counts.totals(statement.id)

    assert (totals.counted, totals.listed) == (2, 1)
    assert totals == counts.exact_totals(statement.id)
    assert db.session.scalar(
        select(func.count()).where(Signature.status == SignatureStatus.pending)
    ) == 1, "the unconfirmed signature is on file, just not counted"
