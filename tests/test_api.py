"""A partner site reads statements, live counts and listed signatories as JSON."""
from campaign.signatures.service import SignatoryDetails, sign
from campaign.statements.models import StatementStatus


def _sign(statement, name, email, show_publicly=True, **extra):
    sign(statement, SignatoryDetails(name=name, email=email, show_publicly=show_publicly, **extra))


def test_a_partner_site_reads_a_statement_with_its_demands_and_count(client, make_statement):
    statement = make_statement(signature_goal=100)
    _sign(statement, "Olena Petrenko", "olena@example.org")
    _sign(statement, "Hidden Person", "hidden@example.org", show_publicly=False)

    response = client.get(f"/api/statements/{statement.slug}")

    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = response.get_json()
    assert body["title"] == statement.title
    assert [d["position"] for d in body["demands"]] == [1, 2]
    assert body["demands"][0]["heading"] == "Aid"
    assert body["signature_count"] == 2 and body["listed_count"] == 1
    assert body["signature_goal"] == 100 and body["open_for_signing"] is True


def test_the_signatory_list_shows_only_public_names_and_never_an_email(client, make_statement):
    statement = make_statement()
    _sign(statement, "Olena Petrenko", "olena@example.org", affiliation="Nurse, Unison",
          country="UA", comment="private words")
    _sign(statement, "Hidden Person", "hidden@example.org", show_publicly=False)

    response = client.get(f"/api/statements/{statement.slug}/signatories")

    body = response.get_json()
    assert [s["name"] for s in body["signatories"]] == ["Olena Petrenko"]
    assert body["not_listed"] == 1
    text = response.get_data(as_text=True)
    for secret in ("olena@example.org", "hidden@example.org", "Hidden Person", "private words"):
        assert secret not in text


def test_the_list_of_statements_leaves_out_drafts(client, make_statement):
    published = make_statement(title="Published one")
    make_statement(title="Draft one", status=StatementStatus.draft)

    body = client.get("/api/statements").get_json()

    assert [s["slug"] for s in body["statements"]] == [published.slug]


def test_unknown_or_draft_statements_and_wrong_methods_get_clean_errors(client, make_statement):
    draft = make_statement(status=StatementStatus.draft)
    assert client.get(f"/api/statements/{draft.slug}").status_code == 404
    assert client.get("/api/statements/no-such-thing").status_code == 404
    assert client.get("/api/statements/%ff%fe").status_code == 404
    assert client.post("/api/statements").status_code == 405
    assert client.get(f"/api/statements/{draft.slug}/signatories?page=abc").status_code == 404


def test_a_page_number_past_any_listing_is_not_found_rather_than_an_error(client, make_statement):
    statement = make_statement()
    _sign(statement, "Olena Petrenko", "olena@example.org")

    for address in ("/api/statements", f"/api/statements/{statement.slug}/signatories"):
        for page in ("99999999999999999999", "9223372036854775808", "1000001", "0", "-5"):
            response = client.get(f"{address}?page={page}")
            assert response.status_code == 404, (address, page)
            assert "Page not found" in response.get_data(as_text=True)
        assert client.get(f"{address}?page=1").status_code == 200
