"""A reader sees who signed: curated signatories first, then the others, page by page."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import SignatureStatus
from campaign.signatures.service import add_curated
from campaign.statements.importer import Signatory


def _listed(html: str) -> list[str]:
    """The names in the list of signatories (not the newest few named beside the form)."""
    listing = html[html.index('id="signatories-title"'):]
    return re.findall(r'<span class="signatory__name">([^<]+)</span>', listing)


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

    assert _listed(html) == ["Curated First", "Curated Second", "Supporter 5"]
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

    assert "Page 1 of 3" in first and f'href="/s/{statement.slug}?page=2"' in first
    assert _listed(second) == ["Supporter 4", "Supporter 3", "Supporter 2"]
    third = client.get(f"/s/{statement.slug}?page=3").get_data(as_text=True)
    assert _listed(third) == ["Supporter 1"] and "Page 3 of 3" in third
    assert client.get(f"/s/{statement.slug}?page=4").status_code == 404


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


def _curated(statement, how_many: int) -> None:
    """Curated signatories as an import adds them: "Curated 00001", "Curated 00002", ..."""
    add_curated(statement, [Signatory(f"Curated {n:05}", f"Union {n}", False)
                            for n in range(1, how_many + 1)])
    db.session.commit()


@pytest.fixture
def long_curated_list(app, make_statement, make_signature):
    """120 curated signatories and 60 others, 50 names a page."""
    app.config["SIGNATURES_PER_PAGE"] = 50
    statement = make_statement()
    _curated(statement, 120)
    start = datetime(2026, 3, 1, tzinfo=timezone.utc)
    for n in range(1, 61):
        make_signature(statement, name=f"Supporter {n:02}", created_at=start + timedelta(hours=n))
    counts.reconcile(statement.id)
    return statement


def _curated_names(first: int, last: int) -> list[str]:
    return [f"Curated {n:05}" for n in range(first, last + 1)]


def _supporters_newest_first(newest: int, oldest: int) -> list[str]:
    return [f"Supporter {n:02}" for n in range(newest, oldest - 1, -1)]


def test_a_long_curated_list_is_paged_with_the_others_after_it(client, long_curated_list):
    address = f"/s/{long_curated_list.slug}"
    pages = [client.get(f"{address}?page={n}").get_data(as_text=True) for n in (1, 2, 3, 4)]

    assert _listed(pages[0]) == _curated_names(1, 50)
    assert _listed(pages[1]) == _curated_names(51, 100)
    assert _listed(pages[2]) == _curated_names(101, 120) + _supporters_newest_first(60, 31)
    assert _listed(pages[3]) == _supporters_newest_first(30, 1)
    assert "Page 1 of 4" in pages[0] and "Page 4 of 4" in pages[3]
    assert "Also signed by" in pages[2]
    assert client.get(f"{address}?page=5").status_code == 404


def test_the_api_pages_the_curated_signatories_the_same_way(client, long_curated_list):
    address = f"/api/statements/{long_curated_list.slug}/signatories"
    first, third, fourth = (client.get(f"{address}?page={n}").get_json() for n in (1, 3, 4))

    assert [s["name"] for s in first["curated"]] == _curated_names(1, 50)
    assert first["signatories"] == [] and (first["page"], first["pages"]) == (1, 4)
    assert [s["name"] for s in third["curated"]] == _curated_names(101, 120)
    assert [s["name"] for s in third["signatories"]] == _supporters_newest_first(60, 31)
    assert all(s["curated"] for s in third["curated"])
    assert fourth["curated"] == []
    assert [s["name"] for s in fourth["signatories"]] == _supporters_newest_first(30, 1)
    assert client.get(f"{address}?page=5").status_code == 404


def test_a_statement_imported_with_25000_signatories_sends_pages_of_bounded_size(
    app, client, make_statement
):
    app.config["SIGNATURES_PER_PAGE"] = 50
    statement = make_statement()
    _curated(statement, 25_000)

    page = client.get(f"/s/{statement.slug}")
    answer = client.get(f"/api/statements/{statement.slug}/signatories")

    assert "25,000 signatures" in page.get_data(as_text=True)
    assert len(page.get_data()) < 200_000
    assert len(answer.get_data()) < 20_000
    assert answer.get_json()["pages"] == 500
    last = client.get(f"/s/{statement.slug}?page=500").get_data(as_text=True)
    assert _listed(last)[-1] == "Curated 25000"
