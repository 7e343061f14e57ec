"""A forged Host header reaches nobody: full links come from BASE_URL, other hosts get a 400.

An attacker who sends `Host: evil.example` (or, behind a trusted proxy, `X-Forwarded-Host`)
must not get that name into the page kept for the next visitors, nor into any email.
"""
import re

import pytest
from flask import request
from sqlalchemy import select

from campaign.mail.service import message_bodies
from campaign.common.hashing import email_index
from campaign.common.page_copies import shared_page
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.web import public_cache

ATTACKER = "evil.example"
FORGED_HEADERS = [
    pytest.param({"Host": ATTACKER}, id="Host"),
    pytest.param({"X-Forwarded-Host": ATTACKER}, id="X-Forwarded-Host"),
]


@pytest.fixture
def behind_a_proxy(settings):
    """One trusted proxy in front, so X-Forwarded-Host is believed (as in production)."""
    settings["TRUSTED_PROXIES"] = 1


@pytest.fixture
def page_copies_on(settings):
    settings["PAGE_CACHE_SECONDS"] = 60


@pytest.fixture
def public_address(settings) -> str:
    settings["BASE_URL"] = "https://sign.example.org"
    return settings["BASE_URL"]


def _meta(html: str, name: str) -> str:
    return re.search(rf'<meta (?:property|name)="{name}" content="([^"]+)">', html).group(1)


@pytest.mark.parametrize("forged", FORGED_HEADERS)
def test_a_forged_host_never_reaches_the_next_visitors_of_a_statement_page(
    forged, behind_a_proxy, page_copies_on, public_address, app, make_statement
):
    statement = make_statement()
    page = f"/s/{statement.slug}"

    attack = app.test_client().get(page, headers=forged)

    assert attack.status_code == 400
    for _ in range(3):
        visitor = app.test_client().get(page)
        html = visitor.get_data(as_text=True)
        assert visitor.status_code == 200
        assert ATTACKER not in html
        assert _meta(html, "og:url") == f"{public_address}/s/{statement.slug}"
        assert _meta(html, "og:image") == f"{public_address}/s/{statement.slug}/card.png"
        assert _meta(html, "twitter:image") == f"{public_address}/s/{statement.slug}/card.png"
        assert f'<link rel="canonical" href="{public_address}/s/{statement.slug}">' in html


@pytest.mark.parametrize("forged", FORGED_HEADERS)
def test_a_request_for_a_host_this_site_does_not_serve_gets_the_plain_400_page(
    forged, behind_a_proxy, client, make_statement
):
    statement = make_statement()
    for page in (f"/s/{statement.slug}", "/", "/no-such-page", "/readyz"):
        response = client.get(page, headers=forged)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, page
        assert "Something in that request was not right" in html
        assert ATTACKER not in html
        assert 'href="/"' in html  # the usual page, its links on this site
    refused_post = client.post(f"/s/{statement.slug}/sign", headers=forged)
    assert refused_post.status_code == 400


def test_the_site_answers_on_the_host_of_its_base_url_and_on_the_machine_itself(
    public_address, client, make_statement
):
    statement = make_statement()
    for host in ("sign.example.org", "localhost", "127.0.0.1:5000"):
        assert client.get(f"/s/{statement.slug}", headers={"Host": host}).status_code == 200


@pytest.fixture
def two_names(settings):
    """A site served under a second name as well, listed in TRUSTED_HOSTS."""
    settings["TRUSTED_HOSTS"] = " localhost , www.example.org,.example.net"


def test_trusted_hosts_names_every_host_the_site_answers_on(two_names, client):
    assert client.get("/healthz", headers={"Host": "www.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "campaign.example.net"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1"}).status_code == 400


def test_a_page_copy_kept_for_one_name_of_the_site_is_never_served_on_another(
    two_names, page_copies_on, app
):
    @app.get("/which-host")
    @shared_page
    @public_cache
    def which_host():
        return f"<p>Asked for {request.host}</p>"

    first = app.test_client().get("/which-host", headers={"Host": "www.example.org"})
    second = app.test_client().get("/which-host", headers={"Host": "localhost"})

    assert "Asked for www.example.org" in first.get_data(as_text=True)
    assert "Asked for localhost" in second.get_data(as_text=True)


def test_links_that_leave_the_page_use_base_url_whatever_host_the_page_was_asked_on(
    public_address, client, make_statement, logged_in
):
    statement = make_statement()
    statement_url = f"{public_address}/s/{statement.slug}"
    client.environ_base["HTTP_HOST"] = "127.0.0.1:5000"

    page = client.get(f"/s/{statement.slug}")
    thanks = client.get(f"/s/{statement.slug}/thanks")
    api = client.get(f"/api/statements/{statement.slug}")
    logged_in()
    dashboard = client.get(f"/dashboard/statements/{statement.id}")

    assert _meta(page.get_data(as_text=True), "og:url") == statement_url
    assert f'value="{statement_url}"' in thanks.get_data(as_text=True)
    assert api.get_json()["url"] == statement_url
    assert f"&lt;iframe src=&#34;{statement_url}/embed&#34;" in dashboard.get_data(as_text=True)
    for response in (page, thanks, api, dashboard):
        assert "127.0.0.1" not in response.get_data(as_text=True)


def test_emailed_links_use_base_url_whatever_host_the_form_was_sent_to(
    public_address, client, make_statement, sign
):
    statement = make_statement(requires_confirmation=True)
    client.environ_base["HTTP_HOST"] = "127.0.0.1:5000"

    sign(statement, email="olena@example.org")

    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index("olena@example.org"))
    )
    links = re.findall(r"https?://[^\s\"<>]+", message_bodies(message)[0] + message_bodies(message)[1])
    assert links
    assert all(link.startswith(f"{public_address}/") for link in links), links
