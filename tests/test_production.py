"""Production mode: health checks, the database going away and coming back, public caching.

The outage tests run a second, private PostgreSQL cluster (never the shared server):
initdb in a temporary directory, on a free port, started and stopped with pg_ctl.
"""
import logging
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from flask import make_response
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from campaign import create_app
from campaign.common.page_copies import shared_page
from campaign.extensions import upgrade_database
from campaign.extensions import db, limiter
from campaign.organizers.models import Organizer, Role
from campaign.signatures import counts
from campaign.web import public_cache
from tests.conftest import PASSWORD, CampaignClient
from werkzeug.security import generate_password_hash

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


class ServerLikeClient(CampaignClient):
    """Each request in its own app context, as under a real server (no context is pushed)."""

    def open(self, *args, **kwargs):
        return FlaskClient.open(self, *args, **kwargs)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateCluster:
    """A throwaway PostgreSQL cluster this test run may stop and start at will."""

    def __init__(self, directory: Path, port: int):
        self.directory = directory
        self.port = port
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=60)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.directory / "data"), "-U", "postgres",
                  "-A", "trust", "--no-sync", "--no-instructions")

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-o", options,
                  "-l", str(self.directory / "log"), "-w", "start")

    def stop(self) -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate",
                  "-w", "stop")


