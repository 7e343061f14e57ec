"""Organizers export signatories as CSV, from the dashboard and the command line."""
import csv
import io
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry
from campaign.signatures import counts
from campaign.signatures.models import SignatureStatus

HEADER = ["position", "name", "affiliation", "personal_capacity", "country", "email", "status",
          "curated", "signed_at", "comment", "date_collected", "how_entered", "source",
          "referrer_domain"]


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


@pytest.fixture
def scene(make_statement, make_signature):
    statement = make_statement(slug="free-ukraine")
    at = lambda day: datetime(2026, 3, day, 9, 30, tzinfo=timezone.utc)  # noqa: E731
    make_signature(statement, name="Late Curated", featured=True, featured_position=2,
                   email=None, created_at=at(9))
    make_signature(statement, name="First Curated", featured=True, featured_position=1,
                   email=None, personal_capacity=True, created_at=at(8))
    make_signature(statement, name="=HYPERLINK(\"http://evil.example\")", affiliation="+44 20",
                   email="formula@example.org", comment="-1+1\nsecond line", created_at=at(1))
    make_signature(statement, name="Олена Коваленко, MP", affiliation='Union "Solidarity"',
                   email="olena@example.org", country="UA", created_at=at(2))
    make_signature(statement, name="Not Listed", show_publicly=False,
                   email="quiet@example.org", created_at=at(3))
    make_signature(statement, name="Pending", status=SignatureStatus.pending,
                   email="pending@example.org", created_at=at(4))
    make_signature(statement, name="Gone", status=SignatureStatus.withdrawn, email=None,
                   created_at=at(5))
    counts.reconcile(statement.id)
    return statement


def test_an_organizer_exports_every_signatory_in_order(client, logged_in, scene):
    logged_in(Role.viewer)
    response = client.get(f"/dashboard/statements/{scene.id}/signatures.csv")

    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition == f"attachment; filename=signatories-free-ukraine-{utcnow().date()}.csv"
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff") and "\r\n" in text
    rows = _rows(text)
    assert rows[0] == HEADER
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5", "6"]
    assert [row[1] for row in rows[1:]] == [
        "First Curated", "Late Curated", "'=HYPERLINK(\"http://evil.example\")",
        "Олена Коваленко, MP", "Not Listed", "Pending"]
    first, _late, formula, olena = rows[1:5]
    assert first[3] == "yes" and first[7] == "yes" and first[5] == ""
    assert formula[2] == "'+44 20" and formula[9] == "'-1+1\nsecond line"
    assert olena == ["4", "Олена Коваленко, MP", 'Union "Solidarity"', "no", "UA",
                     "olena@example.org", "confirmed", "no", "2026-03-02T09:30:00Z", "", "",
                     "online", "", ""]
    assert rows[6][6] == "pending"


@pytest.mark.parametrize("which, names", [
    ("public", ["First Curated", "Late Curated", "'=HYPERLINK(\"http://evil.example\")",
                "Олена Коваленко, MP"]),
    ("curated", ["First Curated", "Late Curated"]),
])
def test_an_organizer_chooses_which_signatories_to_export(client, logged_in, scene, which, names):
    logged_in(Role.viewer)
    text = client.get(f"/dashboard/statements/{scene.id}/signatures.csv?which={which}"
                      ).get_data(as_text=True)
    rows = _rows(text)
    assert [row[1] for row in rows[1:]] == names
    assert [row[0] for row in rows[1:]] == [str(n) for n in range(1, len(names) + 1)]


def test_a_byte_order_mark_is_added_only_when_asked(client, logged_in, scene):
    logged_in(Role.viewer)
    with_bom = client.get(f"/dashboard/statements/{scene.id}/signatures.csv?bom=1").get_data()
    assert with_bom.startswith("\ufeffposition,".encode())


def test_an_unknown_choice_or_statement_is_refused(client, logged_in, scene):
    logged_in(Role.viewer)
    assert client.get(f"/dashboard/statements/{scene.id}/signatures.csv?which=everything"
                      ).status_code == 400
    assert client.get("/dashboard/statements/999999/signatures.csv").status_code == 404


def test_nobody_logged_out_gets_any_csv(client, scene):
    response = client.get(f"/dashboard/statements/{scene.id}/signatures.csv")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert b"olena@example.org" not in response.get_data()
    assert b"position," not in response.get_data()


def test_every_export_is_audited(client, logged_in, scene):
    organizer = logged_in(Role.viewer)
    client.get(f"/dashboard/statements/{scene.id}/signatures.csv?which=public").get_data()
    entry = db.session.scalar(select(AuditEntry))
    assert (entry.action, entry.target, entry.detail) == (
        "signatures.export", "statement:free-ukraine", "which=public")
    assert entry.actor == organizer.email


def test_the_command_line_writes_the_same_csv_to_stdout_or_a_file(
    runner, client, logged_in, scene, tmp_path
):
    organizer = logged_in(Role.viewer)
    from_dashboard = client.get(f"/dashboard/statements/{scene.id}/signatures.csv").get_data()

    to_stdout = runner.invoke(args=["signatures", "export", "free-ukraine"])
    target = tmp_path / "out.csv"
    to_file = runner.invoke(args=["signatures", "export", "free-ukraine", "-o", str(target),
                                  "--which", "curated", "--bom"])

    assert to_stdout.exit_code == 0, to_stdout.output
    assert to_stdout.stdout_bytes == from_dashboard
    assert to_file.exit_code == 0, to_file.output
    rows = _rows(target.read_text(encoding="utf-8"))
    assert target.read_bytes().startswith("\ufeff".encode())
    assert [row[1] for row in rows[1:]] == ["First Curated", "Late Curated"]
    actors = db.session.scalars(select(AuditEntry.actor).where(
        AuditEntry.action == "signatures.export").order_by(AuditEntry.id)).all()
    assert actors[0] == organizer.email
    assert len(actors) == 3 and all(actor.startswith("cli") for actor in actors[1:])


