"""Fixtures: `app`, `client`, `runner`, and factories (`make_statement(**overrides)` ...).

The suite runs on SQLite by default. With TEST_DATABASE_URL=postgresql+psycopg://...
it runs on PostgreSQL instead, in a fresh database made for the run and dropped after.
The schema comes from the migrations, once per run; each test starts with empty tables.
"""
import os
import re
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from campaign.mail.service import message_bodies
from campaign.common.forms import public_form_token
from campaign.common.hashing import email_index
from campaign import create_app
from campaign.extensions import db
from campaign.organizers.models import Organizer, Role
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Campaign, Demand, Statement, StatementStatus
from werkzeug.security import generate_password_hash

PASSWORD = "correct horse battery staple"
#: Fixed keys (32 bytes, base64) for every test app: the run's database is encrypted under them.
DATA_KEY = "dGVzdC1kYXRhLWtleS0tLTMyLWJ5dGVzLWV4YWN0bHk="
INDEX_KEY = "dGVzdC1pbmRleC1rZXktLTMyLWJ5dGVzLWV4YWN0bHk="
_CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                         r'type="hidden" name="csrf_token" value="([^"]+)"|'
                         r'name="csrf_token" value="([^"]+)"')


@contextmanager
def empty_database(folder, prefix: str = "campaign_test"):
    """The URL of a database with nothing in it, dropped afterwards.

    A file in `folder` on SQLite; with TEST_DATABASE_URL, a new database on that PostgreSQL server.
    """
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{prefix}.sqlite3'}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    with empty_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def test_settings(database_url, tmp_path_factory):
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATA_KEY": DATA_KEY,
        "DATA_KEYS_RETIRED": "",
        "INDEX_KEY": INDEX_KEY,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "PAGE_CACHE_SECONDS": 0,
        "REDIS_URL": "",
        "MAIL_SERVER": "",
        "MAIL_SEND_IN_BACKGROUND": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
        "SHARE_CARD_DIR": str(tmp_path_factory.mktemp("share-cards")),
    }


@pytest.fixture(scope="session")
def _schema(test_settings):
    """Migrate the run's database to head once."""
    from campaign.extensions import upgrade_database

    app = create_app(test_settings)
    with app.app_context():
        upgrade_database()
        db.engine.dispose()


class CampaignClient(FlaskClient):
    """A test client that fills in the CSRF token like a browser submitting the page's form."""

    def csrf_token(self, page: str = "/login") -> str:
        token = self.session_csrf_token(page)
        assert token, f"no CSRF token on {page}"
        return token

    def session_csrf_token(self, page: str) -> str | None:
        """The session's CSRF token on `page`; None on a public form's page, which has none."""
        match = _CSRF_FIELD.search(self.get(page).get_data(as_text=True))
        return next(group for group in match.groups() if group) if match else None

    def form_token(self) -> str:
        """The signed token the public forms carry, the same for everyone (no session)."""
        with self.application.app_context():
            return public_form_token()

    def submit(self, url: str, data: dict | None = None, page: str = "/login", **kwargs):
        data = dict(data or {})
        if "csrf_token" not in data:
            data["csrf_token"] = self.session_csrf_token(page) or self.csrf_token()
        data.setdefault("form_token", self.form_token())
        return self.post(url, data=data, **kwargs)

    def open(self, *args, **kwargs):
        """Start each request with an empty `g`, as a server does. The test's app context
        (and so `g`) is shared by every request, and Flask-Login and Flask-WTF keep the
        user and the CSRF token there: without this a second client would inherit them."""
        for name in list(g):
            g.pop(name)
        return super().open(*args, **kwargs)


@pytest.fixture
def settings(test_settings):
    """Per-test overrides: a test may change this dict before asking for `app`."""
    return dict(test_settings)


@pytest.fixture
def app(settings, _schema):
    app = create_app(settings)
    app.test_client_class = CampaignClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _empty_tables():
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def client(app) -> CampaignClient:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def on_postgresql(app) -> bool:
    return db.engine.dialect.name == "postgresql"


@pytest.fixture
def make_campaign(app):
    def make(**overrides):
        values = {"name": "Ukraine Solidarity Campaign", "slug": f"c-{uuid.uuid4().hex[:8]}"}
        values.update(overrides)
        campaign = Campaign(**values)
        db.session.add(campaign)
        db.session.commit()
        return campaign

    return make


@pytest.fixture
def make_statement(app, make_campaign):
    """A statement, published unless told otherwise, with demands given as (heading, body) pairs."""

    def make(demands=(("Aid", "Send aid now."), ("Peace", "A just peace.")), **overrides):
        values = {
            "title": "A free and united Ukraine",
            "slug": f"statement-{uuid.uuid4().hex[:8]}",
            "preamble": "We, the undersigned, stand with Ukraine.",
            "closing": "Add your name.",
            "status": StatementStatus.published,
            "requires_confirmation": False,
        }
        values.update(overrides)
        if "campaign" not in values and "campaign_id" not in values:
            values["campaign"] = make_campaign()
        statement = Statement(**values)
        statement.demands = [
            Demand(position=i, heading=h, body=b) for i, (h, b) in enumerate(demands, start=1)
        ]
        db.session.add(statement)
        db.session.commit()
        return statement

    return make


