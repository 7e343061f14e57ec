"""Abuse limits: signing faster than one person from one address is held, a flood is refused
(per address and statement), failed logins per address and their slow-down per account, and
client addresses that a forged X-Forwarded-For cannot change. More on logins:
test_login_throttle.py; a meeting signing on one network: test_signing_at_a_meeting.py."""
import socket
import time
import uuid

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import Signature
from tests.conftest import PASSWORD


@pytest.fixture
def limits_on(settings, request):
    """Limits on, with the defaults below or the test's own (`indirect` parametrize)."""
    settings.update({
        "RATELIMIT_ENABLED": True,
        "SIGN_HOLD_AFTER": "1 per minute;5 per 5 minutes",
        "SIGN_FLOOD_LIMIT": "60 per minute",
        "LOGIN_RATE_LIMIT": "2 per minute",
        **getattr(request, "param", {}),
    })
    return settings


def with_settings(**values):
    return pytest.mark.parametrize("limits_on", [values], indirect=True, ids=[""])


def _sign(client, statement, headers=None, **overrides):
    data = {
        "name": "Taras Shevchenko",
        "email": f"{uuid.uuid4().hex[:10]}@example.org",
        "country": "UA",
        "consent": "y",
        "show_publicly": "y",
    }
    data.update(overrides)
    return client.submit(f"/s/{statement.slug}/sign", data, page=f"/s/{statement.slug}",
                         headers=headers or {})


def _stored(statement) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.statement_id == statement.id)
    )


def _counted(statement) -> int:
    return counts.totals(statement.id).counted


def test_a_second_signature_from_one_address_within_a_minute_is_held_not_refused(
    limits_on, client, make_statement
):
    statement = make_statement()
    first, second = _sign(client, statement), _sign(client, statement)
    assert (first.status_code, second.status_code) == (302, 302)
    assert "confirm=email" not in first.headers["Location"]
    assert second.headers["Location"].endswith(f"/s/{statement.slug}/thanks?confirm=email")
    assert (_stored(statement), _counted(statement)) == (2, 1)


@with_settings(SIGN_FLOOD_LIMIT="1 per minute")
def test_past_the_flood_limit_signing_is_refused_with_the_wait(limits_on, client, make_statement):
    statement = make_statement()
    assert _sign(client, statement).status_code == 302
    refused = _sign(client, statement)
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60
    page = refused.get_data(as_text=True)
    assert "Too many attempts" in page
    assert "Please try again in" in page and ("second" in page or "1 minute" in page)
    assert _stored(statement) == 1


@with_settings(SIGN_HOLD_AFTER="1 per 2 seconds")
def test_signatures_count_at_once_again_when_the_address_slows_down(
    limits_on, client, make_statement
):
    statement = make_statement()
    assert _sign(client, statement).status_code == 302
    assert _sign(client, statement).status_code == 302
    assert _counted(statement) == 1
    time.sleep(2.1)
    assert _sign(client, statement).status_code == 302
    assert (_stored(statement), _counted(statement)) == (3, 2)


@with_settings(SIGN_HOLD_AFTER="100 per minute;3 per 5 minutes")
def test_steady_signing_from_one_address_is_held_after_the_sustained_pace(
    limits_on, client, make_statement
):
    statement = make_statement()
    assert [_sign(client, statement).status_code for _ in range(4)] == [302] * 4
    assert (_stored(statement), _counted(statement)) == (4, 3)


@with_settings(SIGN_FLOOD_LIMIT="1 per minute")
def test_a_form_with_mistakes_does_not_use_up_the_signers_attempt(
    limits_on, client, make_statement
):
    statement = make_statement()
    assert _sign(client, statement, name="").status_code == 400
    assert _sign(client, statement, email="not an address").status_code == 400
    assert _sign(client, statement).status_code == 302
    assert _sign(client, statement).status_code == 429
    assert _counted(statement) == 1


def test_the_pace_is_kept_for_each_statement_separately(limits_on, client, make_statement):
    first, second = make_statement(), make_statement()
    assert _sign(client, first).status_code == 302
    assert _sign(client, second).status_code == 302
    assert (_counted(first), _counted(second)) == (1, 1)
    assert _sign(client, first).status_code == 302
    assert (_stored(first), _counted(first)) == (2, 1)


@with_settings(SIGN_FLOOD_LIMIT="1 per minute")
def test_the_flood_limit_counts_each_statement_separately(limits_on, client, make_statement):
    first, second = make_statement(), make_statement()
    assert _sign(client, first).status_code == 302
    assert _sign(client, second).status_code == 302
    assert _sign(client, first).status_code == 429


