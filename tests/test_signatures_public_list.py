"""A reader sees who signed: curated signatories first, then the others, page by page."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from campaign.signatures import counts
from campaign.signatures.models import SignatureStatus


def _listed(html: str) -> list[str]:
    return re.findall(r'<span class="signatory__name">([^<]+)</span>', html)


@pytest.fixture(autouse=True)
def three_a_page(settings):
    settings["SIGNATURES_PER_PAGE"] = 3


@pytest.fixture
def statement(make_statement, make_signature):
    statement = make_statement()
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    make_signature(statement, name="Curated Second", featured=True, featured_position=2,
                   email=None, created_at=start)
    make_signature(statement, name="Curated First", featured=True, featured_position=1,
                   email=None, affiliation="MP, Labour", personal_capacity=True,
                   created_at=start + timedelta(days=9))
    for day in range(1, 6):
        make_signature(statement, name=f"Supporter {day}", affiliation=f"Union {day}",
                       comment=f"secret comment {day}", created_at=start + timedelta(days=day))
    make_signature(statement, name="Quiet One", show_publicly=False)
    make_signature(statement, name="Quiet Two", show_publicly=False)
    make_signature(statement, name="Not Yet Confirmed", status=SignatureStatus.pending)
    make_signature(statement, name="Hidden Spam", status=SignatureStatus.hidden)
    make_signature(statement, name="Withdrawn", status=SignatureStatus.withdrawn, email=None)
    counts.reconcile(statement.id)
    return statement


def test_curated_signatories_come_first_in_their_order_then_the_newest(client, statement):
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)

    assert _listed(html) == [
        "Curated First", "Curated Second", "Supporter 5", "Supporter 4", "Supporter 3"]
    assert "9 signatures" in html
    assert ('<span class="signatory__affiliation">MP, Labour</span> '
            '<span class="signatory__capacity">(personal capacity)</span>') in html


def test_people_who_are_not_listed_are_counted_as_others(client, statement):
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "and 2 others who chose not to be listed" in html
    for name in ("Quiet One", "Not Yet Confirmed", "Hidden Spam", "Withdrawn"):
        assert name not in html


def test_comments_are_never_shown(client, statement):
    for page in (1, 2):
        html = client.get(f"/s/{statement.slug}?page={page}").get_data(as_text=True)
        assert "secret comment" not in html


def test_the_list_goes_on_over_pages(client, statement):
    first = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    second = client.get(f"/s/{statement.slug}?page=2").get_data(as_text=True)

    assert "Page 1 of 2" in first and f'href="/s/{statement.slug}?page=2"' in first
    assert _listed(second) == ["Supporter 2", "Supporter 1"]
    assert "Curated First" not in second
    assert client.get(f"/s/{statement.slug}?page=3").status_code == 404


def test_a_statement_nobody_listed_says_how_many_signed(client, make_statement,
                                                        make_signature):
    statement = make_statement()
    make_signature(statement, show_publicly=False)
    counts.reconcile(statement.id)
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "1 person signed without being listed by name." in html
    assert _listed(html) == []


def test_a_new_statement_invites_the_first_signature(client, make_statement):
    statement = make_statement()
    html = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "0 signatures" in html and "Nobody has signed yet." in html