@pytest.fixture
def make_signature(app):
    """A signature stored directly (no counting): for setting the scene, not for testing signing."""

    def make(statement, **overrides):
        values = {
            "statement_id": statement.id,
            "name": "Ada Lovelace",
            "affiliation": "",
            "email": f"{uuid.uuid4().hex[:10]}@example.org",
            "country": "GB",
            "show_publicly": True,
            "status": SignatureStatus.confirmed,
        }
        values.update(overrides)
        signature = Signature(**values)
        db.session.add(signature)
        db.session.commit()
        return signature

    return make


@pytest.fixture
def make_organizer(app):
    def make(role: Role = Role.owner, **overrides):
        values = {
            "email": f"organizer-{uuid.uuid4().hex[:8]}@example.org",
            "name": "Olena Organizer",
            "password_hash": generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
            "role": role,
        }
        values.update(overrides)
        organizer = Organizer(**values)
        db.session.add(organizer)
        db.session.commit()
        return organizer

    return make


@pytest.fixture
def login(client):
    """Log `client` in through the real login form."""

    def log_in(organizer, password: str = PASSWORD):
        response = client.submit("/login", {"email": organizer.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


@pytest.fixture
def logged_in(make_organizer, login):
    """A client logged in as a new organizer of the given role (owner by default)."""

    def make(role: Role = Role.owner):
        organizer = make_organizer(role)
        login(organizer)
        return organizer

    return make


@pytest.fixture
def sign(client):
    """Sign a statement through its public form, as a person would, and let the mail sender
    write what it writes after the answer (the signatory's email, the supporter record);
    returns the response."""

    def sign_as(statement, **fields):
        data = {"name": "Olena Kovalenko", "email": "olena@example.org", "country": "UA",
                "consent": "y"}
        data.update(fields)
        response = client.submit(f"/s/{statement.slug}/sign", data, page=f"/s/{statement.slug}")
        tell_new_signatories()
        return response

    return sign_as


@pytest.fixture
def mail_in_background(app):
    """The embedded default's mail sender, a thread after each request; the test ends once it
    has, so that it holds no lock the emptying of the tables would wait on."""
    app.config["MAIL_SEND_IN_BACKGROUND"] = True
    yield
    deadline = time.monotonic() + 10
    while any(thread.name == "mail-sender" for thread in threading.enumerate()) \
            and time.monotonic() < deadline:
        time.sleep(0.02)


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on a free local port, the app's mail server for the test."""
    from tests.test_mail import SMTPServer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5)
    yield server
    server.stop()


@pytest.fixture
def emailed_link(app):
    """The path of the newest emailed link to `to` whose path contains `/<purpose>/`."""

    def find(to: str, purpose: str) -> str:
        from campaign.mail.models import OutboxMessage

        tell_new_signatories()  # what the mail sender does first
        messages = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_index == email_index(to))
            .order_by(OutboxMessage.id.desc())
        )
        for message in messages:
            match = re.search(rf"https?://[^/\s]+(/\S*/{purpose}/\S+)", message_bodies(message)[0])
            if match:
                return match.group(1)
        raise AssertionError(f"no {purpose} link was emailed to {to}")

    return find


@pytest.fixture
def make_event(app, make_campaign):
    """A published event a week ahead, with tickets (dicts of TicketType fields), speakers, appeal."""
    from datetime import timedelta

    from campaign.common.time import utcnow
    from campaign.events.models import Appeal, Event, EventStatus, Speaker, TicketType

    def make(tickets=({"name": "Free ticket"},), speakers=(), appeal=None, **overrides):
        starts = utcnow().replace(microsecond=0) + timedelta(days=7)
        values = {
            "title": "Launch meeting in Parliament",
            "slug": f"launch-{uuid.uuid4().hex[:8]}",
            "host": "Ian Lavery MP",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "venue": "Committee Room 10, House of Commons",
            "address": "Westminster, London SW1A 0AA",
            "status": EventStatus.published,
        }
        values.update(overrides)
        if "campaign" not in values and "campaign_id" not in values:
            values["campaign"] = make_campaign()
        event = Event(**values)
        event.ticket_types = [TicketType(position=i, **t) for i, t in enumerate(tickets, start=1)]
        event.speakers = [Speaker(position=i, **s) for i, s in enumerate(speakers, start=1)]
        if appeal:
            event.appeal = Appeal(campaign_id=event.campaign_id or event.campaign.id, **appeal)
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def register(client):
    """Register for an event through its public form, as a person would; returns the response.

    An accepted form always gets the same "Check your email" page: the ticket is reached
    from the emailed link, `emailed_link(email, "r")`.
    """

    def register_as(event, name="Oksana Holota", email=None, ticket_type=None, **fields):
        data = {
            "name": name,
            "email": email or f"{uuid.uuid4().hex[:10]}@example.org",
            "ticket": str((ticket_type or event.ticket_types[0]).id),
            "consent": "y",
        }
        data.update(fields)
        return client.submit(f"/e/{event.slug}", data, page=f"/e/{event.slug}")

    return register_as
