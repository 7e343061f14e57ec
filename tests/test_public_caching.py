"""Public pages any shared cache may keep, and public forms that need no session: a visitor
gets no cookie and no token of their own, and a POST from another site's page is refused."""
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from campaign.common import forms
from campaign.extensions import db
from campaign.signatures.models import Signature

SIGNER = {"name": "Olena Kovalenko", "email": "olena@example.org", "country": "UA",
          "consent": "y"}


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(Signature))


@pytest.fixture
def public_pages(make_statement, make_event):
    statement = make_statement()
    event = make_event()
    return ["/", f"/s/{statement.slug}", f"/e/{event.slug}", f"/s/{statement.slug}/embed"]


def test_an_anonymous_visitor_of_a_public_page_gets_a_page_any_cache_may_keep(
    client, public_pages
):
    for page in public_pages:
        response = client.get(page)
        assert response.status_code == 200, page
        assert "Set-Cookie" not in response.headers, page
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert {"public", "s-maxage=5", "stale-while-revalidate=60"} <= cache, page
        # Only the language varies, chosen by Accept-Language or the `lang` cookie (?lang=).
        assert response.headers["Vary"] == "Accept-Language, Cookie", page
        assert response.headers["ETag"], page


def test_a_visitor_who_has_the_page_already_gets_not_modified(client, public_pages):
    for page in public_pages:
        etag = client.get(page).headers["ETag"]
        again = client.get(page, headers={"If-None-Match": etag})
        assert again.status_code == 304, page
        assert again.get_data() == b""


def test_two_visitors_get_the_same_page_with_the_same_form_token(app, public_pages):
    first, second = app.test_client(), app.test_client()
    for page in public_pages:
        assert first.get(page).get_data() == second.get(page).get_data(), page


def test_a_person_signs_from_the_page_with_no_cookie_at_all(app, make_statement):
    statement = make_statement()
    browser = app.test_client(use_cookies=False)
    html = browser.get(f"/s/{statement.slug}").get_data(as_text=True)
    token = html.split('name="form_token" type="hidden" value="')[1].split('"')[0]

    response = browser.post(f"/s/{statement.slug}/sign", data={**SIGNER, "form_token": token},
                            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"})

    assert response.status_code == 302
    assert "Set-Cookie" not in response.headers
    assert _stored() == 1


@pytest.mark.parametrize("headers", [
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://sub.localhost"},
])
def test_a_signature_sent_by_another_sites_page_is_refused(client, make_statement, headers):
    statement = make_statement()
    response = client.post(f"/s/{statement.slug}/sign",
                           data={**SIGNER, "form_token": client.form_token()}, headers=headers)
    assert response.status_code == 403
    assert "can only be sent from this site" in response.get_data(as_text=True)
    assert _stored() == 0


def test_a_registration_sent_by_another_sites_page_is_refused(client, make_event):
    event = make_event()
    response = client.post(f"/e/{event.slug}", headers={"Origin": "https://attacker.example"},
                           data={"form_token": client.form_token(), "name": "Olena",
                                 "email": "olena@example.org", "consent": "y",
                                 "ticket": str(event.ticket_types[0].id)})
    assert response.status_code == 403


def test_an_expired_form_comes_back_as_filled_in_with_a_fresh_token(
    client, make_statement, monkeypatch
):
    statement = make_statement()
    old_token = client.form_token()
    two_days_later = time.time() + 2 * 24 * 3600 + forms.FORM_TOKEN_STEP
    monkeypatch.setattr(forms.time, "time", lambda: two_days_later)

    response = client.post(f"/s/{statement.slug}/sign", data={**SIGNER, "form_token": old_token})

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form has expired" in html
    assert 'value="Olena Kovalenko"' in html
    assert old_token not in html
    assert _stored() == 0


def test_a_form_token_that_has_been_used_expires_all_the_same(client, make_statement,
                                                               monkeypatch):
    statement = make_statement()
    token = client.form_token()
    first = client.post(f"/s/{statement.slug}/sign", data={**SIGNER, "form_token": token})
    assert first.status_code in (302, 303)

    two_days_later = time.time() + 2 * 24 * 3600 + forms.FORM_TOKEN_STEP
    monkeypatch.setattr(forms.time, "time", lambda: two_days_later)
    late = client.post(f"/s/{statement.slug}/sign",
                       data={**SIGNER, "email": "late@example.org", "form_token": token})

    assert late.status_code == 400
    assert "This form has expired" in late.get_data(as_text=True)
    assert _stored() == 1


def test_a_forged_form_token_is_refused(client, make_statement):
    statement = make_statement()
    forged = client.form_token().rsplit(".", 1)[0] + ".forged"
    response = client.post(f"/s/{statement.slug}/sign", data={**SIGNER, "form_token": forged})
    assert response.status_code == 400
    assert _stored() == 0


def test_login_and_dashboard_forms_keep_the_session_token(client):
    response = client.get("/login")
    assert 'name="csrf_token"' in response.get_data(as_text=True)
    refused = client.post("/login", data={"email": "a@example.org", "password": "x",
                                          "form_token": client.form_token()})
    assert refused.status_code == 400


def test_when_a_busy_pages_copy_runs_out_one_thread_renders_it_while_the_others_serve_the_old(
    monkeypatch
):
    from campaign.common import page_copies

    clock = [100.0]
    monkeypatch.setattr(page_copies.time, "monotonic", lambda: clock[0])
    copies = page_copies.PageCopies()
    copies.keep("page", "old count")
    clock[0] += 5  # older than the two seconds a copy lives

    first = copies.fresh("page", max_age=2)
    others = [copies.fresh("page", max_age=2) for _ in range(3)]
    copies.keep("page", "new count")

    assert first is None  # this one renders
    assert others == ["old count"] * 3  # the rest are not held up behind renders
    assert copies.fresh("page", max_age=2) == "new count"


def test_a_render_that_fails_lets_the_next_visitor_try_again(monkeypatch):
    from campaign.common import page_copies

    clock = [100.0]
    monkeypatch.setattr(page_copies.time, "monotonic", lambda: clock[0])
    copies = page_copies.PageCopies()
    copies.keep("page", "old count")
    clock[0] += 5
    assert copies.fresh("page", max_age=2) is None
    copies.keep("page", None)  # the render failed: nothing kept
    assert copies.fresh("page", max_age=2) is None  # the next visitor renders


def test_visitors_bringing_many_new_form_tokens_at_once_are_all_accepted(app, monkeypatch):
    """Each worker keeps the tokens it has checked; threads adding new ones at once (pages
    kept by caches for different lengths of time) neither fail nor lose one."""
    now = time.time()
    tokens = []
    with app.app_context():
        for step in range(500):  # 500 tokens, five minutes apart: all younger than two days
            monkeypatch.setattr(forms.time, "time",
                                lambda step=step: now - step * forms.FORM_TOKEN_STEP)
            tokens.append(forms.public_form_token())
    monkeypatch.setattr(forms.time, "time", lambda: now)
    tokens = sorted(set(tokens))
    start = threading.Barrier(8)
    answers, failures = [], []

    def visitor(mine):
        with app.app_context():
            start.wait()
            try:
                answers.extend(forms.is_valid_form_token(token) for token in mine)
            except Exception as error:  # a thread's exception would otherwise go unseen
                failures.append(repr(error))

    threads = [threading.Thread(target=visitor, args=(tokens[k::8],)) for k in range(8)]
    switching = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switching)

    assert failures == []
    assert len(answers) == len(tokens) and all(answers)
