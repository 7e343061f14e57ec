"""Failed logins: refused per address and per (account, address); an account is only slowed
down, and only for browsers that never logged in to it, so nobody can keep its owner out."""
from datetime import timedelta

import pytest

from campaign.common.time import utcnow
from campaign.organizers import throttle
from tests.conftest import PASSWORD

OWNER_ADDRESS = "192.0.2.10"


@pytest.fixture
def limits_on(settings, request):
    """Limits on, with their defaults or the test's own (`with_settings`)."""
    settings.update(RATELIMIT_ENABLED=True, **getattr(request, "param", {}))
    return settings


def with_settings(**values):
    return pytest.mark.parametrize("limits_on", [values], indirect=True, ids=[""])


def _log_in(client, email, password, address):
    return client.submit("/login", {"email": email, "password": password},
                         environ_base={"REMOTE_ADDR": address})


def _seconds_pass(monkeypatch, seconds: int) -> None:
    later = utcnow() + timedelta(seconds=seconds)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)


def test_an_attacker_spraying_one_account_from_many_addresses_cannot_keep_its_owner_out(
    limits_on, app, make_organizer, monkeypatch
):
    owner = make_organizer()
    owners_browser = app.test_client()
    assert _log_in(owners_browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    owners_browser.post("/logout", data={"csrf_token": owners_browser.csrf_token("/")})

    attacker = app.test_client()
    statuses = [_log_in(attacker, owner.email, "guess", f"203.0.113.{n}").status_code
                for n in range(1, 51)]
    assert statuses == [400] * 5 + [429] * 45

    assert _log_in(owners_browser, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302
    assert owners_browser.get("/dashboard").status_code == 200

    new_browser = app.test_client()
    slowed = _log_in(new_browser, owner.email, PASSWORD, "198.51.100.7")
    assert slowed.status_code == 429
    assert "Please try again in" in slowed.get_data(as_text=True)
    _seconds_pass(monkeypatch, int(slowed.headers["Retry-After"]))
    assert _log_in(new_browser, owner.email, PASSWORD, "198.51.100.7").status_code == 302
    assert new_browser.get("/dashboard").status_code == 200


def test_the_slow_down_grows_with_each_further_failure(limits_on, client, make_organizer,
                                                       monkeypatch):
    owner = make_organizer()
    for n in range(5):
        assert _log_in(client, owner.email, "guess", f"203.0.113.{n}").status_code == 400
    waits = []
    for n in range(3):
        slowed = _log_in(client, owner.email, "guess", f"198.51.100.{n}")
        waits.append(int(slowed.headers["Retry-After"]))
        _seconds_pass(monkeypatch, sum(waits))
        assert _log_in(client, owner.email, "guess", f"198.51.100.{n}").status_code == 400
    assert waits == [30, 60, 120]


@with_settings(LOGIN_ACCOUNT_ADDRESS_RATE_LIMIT="3 per 15 minutes", LOGIN_SLOWDOWN_AFTER=100)
def test_failed_logins_on_one_account_from_one_address_are_refused_there_only(
    limits_on, client, make_organizer
):
    owner, colleague = make_organizer(), make_organizer()
    statuses = [_log_in(client, owner.email, "guess", "203.0.113.5").status_code
                for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert _log_in(client, colleague.email, "guess", "203.0.113.5").status_code == 400
    assert _log_in(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_one_address_trying_many_accounts_is_refused_after_the_per_address_limit(
    limits_on, client, make_organizer
):
    statuses = [_log_in(client, f"guess{n}@example.org", "guess", "203.0.113.9").status_code
                for n in range(11)]
    assert statuses == [400] * 10 + [429]
    owner = make_organizer()
    assert _log_in(client, owner.email, PASSWORD, "203.0.113.9").status_code == 429
    assert _log_in(client, owner.email, PASSWORD, OWNER_ADDRESS).status_code == 302


def test_a_browser_that_logged_in_is_remembered_by_a_long_lived_private_cookie(
    client, make_organizer
):
    owner = make_organizer()
    response = _log_in(client, owner.email, PASSWORD, OWNER_ADDRESS)
    device_cookie = next(cookie for cookie in response.headers.getlist("Set-Cookie")
                         if cookie.startswith("login_device="))
    assert "HttpOnly" in device_cookie and "SameSite=Lax" in device_cookie
    assert "Path=/login" in device_cookie
    assert f"Max-Age={365 * 24 * 3600}" in device_cookie