def test_the_command_line_refuses_an_unknown_statement(runner, app):
    result = runner.invoke(args=["signatures", "export", "no-such-statement"])
    assert result.exit_code != 0 and "no statement with the slug" in result.output


def test_reconcile_reports_and_fixes_drift(runner, scene, make_statement):
    other = make_statement(slug="other-statement")
    counts.adjust(scene.id, 5, -1)
    db.session.commit()

    result = runner.invoke(args=["signatures", "reconcile"])

    assert result.exit_code == 0, result.output
    assert "free-ukraine: counted 5 (was 10, drift -5), listed 4 (was 3, drift +1)" in result.output
    assert "other-statement: counted 0 (was 0, drift +0)" in result.output
    assert "2 statement(s) checked, 1 corrected." in result.output
    assert counts.totals(scene.id) == counts.Totals(5, 4)
    assert counts.totals(other.id) == counts.Totals(0, 0)
    single = runner.invoke(args=["signatures", "reconcile", "free-ukraine"])
    assert "drift +0" in single.output and "1 statement(s) checked, 0 corrected." in single.output


def test_the_export_reads_back_exactly_what_was_stored(runner, make_statement, make_signature):
    """The database writes most cells of the export itself: each reads back as Python would
    write it, whatever the text (quotes, commas, line breaks, formulas, Cyrillic) or the time."""
    from campaign.exports.csv import neutralise

    statement = make_statement(slug="exact")
    tricky = ['=1+1', '"Quoted", with comma', "line\nbreak", "cr\rreturn", "@handle", "\ttab",
              "-minus", "Олена", "plain", ""]
    times = [datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc),
             datetime(2026, 3, 1, 12, 30, 0, 5, tzinfo=timezone.utc),
             datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)]
    expected = []
    for number, text in enumerate(tricky):
        signed_at = times[number % len(times)]
        make_signature(statement, name=f"{text}{number}", affiliation=text,
                       email=f"{'=' if number % 2 else ''}signer{number}@example.org",
                       comment=text, country="GB", personal_capacity=number % 2 == 1,
                       created_at=signed_at)
        expected.append((signed_at, [*map(neutralise, [
            f"{text}{number}", text, number % 2 == 1, "GB",
            f"{'=' if number % 2 else ''}signer{number}@example.org", "confirmed", False,
            signed_at, text, "", "online", "", ""])]))
    in_signing_order = [cells for _, cells in sorted(expected, key=lambda pair: pair[0])]
    result = runner.invoke(args=["signatures", "export", "exact"])
    assert result.exit_code == 0, result.output
    assert _rows(result.stdout)[1:] == [
        [str(position), *cells] for position, cells in enumerate(in_signing_order, start=1)]


def test_a_download_broken_off_halfway_leaves_the_database_usable(app, make_statement,
                                                                   make_signature, monkeypatch):
    """On PostgreSQL the rows come from one statement as the database makes them: stopping
    early cancels it, and the connection is used again at once."""
    from campaign.exports import signatures as export

    monkeypatch.setattr(export, "_BATCH", 2)
    statement = make_statement(slug="broken-off")
    for number in range(12):
        make_signature(statement, name=f"Signer {number}", email=f"s{number}@example.org")
    pieces = export.signatories_csv(statement)
    assert next(pieces).startswith("position,") and "Signer 0" in next(pieces)
    pieces.close()

    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) \
        == "signatures.export"
    assert _rows("".join(export.signatories_csv(statement)))[-1][1] == "Signer 11"


def test_the_command_line_loads_no_picture_calendar_or_markdown_library(tmp_path):
    """An export's process holds the app and its rows, nothing more: Pillow, icalendar, segno
    and markdown-it (about 8 MB between them) load only where a logo, a card, a calendar file,
    a QR code or a text is made."""
    program = (
        "import sys\n"
        "from campaign import create_app\n"
        f"create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/db.sqlite3',"
        f" 'INSTANCE_PATH': '{tmp_path}'}})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'PIL', 'icalendar', 'segno', 'markdown_it', 'stripe'}))\n"
    )
    run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_with_a_libpq_older_than_17_the_rows_come_one_at_a_time(
        runner, on_postgresql, make_statement, make_signature, monkeypatch):
    """Chunked rows need libpq 17: with an older one (a system libpq, not the wheel's) psycopg
    refuses them, and the export reads the same rows one by one."""
    if not on_postgresql:
        pytest.skip("PostgreSQL's driver only")
    import psycopg

    statement = make_statement(slug="older-libpq")
    for number in range(3):
        make_signature(statement, name=f"Signer {number}", email=f"s{number}@example.org")
    with_chunks = runner.invoke(args=["signatures", "export", "older-libpq"])

    def without_chunks(check: bool = False) -> bool:
        if check:
            raise psycopg.NotSupportedError("stream chunks need libpq 17")
        return False

    monkeypatch.setattr(psycopg.capabilities, "has_stream_chunked", without_chunks)
    one_at_a_time = runner.invoke(args=["signatures", "export", "older-libpq"])
    assert one_at_a_time.exit_code == 0, one_at_a_time.output
    assert one_at_a_time.stdout == with_chunks.stdout
    assert [row[1] for row in _rows(one_at_a_time.stdout)[1:]] == [
        "Signer 0", "Signer 1", "Signer 2"]
