"""Which address a signature's stored address hash is made from: the socket's peer, unless
trusted proxies are in front, whatever a client writes in X-Forwarded-For."""
import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.common.hashing import ip_hash
from campaign.extensions import db
from campaign.signatures.models import Signature


def _sign_with(client, statement, email: str, forwarded_for: str):
    return client.submit(f"/s/{statement.slug}/sign", {
        "name": "Olena Kovalenko", "email": email, "country": "UA", "consent": "y",
    }, page=f"/s/{statement.slug}", headers={"X-Forwarded-For": forwarded_for})


def _stored_hash(email: str) -> str:
    return db.session.scalar(select(Signature.ip_hash).where(Signature.email_index == email_index(email)))


def test_with_no_trusted_proxy_a_forged_forwarded_for_is_not_what_is_kept(
    client, make_statement
):
    assert client.application.config["TRUSTED_PROXIES"] == 0
    client.environ_base["REMOTE_ADDR"] = "203.0.113.5"
    assert _sign_with(client, make_statement(), "peer@example.org", "198.51.100.7").status_code == 302
    assert _stored_hash("peer@example.org") == ip_hash("203.0.113.5")
    assert _stored_hash("peer@example.org") != ip_hash("198.51.100.7")


@pytest.fixture
def behind_one_proxy(settings):
    settings["TRUSTED_PROXIES"] = 1


def test_behind_one_trusted_proxy_the_address_it_saw_is_what_is_kept(
    behind_one_proxy, client, make_statement
):
    client.environ_base["REMOTE_ADDR"] = "10.0.0.2"
    response = _sign_with(client, make_statement(), "seen@example.org", "1.1.1.1, 203.0.113.7")
    assert response.status_code == 302
    assert _stored_hash("seen@example.org") == ip_hash("203.0.113.7")
