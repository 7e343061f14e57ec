"""The schema only ever comes from the migrations: up to head, in step with the models, and back."""
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, select, text

from campaign import create_app
from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.events.models import Event, Registration, RegistrationStatus, TicketType
from campaign.extensions import HAND_MADE_TABLES, db, init_migrations
from campaign.mail.models import OutboxMessage
from campaign.abuse.models import HiddenBatch, HiddenBatchMember, Signal
from campaign.signatures.links import link_token, signature_from_link
from campaign.signatures.models import ResendRequest, Signature, SignatureStatus
from campaign.statements.models import Campaign, Statement
from tests.conftest import empty_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own on the same server as the run's, with nothing in it."""
    with empty_database(tmp_path, prefix="campaign_migrations") as url:
        yield url


def _run(app, *args) -> None:
    """`flask db ARGS`, which exits non-zero on failure (`check`: when models and migrations differ)."""
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return {name for name in names - {"alembic_version"}
            if not name.startswith(HAND_MADE_TABLES)}


def test_an_empty_database_migrates_to_head_matches_the_models_and_goes_back(
    test_settings, empty_database_url
):
    app = create_app({**test_settings, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    model_tables = {table.name for table in db.metadata.sorted_tables}

    _run(app, "upgrade")
    assert _tables(app) == model_tables
    _run(app, "check")
    _assert_signatures_are_searchable(app)

    _run(app, "downgrade", "base")
    assert _tables(app) == set()

    _run(app, "upgrade")
    assert _tables(app) == model_tables


def _assert_signatures_are_searchable(app) -> None:
    """On SQLite the search index and the triggers keeping it are there (on PostgreSQL, pg_trgm's)."""
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.connect() as connection:
            if dialect == "sqlite":
                names = set(connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
                    "AND name LIKE 'signatures_search%'").scalars())
                assert {"signatures_search", "signatures_search_insert",
                        "signatures_search_update", "signatures_search_delete"} <= names
            indexes = {index["name"] for index in inspect(connection).get_indexes("signatures")}
            assert "ix_signatures_list_order" in indexes
        db.engine.dispose()


def test_there_is_one_head_so_every_deployment_migrates_the_same_way(app):
    init_migrations(app)
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def _stored(url: str, sql: str) -> list[tuple]:
    """Rows as the database holds them, through a plain connection (no app, no key)."""
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def test_personal_data_is_decrypted_by_the_downgrade_and_encrypted_again_by_the_upgrade(
    test_settings, empty_database_url
):
    app = create_app({**test_settings, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    _run(app, "upgrade")
    with app.app_context():
        statement = Statement(campaign=Campaign(name="Solidarity", slug="solidarity"),
                              slug="free-ukraine", title="A free Ukraine")
        ticket = TicketType(name="Free")
        event = Event(campaign=statement.campaign, slug="launch", title="Launch",
                      starts_at=utcnow(), ticket_types=[ticket])
        signature = Signature(statement=statement, name="Ian Ford", email="Ian.Ford+x@gmail.com",
                              comment="In solidarity")
        db.session.add_all([
            signature,
            Registration(event=event, ticket_type=ticket, name="Ian Ford",
                         email="Ian.Ford+x@gmail.com", status=RegistrationStatus.confirmed,
                         reference="ABCD2345"),
            OutboxMessage(kind="test", to="Ian.Ford+x@gmail.com", sender="us@example.org",
                          subject="Hello", body_text="Dear Ian"),
        ])
        db.session.flush()
        db.session.add_all([
            HiddenBatch(statement=statement, signal=Signal.domain, value="gmail.com",
                        since=utcnow(), until=utcnow(), members=[HiddenBatchMember(
                            signature_id=signature.id, previous_status=SignatureStatus.confirmed)]),
            ResendRequest(statement_id=statement.id, email="Ian.Ford+x@gmail.com"),
        ])
        db.session.commit()
        index = email_index("ianford@gmail.com")
        withdraw_token = link_token(db.session.scalar(select(Signature)), "withdraw")
        db.engine.dispose()

    _run(app, "downgrade", "2301297e2f89")
    assert _stored(empty_database_url,
                   "SELECT email, email_normalised, comment FROM signatures") == [
        ("Ian.Ford+x@gmail.com", "ianford@gmail.com", "In solidarity")]
    assert _stored(empty_database_url, "SELECT email, email_normalised FROM registrations") == [
        ("Ian.Ford+x@gmail.com", "ianford@gmail.com")]
    assert _stored(empty_database_url, 'SELECT "to", body_text FROM outbox_messages') == [
        ("Ian.Ford+x@gmail.com", "Dear Ian")]
    assert _stored(empty_database_url, "SELECT email FROM signature_resend_requests") == [
        ("Ian.Ford+x@gmail.com",)]

    _run(app, "upgrade")
    [(email, stored_index, domain, comment)] = _stored(
        empty_database_url, "SELECT email, email_index, email_domain, comment FROM signatures")
    assert email.startswith("v1.") and comment.startswith("v1.") and "Ian" not in email + comment
    assert (stored_index, domain) == (index, "gmail.com")
    assert _stored(empty_database_url, "SELECT email_index FROM registrations") == [(index,)]
    assert _stored(empty_database_url, "SELECT to_index FROM outbox_messages") == [(index,)]
    [(resend_email,)] = _stored(empty_database_url, "SELECT email FROM signature_resend_requests")
    assert resend_email.startswith("v1.")
    assert _stored(empty_database_url, "SELECT count(*) FROM hidden_batch_members") == [(1,)], (
        "rebuilding the signatures table kept the rows that refer to it")
    with app.app_context():
        assert db.session.execute(select(Signature.email, Signature.comment)).one() == (
            "Ian.Ford+x@gmail.com", "In solidarity")
        assert db.session.scalar(select(OutboxMessage.body_text)) == "Dear Ian"
        statement = db.session.scalar(select(Statement))
        assert signature_from_link(statement, withdraw_token, "withdraw") is not None, (
            "a withdraw link emailed before still works")
        db.engine.dispose()
