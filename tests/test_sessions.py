"""An organizer's sessions end when they log out, when their password or role changes, when
they are deactivated or when an owner ends them; a copied session cookie ends with them."""
from datetime import datetime, timedelta, timezone

from flask_login.utils import encode_cookie
from sqlalchemy import func, select

from campaign import create_app
from campaign.audit.models import AuditEntry
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.statements.models import Statement
from tests.conftest import PASSWORD, CampaignClient


def _copy_of_session(app, browser) -> CampaignClient:
    """Another browser holding a copy of `browser`'s session cookie, as a thief would."""
    thief = app.test_client()
    thief.set_cookie("session", browser.get_cookie("session").value)
    return thief


def _logs_in(browser, organizer, password=PASSWORD):
    return browser.submit("/login", {"email": organizer.email, "password": password})


def _session_cookie(response) -> str:
    return next(cookie for cookie in response.headers.getlist("Set-Cookie")
                if cookie.startswith("session="))


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(
    app, client, make_organizer
):
    editor = make_organizer(Role.editor)
    _logs_in(client, editor)
    thief = _copy_of_session(app, client)
    assert thief.get("/dashboard").status_code == 200
    token = thief.csrf_token("/dashboard/statements/new")

    client.post("/logout", data={"csrf_token": client.csrf_token("/")})

    assert thief.get("/dashboard").status_code == 302
    created = thief.post("/dashboard/statements/new",
                         data={"title": "Not theirs to write", "csrf_token": token})
    assert created.status_code == 302 and created.headers["Location"].startswith("/login")
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 0


def test_a_remember_me_cookie_ends_with_the_sessions(app, client, make_organizer):
    editor = make_organizer(Role.editor)
    _logs_in(client, editor)
    remember_me = encode_cookie(editor.get_id())
    before, after = app.test_client(), app.test_client()
    before.set_cookie("remember_token", remember_me)
    assert before.get("/dashboard").status_code == 200

    client.post("/logout", data={"csrf_token": client.csrf_token("/")})

    after.set_cookie("remember_token", remember_me)
    assert after.get("/dashboard").status_code == 302


def test_a_new_password_set_on_the_command_line_ends_the_old_sessions(
    app, client, runner, make_organizer
):
    editor = make_organizer(Role.editor)
    _logs_in(client, editor)
    result = runner.invoke(args=["organizers", "password", editor.email.upper(),
                                 "--password-stdin"], input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output

    assert client.get("/dashboard").status_code == 302
    assert _logs_in(client, editor).status_code == 400
    assert _logs_in(client, editor, "a brand new passphrase").status_code == 302
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action.like("organizer.%"))
                             ) == "organizer.password"


def test_organizers_password_refuses_an_unknown_email_and_a_short_password(runner,
                                                                          make_organizer):
    make_organizer(email="known@example.org")
    unknown = runner.invoke(args=["organizers", "password", "nobody@example.org",
                                  "--password-stdin"], input="a long enough password\n")
    assert unknown.exit_code != 0 and "No organizer has the email" in unknown.output
    short = runner.invoke(args=["organizers", "password", "known@example.org",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output


def test_a_new_role_ends_the_organizers_sessions(app, client, logged_in, make_organizer):
    editor = make_organizer(Role.editor)
    editors_browser = app.test_client()
    _logs_in(editors_browser, editor)
    logged_in(Role.owner)

    response = client.submit(f"/dashboard/organizers/{editor.id}/role", {"role": "viewer"},
                             page="/dashboard/organizers")
    assert response.status_code == 303

    assert editors_browser.get("/dashboard").status_code == 302
    _logs_in(editors_browser, editor)
    assert editors_browser.get("/dashboard/statements/new").status_code == 403


def test_an_owner_cannot_change_their_own_role(client, logged_in):
    owner = logged_in(Role.owner)
    client.submit(f"/dashboard/organizers/{owner.id}/role", {"role": "viewer"},
                  page="/dashboard/organizers")
    page = client.get("/dashboard/organizers").get_data(as_text=True)
    assert "You cannot change your own role." in page
    assert owner.role is Role.owner


def test_deactivating_an_organizer_ends_their_sessions(app, client, logged_in, make_organizer):
    editor = make_organizer(Role.editor)
    editors_browser = app.test_client()
    _logs_in(editors_browser, editor)
    logged_in(Role.owner)

    client.submit(f"/dashboard/organizers/{editor.id}/deactivate", page="/dashboard/organizers")

    assert editors_browser.get("/dashboard").status_code == 302


def test_an_owner_ends_all_sessions_of_another_organizer(app, client, logged_in,
                                                        make_organizer):
    editor = make_organizer(Role.editor)
    laptop, phone = app.test_client(), app.test_client()
    _logs_in(laptop, editor)
    _logs_in(phone, editor)
    owner = logged_in(Role.owner)

    page = client.get("/dashboard/organizers").get_data(as_text=True)
    assert f'href="/dashboard/organizers/{editor.id}/end-sessions"' in page
    response = client.submit(f"/dashboard/organizers/{editor.id}/end-sessions",
                             page="/dashboard/organizers")
    assert response.status_code == 303
    assert "All sessions of" in client.get("/dashboard/organizers").get_data(as_text=True)

    assert laptop.get("/dashboard").status_code == 302
    assert phone.get("/dashboard").status_code == 302
    assert client.get("/dashboard").status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organizer.end_sessions"))
    assert (entry.actor, entry.target) == (owner.email, f"organizer:{editor.email}")
    assert _logs_in(laptop, editor).status_code == 302


def test_ending_sessions_needs_the_forms_csrf_token(client, logged_in, make_organizer):
    editor = make_organizer(Role.editor)
    logged_in(Role.owner)
    response = client.post(f"/dashboard/organizers/{editor.id}/end-sessions")
    assert response.status_code == 400
    assert db.session.scalar(
        select(func.count()).select_from(AuditEntry)
        .where(AuditEntry.action == "organizer.end_sessions")) == 0


def test_a_session_ends_after_the_idle_hours_unless_used(client, make_organizer):
    response = _logs_in(client, make_organizer())
    expires = _session_cookie(response).split("Expires=")[1].split(";")[0]
    ends = datetime.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=timezone.utc)
    assert timedelta(hours=11) < ends - utcnow() <= timedelta(hours=12)
    assert "Expires=" in _session_cookie(client.get("/dashboard"))


def test_cookies_are_secure_when_the_site_is_https(settings, monkeypatch, make_organizer):
    monkeypatch.setenv("BASE_URL", "https://sign.example.org")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    app = create_app({**settings, "BASE_URL": "https://sign.example.org"})
    app.test_client_class = CampaignClient
    with app.app_context():
        organizer = make_organizer()
        response = _logs_in(app.test_client(), organizer)
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