@pytest.fixture(scope="module")
def cluster():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL server binaries not found in {PG_BIN}")
    directory = Path(tempfile.mkdtemp(prefix="campaign-pg-"))
    if os.geteuid() == 0:
        shutil.chown(directory, "postgres", "postgres")
    private = PrivateCluster(directory, _free_port())
    private.init()
    private.start()
    yield private
    try:
        private.stop()
    except subprocess.CalledProcessError:
        pass  # already stopped by a test that failed half-way
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def outage_app(cluster, test_settings):
    """An app on the private cluster, migrated, with an organizer.

    No app context stays pushed while the test runs, so each request gets its own
    session and gives its connection back, as under a real server.
    """
    app = create_app({
        **test_settings,
        "SQLALCHEMY_DATABASE_URI": cluster.url,
        "DB_POOL_SIZE": 1,
        "DB_MAX_OVERFLOW": 0,
        "DB_POOL_TIMEOUT": 1,
        "DB_STATEMENT_TIMEOUT_MS": 500,
        "DB_RETRY_AFTER_SECONDS": 17,
    })
    app.test_client_class = ServerLikeClient
    with app.app_context():
        upgrade_database()
        db.session.add(Organizer(
            email="olena@example.org", name="Olena",
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
            role=Role.owner,
        ))
        db.session.commit()
    yield app
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def _logged_in(app) -> CampaignClient:
    client = app.test_client()
    response = client.submit("/login", {"email": "olena@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return client


def _assert_unavailable_page(response, retry_after: str = "17") -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == retry_after
    body = response.get_data(as_text=True)
    assert "Sorry, the service is busy or unavailable" in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_a_load_balancer_sees_the_process_up_and_ready(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": True}


@pytest.fixture
def redis_away(settings):
    """Redis configured for the rate limits (REDIS_URL, RATELIMIT_STORAGE_URI) but not
    answering: a closed port. Limits on.

    The limiter is one object per process, as in a worker; it remembers that its storage
    failed. Each of these tests starts as a worker that has not yet seen Redis fail, with
    the app's and the limiter's loggers on (the migrations' logging setup, run in this
    process by earlier tests, switches off the loggers that already exist; a server never
    runs it).
    """
    closed = f"redis://127.0.0.1:{_free_port()}/0"
    settings.update(REDIS_URL=closed, RATELIMIT_STORAGE_URI=closed, RATELIMIT_ENABLED=True,
                    SIGN_FLOOD_LIMIT="1 per minute")
    limiter._storage_dead = False
    for logger in (logging.getLogger("campaign"), limiter.logger):
        logger.disabled = False


def test_while_redis_is_away_the_instance_stays_ready_and_says_so_in_the_body_and_the_log(
    redis_away, client, caplog
):
    caplog.set_level(logging.INFO, logger="campaign")
    probes = [client.get("/readyz") for _ in range(3)]

    for probe in probes:
        assert probe.status_code == 200
        assert probe.get_json()["status"] == "degraded"
        assert probe.get_json()["checks"] == {"database": True, "redis": False}
        assert "Redis is unavailable" in probe.get_json()["message"]
    warnings = [r.getMessage() for r in caplog.records
                if r.name == "campaign" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "Redis is unavailable" in warnings[0]


def test_while_redis_is_away_signing_works_limited_per_process_and_the_log_says_so_once(
    redis_away, client, make_statement, sign, capsys
):
    first, second = make_statement(), make_statement()

    assert sign(first, email="olena@example.org").status_code == 302
    assert sign(first, email="taras@example.org").status_code == 429
    assert sign(second, email="lina@example.org").status_code == 302

    log = capsys.readouterr().err
    assert log.count("falling back to in-memory storage") == 1, log


def test_readiness_includes_a_reachable_redis(settings):
    settings["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    app = create_app(settings)
    with app.app_context():
        response = app.test_client().get("/readyz")
        db.engine.dispose()
    if response.get_json()["checks"]["redis"] is False:
        pytest.skip("no Redis on 127.0.0.1:6379")
    assert response.status_code == 200


def test_visitors_get_a_plain_503_while_the_database_is_down_and_pages_return_after(
    cluster, outage_app
):
    organizer_client = _logged_in(outage_app)
    visitor = outage_app.test_client()
    assert visitor.get("/").status_code == 200
    assert organizer_client.get("/dashboard").status_code == 200

    cluster.stop()
    try:
        _assert_unavailable_page(visitor.get("/"))
        # The organizer is loaded from the database before any view runs.
        _assert_unavailable_page(organizer_client.get("/dashboard"))
        failed_login = outage_app.test_client().submit(
            "/login", {"email": "olena@example.org", "password": PASSWORD}
        )
        _assert_unavailable_page(failed_login)
        assert outage_app.test_client().get("/readyz").status_code == 503
        assert outage_app.test_client().get("/healthz").status_code == 200
    finally:
        cluster.start()

    assert visitor.get("/").status_code == 200
    assert organizer_client.get("/dashboard").status_code == 200
    assert outage_app.test_client().get("/readyz").status_code == 200


def test_after_the_database_restarts_while_the_site_is_quiet_the_next_visitor_gets_the_page(
    cluster, outage_app
):
    visitor = outage_app.test_client()
    assert visitor.get("/").status_code == 200  # the pool keeps that connection
    quiet_since = time.monotonic()

    cluster.stop()
    cluster.start()
    # Longer than DB_PING_AFTER_IDLE_SECONDS: the kept connection is tried before use.
    time.sleep(max(0.0, outage_app.config["DB_PING_AFTER_IDLE_SECONDS"] + 0.2
                   - (time.monotonic() - quiet_since)))

    assert visitor.get("/").status_code == 200


def test_a_request_that_waits_too_long_for_a_connection_gets_a_503(outage_app):
    organizer_client = _logged_in(outage_app)
    with outage_app.app_context(), db.engine.connect():  # the pool's only connection, busy
        _assert_unavailable_page(organizer_client.get("/dashboard"))
    assert organizer_client.get("/dashboard").status_code == 200


def test_a_query_stuck_behind_a_lock_is_cut_off_by_the_statement_timeout(outage_app, cluster):
    organizer_client = _logged_in(outage_app)
    locker = create_engine(cluster.url, connect_args={"options": "-c lock_timeout=5000"})
    try:
        with locker.begin() as connection:
            connection.execute(text("LOCK TABLE organizers IN ACCESS EXCLUSIVE MODE"))
            _assert_unavailable_page(organizer_client.get("/dashboard"))
        assert organizer_client.get("/dashboard").status_code == 200
    finally:
        locker.dispose()


def _cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}


def test_a_shared_cache_may_keep_the_home_page_for_anonymous_visitors_a_few_seconds(
    client, make_statement
):
    make_statement()
    response = client.get("/")
    assert _cache_control(response) == {"public", "max-age=0", "s-maxage=5",
                                         "stale-while-revalidate=60"}
    assert response.headers["Vary"] == "Accept-Language, Cookie"
    assert "Set-Cookie" not in response.headers


def test_a_statement_page_with_its_signing_form_is_kept_by_any_cache(client, make_statement):
    statement = make_statement()
    response = client.get(f"/s/{statement.slug}")
    assert 'name="form_token"' in response.get_data(as_text=True)
    assert 'name="csrf_token"' not in response.get_data(as_text=True)
    assert _cache_control(response) == {"public", "max-age=0", "s-maxage=5",
                                         "stale-while-revalidate=60"}
    assert response.headers["Vary"] == "Accept-Language, Cookie"
    assert "Set-Cookie" not in response.headers


def test_an_organizers_view_of_a_public_page_is_never_shared(client, make_statement, logged_in):
    make_statement()
    logged_in()
    assert _cache_control(client.get("/")) == {"private", "max-age=0"}


#: Long enough that a slow, busy test run does not outlive a copy between two of its steps.
PAGE_COPY_SECONDS = 3


@pytest.fixture
def page_copies_on(settings):
    settings["PAGE_CACHE_SECONDS"] = PAGE_COPY_SECONDS


def _count_shown(response) -> str:
    return re.search(r'id="count"[^>]*>\s*([^<]+?)\s*<', response.get_data(as_text=True)).group(1)


def test_visitors_in_a_spike_share_one_render_and_sign_from_it_without_a_session(
    page_copies_on, app, make_statement, make_signature, logged_in
):
    statement = make_statement()
    page = f"/s/{statement.slug}"
    first, second = app.test_client(), app.test_client()
    assert _count_shown(first.get(page)) == "0 signatures"
    make_signature(statement)
    counts.reconcile(statement.id)

    copy = second.get(page)
    assert _count_shown(copy) == "0 signatures"  # the copy, at most PAGE_COPY_SECONDS old
    assert "Set-Cookie" not in copy.headers
    signed = second.submit(f"{page}/sign", {"name": "Lina Kostenko", "country": "UA",
                                            "email": "lina@example.org", "consent": "y"},
                           page=page)
    assert signed.status_code == 302

    time.sleep(PAGE_COPY_SECONDS + 0.1)
    assert _count_shown(first.get(page)) == "2 signatures"


def test_an_organizer_always_sees_the_page_as_it_is_now(
    page_copies_on, client, make_statement, make_signature, logged_in
):
    statement = make_statement()
    page = f"/s/{statement.slug}"
    logged_in()
    assert _count_shown(client.get(page)) == "0 signatures"
    make_signature(statement)
    counts.reconcile(statement.id)
    assert _count_shown(client.get(page)) == "1 signature"


def test_a_visitor_served_from_the_copy_gets_the_public_answer_and_a_304_for_its_etag(
    page_copies_on, app, make_statement
):
    page = f"/s/{make_statement().slug}"
    first = app.test_client().get(page)
    copy = app.test_client().get(page)

    assert copy.get_data() == first.get_data()
    for header in ("Cache-Control", "Vary", "ETag", "Content-Type", "Content-Length"):
        assert copy.headers[header] == first.headers[header], header
    assert "Set-Cookie" not in copy.headers
    revisit = app.test_client().get(page, headers={"If-None-Match": first.headers["ETag"]})
    assert revisit.status_code == 304
    assert revisit.get_data() == b""


def test_a_page_made_for_one_visitor_alone_is_never_kept_for_the_next(page_copies_on, app):
    renders = []

    @app.get("/for-one-visitor")
    @shared_page
    @public_cache
    def for_one_visitor():
        renders.append(1)
        response = make_response(f"<p>Render {len(renders)}</p>")
        response.set_cookie("visitor", str(len(renders)))
        return response

    first = app.test_client().get("/for-one-visitor")
    second = app.test_client().get("/for-one-visitor")

    assert "private" in first.headers["Cache-Control"]
    assert "Render 2" in second.get_data(as_text=True)
    assert second.headers["Set-Cookie"].startswith("visitor=2")