@with_settings(SIGN_FLOOD_LIMIT="2 per minute")
def test_a_forged_forwarded_for_header_escapes_neither_holding_nor_the_flood_limit(
    limits_on, client, make_statement
):
    assert client.application.config["TRUSTED_PROXIES"] == 0
    statement = make_statement()
    statuses = [
        _sign(client, statement, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(1, 4)
    ]
    assert statuses == [302, 302, 429]
    assert (_stored(statement), _counted(statement)) == (2, 1)


@with_settings(TRUSTED_PROXIES=1, SIGN_FLOOD_LIMIT="1 per minute")
def test_behind_one_trusted_proxy_the_address_it_saw_is_limited(
    limits_on, client, make_statement
):
    statement = make_statement()
    # The client forges the left part; the proxy appends the address it really saw.
    first = _sign(client, statement, headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.7"})
    forged = _sign(client, statement, headers={"X-Forwarded-For": "2.2.2.2, 203.0.113.7"})
    someone_else = _sign(client, statement, headers={"X-Forwarded-For": "203.0.113.8"})
    assert (first.status_code, forged.status_code, someone_else.status_code) == (302, 429, 302)
    assert _counted(statement) == 2


def _fail_login(client, email, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    return client.submit("/login", {"email": email, "password": "wrong password"},
                         headers=headers)


@with_settings(TRUSTED_PROXIES=1, LOGIN_SLOWDOWN_AFTER=2)
def test_failed_logins_to_one_account_from_any_address_slow_down_browsers_new_to_it(
    limits_on, app, client, make_organizer
):
    organizer = make_organizer()
    owners_browser = app.test_client()
    assert owners_browser.submit("/login", {"email": organizer.email, "password": PASSWORD}
                                 ).status_code == 302
    statuses = [_fail_login(client, organizer.email, f"203.0.113.{n}").status_code
                for n in range(1, 4)]
    assert statuses == [400, 400, 429]
    right_password = client.submit("/login", {"email": organizer.email, "password": PASSWORD},
                                   headers={"X-Forwarded-For": "203.0.113.99"})
    assert right_password.status_code == 429
    assert "Please try again in" in right_password.get_data(as_text=True)
    assert int(right_password.headers["Retry-After"]) > 0
    owners_browser.post("/logout", data={"csrf_token": owners_browser.csrf_token("/")})
    assert owners_browser.submit("/login", {"email": organizer.email, "password": PASSWORD}
                                 ).status_code == 302


@with_settings(TRUSTED_PROXIES=1)
def test_failed_logins_from_one_address_are_limited_across_accounts(
    limits_on, client, make_organizer
):
    statuses = [_fail_login(client, f"guess{n}@example.org", "198.51.100.5").status_code
                for n in range(3)]
    assert statuses == [400, 400, 429]
    organizer = make_organizer()
    other_address = client.submit("/login", {"email": organizer.email, "password": PASSWORD},
                                  headers={"X-Forwarded-For": "198.51.100.6"})
    assert other_address.status_code == 302


@with_settings(LOGIN_RATE_LIMIT="2 per 2 seconds")
def test_successful_logins_use_up_no_attempts_and_failures_expire(
    limits_on, client, make_organizer
):
    organizer = make_organizer()
    for _ in range(3):
        assert client.submit("/login", {"email": organizer.email, "password": PASSWORD}
                             ).status_code == 302
        client.post("/logout", data={"csrf_token": client.csrf_token("/")})
    assert [_fail_login(client, organizer.email).status_code for _ in range(3)] == [
        400, 400, 429]
    time.sleep(2.1)
    assert client.submit("/login", {"email": organizer.email, "password": PASSWORD}
                         ).status_code == 302


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@with_settings(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0",
               SIGN_FLOOD_LIMIT="2 per minute")
def test_while_redis_is_away_each_worker_keeps_holding_and_limiting_on_its_own(
    limits_on, client, make_statement
):
    statement = make_statement()
    assert [_sign(client, statement).status_code for _ in range(3)] == [302, 302, 429]
    assert (_stored(statement), _counted(statement)) == (2, 1)


def test_the_embedded_limits_sweep_their_counters_with_one_thread_however_many_signers(
    monkeypatch
):
    import threading

    from limits import parse
    from limits.storage import storage_from_string
    from limits.strategies import FixedWindowRateLimiter

    storage = storage_from_string("memory://")
    storage.SWEEP_SECONDS = 0.1
    limit = parse("1 per second")
    started = []
    start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start",
                        lambda thread: started.append(thread.name) or start(thread))

    for address in range(2000):  # a busy launch: a new address with every signature
        assert FixedWindowRateLimiter(storage).hit(limit, f"198.51.{address // 250}.{address}")
        if address % 100 == 0:
            time.sleep(0.02)  # longer than the library's own timer lives

    assert len(started) <= 1  # one sweeper for the process, not a timer thread every 10 ms
    deadline = time.monotonic() + 5
    while storage.storage and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not storage.storage, "counters past their time are swept"
    assert FixedWindowRateLimiter(storage).hit(limit, "198.51.0.0"), "and count afresh"
