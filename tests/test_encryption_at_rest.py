"""A stolen copy of the database names nobody: addresses, comments and mail are encrypted at
rest, organizers still read them, keys can be rotated, and a wrong key fails loudly."""
import base64
import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.engine import make_url

from campaign import create_app
from campaign.common.crypto import KeyConfigurationError, UndecryptableValue, key_id
from campaign.extensions import db
from campaign.keys.service import rotate
from campaign.signatures.models import Signature
from tests.conftest import DATA_KEY, CampaignClient

#: Every column that holds personal data encrypted, by table.
ENCRYPTED = {
    "signatures": ("email", "comment"),
    "registrations": ("email",),
    "outbox_messages": ("to", "body_text", "body_html", "context", "last_error"),
}


def _new_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def _id_of(key: str) -> str:
    return key_id(base64.b64decode(key))


def _raw(database_url: str, sql: str) -> list[tuple]:
    """Rows as the database holds them, read through a plain connection (no app, no key)."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(sql))]
    engine.dispose()
    return rows


def _every_stored_value(database_url: str) -> str:
    engine = create_engine(database_url)
    with engine.connect() as connection:
        tables = inspect(connection).get_table_names()
    engine.dispose()
    return "\n".join(str(row) for table in tables
                     for row in _raw(database_url, f'SELECT * FROM "{table}"'))


def _quoted(name: str) -> str:
    return f'"{name}"'  # "to" is a word of SQL


def _ciphertexts(database_url: str) -> list[str]:
    """Every non-empty value of the encrypted columns, as stored."""
    return [
        value
        for table, columns in ENCRYPTED.items()
        for row in _raw(database_url, f"SELECT {', '.join(map(_quoted, columns))} FROM {table}")
        for value in row if value
    ]


@contextmanager
def _app_with(test_settings, **overrides):
    """The app as another deployment with other keys would run, over the same database."""
    other = create_app({**test_settings, **overrides})
    other.test_client_class = CampaignClient
    with other.app_context():
        yield other
        db.session.remove()
        db.engine.dispose()


def test_a_copy_of_the_database_names_nobody_while_organizers_still_read_everything(
    app, runner, database_url, make_statement, make_event, sign, register
):
    token = uuid.uuid4().hex[:10]
    address, comment = f"olena.{token}@example.org", f"Слава Україні! {token}"
    statement = make_statement(requires_confirmation=True)
    event = make_event()

    sign(statement, email=address, comment=comment)
    register(event, email=address)
    sent = runner.invoke(args=["mail", "send"])

    assert "Sent 2," in sent.output and f"To: {address}" in sent.output
    signatories = runner.invoke(args=["signatures", "export", statement.slug]).output
    assert address in signatories and comment in signatories
    assert address in runner.invoke(args=["registrations", "export", event.slug]).output
    held = json.loads(runner.invoke(args=["privacy", "export", address]).output)
    assert [(s["email"], s["comment"]) for s in held["signatures"]] == [(address, comment)]
    assert [r["email"] for r in held["registrations"]] == [address]
    assert {m["to"] for m in held["messages"]} == {address}
    assert all(f"/s/{statement.slug}/withdraw/" in m["body_text"]
               for m in held["messages"] if m["kind"] == "signature_confirmation")

    stored = _every_stored_value(database_url)
    assert token not in stored and "Слава" not in stored
    assert all(value.startswith(f"v1.{_id_of(DATA_KEY)}.") for value in _ciphertexts(database_url))
    if make_url(database_url).get_backend_name() == "sqlite":
        database_file = Path(make_url(database_url).database)
        on_disk = b"".join(path.read_bytes() for path in
                           (database_file, Path(f"{database_file}-wal")) if path.exists())
        assert token.encode() not in on_disk and "Слава".encode() not in on_disk


def test_rotation_moves_every_value_under_the_new_key_and_carries_on_where_it_stopped(
    app, test_settings, database_url, make_statement, make_event, sign, register
):
    statement = make_statement(requires_confirmation=False)
    for number in range(3):
        sign(statement, name=f"Signer {number}", email=f"signer{number}@example.org",
             comment=f"Comment {number}")
    register(make_event(), email="guest@example.org")
    indexes = _raw(database_url, "SELECT id, email_index FROM signatures ORDER BY id")
    new_key = _new_key()

    with _app_with(test_settings, DATA_KEY=new_key, DATA_KEYS_RETIRED=DATA_KEY) as rotating:
        stopped = rotate(batch_size=2)
        first = next(stopped)
        stopped.close()  # stopped after its first batch, as by Ctrl-C
        # Four messages (three receipts, one registration), two a batch.
        assert (first.table, first.rows, first.done, first.left) == ("outbox_messages", 2, 2, 2)
        under_new = [value for value in _ciphertexts(database_url)
                     if value.startswith(f"v1.{_id_of(new_key)}.")]
        assert len(under_new) == 4  # recipient and what to render of two receipts

        again = rotating.test_cli_runner().invoke(args=["keys", "rotate", "--batch-size", "2"])

    assert again.exit_code == 0, again.output
    assert (f"Re-encrypting under key {_id_of(new_key)} (retired: {_id_of(DATA_KEY)})"
            in again.output)
    assert "outbox_messages: 2 rows re-encrypted, 0 to go" in again.output
    assert "registrations: 1 rows re-encrypted, 0 to go" in again.output
    assert "signatures: 2 rows re-encrypted, 1 to go" in again.output
    assert "signatures: 3 rows re-encrypted, 0 to go" in again.output
    assert "Nothing is left under retired keys" in again.output
    assert all(value.startswith(f"v1.{_id_of(new_key)}.") for value in _ciphertexts(database_url))
    assert _raw(database_url, "SELECT id, email_index FROM signatures ORDER BY id") == indexes

    with _app_with(test_settings, DATA_KEY=new_key) as rotated:  # the old key dropped
        exported = rotated.test_cli_runner().invoke(args=["signatures", "export", statement.slug])
        assert all(f"signer{n}@example.org" in exported.output and f"Comment {n}" in exported.output
                   for n in range(3))
        visitor = rotated.test_client()
        visitor.submit(f"/s/{statement.slug}/sign", {
            "name": "Signer 0 again", "email": "SIGNER0@example.org", "country": "GB",
            "consent": "y"}, page=f"/s/{statement.slug}")
        assert db.session.scalars(select(Signature.name).order_by(Signature.id)).all() == [
            "Signer 0", "Signer 1", "Signer 2"]
        nothing_left = rotated.test_cli_runner().invoke(args=["keys", "rotate"])
        assert "Nothing is left under retired keys" in nothing_left.output


def test_a_missing_or_malformed_key_stops_the_app_at_start_up(test_settings, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://campaign@db.invalid/campaign")
    for name in ("DATA_KEY", "INDEX_KEY", "DATA_KEYS_RETIRED"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(KeyConfigurationError, match="DATA_KEY is not set. .* Generate one with"):
        create_app()

    refused = {
        "DATA_KEY": ("not base64!", "DATA_KEY is not valid base64"),
        "INDEX_KEY": (base64.b64encode(b"too short").decode(), "INDEX_KEY must be 32 random bytes"),
        "DATA_KEYS_RETIRED": (f"{_new_key()},not-a-key", "DATA_KEYS_RETIRED is not valid base64"),
    }
    for setting, (value, message) in refused.items():
        with pytest.raises(KeyConfigurationError, match=message):
            create_app({**test_settings, setting: value})


def test_a_wrong_key_or_a_damaged_value_fails_loudly_rather_than_returning_garbage(
    app, test_settings, database_url, make_statement, sign
):
    statement = make_statement()
    sign(statement, email="olena@example.org", comment="Private words")
    stranger = _new_key()

    with _app_with(test_settings, DATA_KEY=stranger) as wrong:
        with pytest.raises(UndecryptableValue, match=f"under key {_id_of(DATA_KEY)}, which is "
                                                     f"neither DATA_KEY \\({_id_of(stranger)}\\)"):
            db.session.scalars(select(Signature)).all()
        export = wrong.test_cli_runner().invoke(args=["signatures", "export", statement.slug])
        assert export.exit_code != 0 and isinstance(export.exception, UndecryptableValue)
        assert "olena" not in export.output

    [(comment,)] = _raw(database_url, "SELECT comment FROM signatures")
    damaged = comment[:-2] + ("AA" if not comment.endswith("AA") else "BB")
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE signatures SET comment = :c"), {"c": damaged})
        connection.execute(text("UPDATE signatures SET email = 'olena@example.org'"))
    engine.dispose()
    db.session.expire_all()
    with pytest.raises(UndecryptableValue, match="signatures.comment under key .* does not open"):
        db.session.scalars(select(Signature.comment)).all()
    with pytest.raises(UndecryptableValue, match="signatures.email holds a value that is not"):
        db.session.scalars(select(Signature.email)).all()


def test_an_encrypted_column_refuses_a_comparison_that_could_never_match(app):
    for comparison in (lambda: Signature.email == "olena@example.org",
                       lambda: Signature.email.contains("olena"),
                       lambda: Signature.comment.in_(["Private words"])):
        with pytest.raises(TypeError, match="blind index"):
            comparison()
    assert str(Signature.email.is_(None)) == "signatures.email IS NULL"


def test_a_batch_opens_values_under_the_current_and_a_retired_key_alike():
    """An export opens a batch at once: midway through a rotation it holds values under both
    keys, empty ones, and perhaps a damaged one, which is named rather than skipped."""
    from campaign.common.crypto import Keyring

    old, new = os.urandom(32), os.urandom(32)
    before_rotation, keys = Keyring(old), Keyring(new, [old])
    stored = [keys.encrypt("new@example.org", "signatures.email"), "", None,
              before_rotation.encrypt("old@example.org", "signatures.email"),
              keys.encrypt("+44 7700 900123\nsecond line", "signatures.email")]
    open_emails = keys.opener("signatures.email")

    assert open_emails(stored) == ["new@example.org", "", "", "old@example.org",
                                   "+44 7700 900123\nsecond line"]
    assert open_emails([stored[0]] * 3) == ["new@example.org"] * 3
    with pytest.raises(UndecryptableValue, match="signatures.comment under key"):
        keys.opener("signatures.comment")(stored[:1])
    spliced = stored[0] + "\n" + stored[0][len(keys.current_prefix):]  # two values in one
    with pytest.raises(UndecryptableValue, match="signatures.email under key .* does not open"):
        open_emails([spliced])
