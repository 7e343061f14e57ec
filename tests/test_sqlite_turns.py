"""On SQLite, writers take turns through a lock file: another writer (a second worker, the mail
sender) waits for the turn while a transaction writes, and gets it the moment that transaction
commits, rolls back or is dropped, or goes on without it after the statement timeout."""
import fcntl
import gc
import os
import threading
import time

import pytest
from sqlalchemy import insert, select

from campaign.extensions import db
from campaign.statements.models import Campaign

pytestmark = pytest.mark.skipif(os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
                                reason="SQLite's writers only")


def _another_writer_could_take_the_turn(app) -> bool:
    with open(f"{db.engine.url.database}-turn", "ab") as elsewhere:
        try:
            fcntl.flock(elsewhere.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(elsewhere.fileno(), fcntl.LOCK_UN)
        return True


def _write(connection, slug: str) -> None:
    connection.execute(insert(Campaign).values(name=slug, slug=slug))


@pytest.mark.parametrize("end", ["commit", "rollback", "close", "invalidate", "forgotten"])
def test_a_writing_transaction_has_the_turn_until_it_ends(app, end):
    assert _another_writer_could_take_the_turn(app)
    connection = db.engine.connect()
    connection.execute(select(Campaign.id)).all()
    assert _another_writer_could_take_the_turn(app)  # reading takes no turn

    _write(connection, "first")
    assert not _another_writer_could_take_the_turn(app)
    if end == "invalidate":
        connection.invalidate()
    if end == "forgotten":  # dropped without being closed: the pool takes it back
        del connection
        gc.collect()
    else:
        getattr(connection, end if end in ("commit", "rollback") else "close")()

    assert _another_writer_could_take_the_turn(app)


def test_a_writer_waits_for_the_turn_and_writes_once_it_is_passed(app):
    first = db.engine.connect()
    _write(first, "first")
    written = threading.Event()

    def second_writer():
        with app.app_context(), db.engine.connect() as second:
            _write(second, "second")
            second.commit()
            written.set()

    thread = threading.Thread(target=second_writer)
    thread.start()
    assert not written.wait(0.3)  # it waits while the first holds the turn
    first.commit()
    assert written.wait(5)
    thread.join()
    first.close()
    assert sorted(db.session.scalars(select(Campaign.slug))) == ["first", "second"]


@pytest.fixture
def short_timeout(settings):
    settings["DB_STATEMENT_TIMEOUT_MS"] = 300


def test_a_writer_kept_waiting_past_the_timeout_goes_on_without_the_turn(short_timeout, app):
    """A stuck process holding the turn (but not SQLite's lock) delays writers by the statement
    timeout at most, as SQLite's own lock would."""
    with open(f"{db.engine.url.database}-turn", "ab") as stuck:
        fcntl.flock(stuck.fileno(), fcntl.LOCK_EX)
        started = time.monotonic()
        with db.engine.connect() as connection:
            _write(connection, "patient")
            connection.commit()
        waited = time.monotonic() - started
    assert 0.3 <= waited < 3
    assert db.session.scalars(select(Campaign.slug)).all() == ["patient"]
