"""Organizers log in and out; bad credentials and the CLI."""
from sqlalchemy import select

from campaign.extensions import db
from campaign.organizers.models import Organizer, Role


def test_an_organizer_logs_in_with_the_right_password(client, make_organizer, login):
    organizer = make_organizer(Role.editor)
    login(organizer)
    response = client.get("/dashboard")
    assert response.status_code == 200


def test_a_wrong_password_is_refused_with_a_message(client, make_organizer):
    organizer = make_organizer()
    response = client.submit("/login", {"email": organizer.email, "password": "nope"})
    assert response.status_code == 400
    assert "The email or password is not right." in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_login_never_redirects_to_another_site(client, make_organizer):
    organizer = make_organizer()
    token = client.csrf_token()
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"email": organizer.email, "password": "correct horse battery staple",
              "csrf_token": token},
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


def test_the_session_cookie_is_httponly_and_samesite_lax(client, make_organizer):
    organizer = make_organizer()
    response = client.submit("/login", {"email": organizer.email,
                                        "password": "correct horse battery staple"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_attempts_are_limited_per_account(settings, make_organizer):
    from campaign import create_app

    settings.update(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    app = create_app(settings)
    from tests.conftest import CampaignClient

    app.test_client_class = CampaignClient
    with app.app_context():
        organizer = make_organizer()
        client = app.test_client()
        codes = [
            client.submit("/login", {"email": organizer.email, "password": "wrong"}).status_code
            for _ in range(4)
        ]
    assert codes == [400, 400, 400, 429]


def test_organizers_create_reads_the_password_from_stdin(runner, app):
    result = runner.invoke(
        args=["organizers", "create", "Owner@Example.org", "--name", "Mykola", "--role", "owner",
              "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    organizer = db.session.scalar(select(Organizer))
    assert organizer.email == "owner@example.org"
    assert organizer.role is Role.owner
    assert organizer.password_hash.startswith("scrypt:")


def test_organizers_create_refuses_a_short_password_and_a_duplicate(runner, make_organizer):
    make_organizer(email="taken@example.org")
    short = runner.invoke(args=["organizers", "create", "new@example.org", "--name", "N",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least" in short.output
    duplicate = runner.invoke(args=["organizers", "create", "TAKEN@example.org", "--name", "N",
                                    "--password-stdin"], input="a long enough password\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
