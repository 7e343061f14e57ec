"""Organizers import a statement from the text a campaign already published."""
import io

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.audit.models import AuditEntry
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.signatures.importing import import_statement
from campaign.statements.importer import (
    ImportFormatError, decode_statement_file, parse_statement_text,
)
from campaign.statements.models import Statement, StatementStatus
from campaign.statements.service import StatementError

# Written for these tests, in the shape of a published charter: one paragraph a line,
# a "Key points:" line, numbered points, then the signatories.
CHARTER = """\
BREAD AND ROSES FOR THE RIVER TOWNS: A CHARTER
Councils, unions and neighbours along the river must stop the closure of the ferry.
The ferry belongs to the towns it serves, not to a holding company.
Key points:
1. Keep the Ferry: Run the crossing every day of the year, with staff on proper contracts.
2. Fair Fares: Freeze fares for three years and let children travel free.
3. Public Ownership: Bring the service back into public hands. Owners who let it decay
must not be paid for the damage they caused.
4. The council decides the future of the crossing at its meeting in June, so the time to act is now: write to your councillor today.
5. Safety: Inspections every quarter, published in full.
6. Repair the landing stages before winter.
7. Accountability: An annual public meeting on the service.
Signed:
Ada Brennan, Chair, River Towns Ferry Users
Bob Okafor, General Secretary, Transport Workers Union (personal capacity)
Chloe Dupont, Councillor, Eastbank Ward (PC)
Dmitro Shevchuk, Harbour Master (1998-2021).
Eve Larsen, President of the Riverside Students Union,
Ada Brennan, Chair, River Towns Ferry Users
Frank Moreau
"""


def _import(text: str, **kwargs) -> Statement:
    return import_statement(parse_statement_text(text), **kwargs)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The parser ----------------------------------------------------------------------


def test_a_charter_is_read_into_title_preamble_demands_and_signatories(app):
    parsed = parse_statement_text(CHARTER)
    assert parsed.title == "BREAD AND ROSES FOR THE RIVER TOWNS: A CHARTER"
    assert parsed.preamble.split("\n\n") == [
        "Councils, unions and neighbours along the river must stop the closure of the ferry.",
        "The ferry belongs to the towns it serves, not to a holding company.",
        "Key points:",
    ]
    assert [d.heading for d in parsed.demands] == [
        "Keep the Ferry", "Fair Fares", "Public Ownership", "", "Safety", "", "Accountability",
    ]
    assert parsed.demands[2].body == (
        "Bring the service back into public hands. Owners who let it decay\n"
        "must not be paid for the damage they caused."
    )
    assert parsed.demands[3].body.endswith("the time to act is now: write to your councillor today.")
    assert parsed.demands[5].body == "Repair the landing stages before winter."
    assert parsed.closing == ""


def test_signatory_lines_keep_their_affiliation_and_personal_capacity(app):
    signatories = parse_statement_text(CHARTER).signatories
    assert [(s.name, s.affiliation, s.personal_capacity) for s in signatories] == [
        ("Ada Brennan", "Chair, River Towns Ferry Users", False),
        ("Bob Okafor", "General Secretary, Transport Workers Union", True),
        ("Chloe Dupont", "Councillor, Eastbank Ward", True),
        ("Dmitro Shevchuk", "Harbour Master (1998-2021)", False),
        ("Eve Larsen", "President of the Riverside Students Union", False),
        ("Frank Moreau", "", False),
    ]


def test_personal_capacity_is_found_anywhere_in_the_line(app):
    text = "Title\n1. One\nSigned:\nJo Bloggs (Personal Capacity), Union rep, Leeds\n"
    [signatory] = parse_statement_text(text).signatories
    assert (signatory.name, signatory.affiliation, signatory.personal_capacity) == (
        "Jo Bloggs", "Union rep, Leeds", True)


def test_closing_text_follows_the_last_point_after_a_blank_line(app):
    text = (
        "Title\n\nFirst paragraph\nstill the first.\n\nSecond paragraph.\n\n"
        "1. Heading only:\n   the body on the next line.\n\n"
        "2. Second point.\n\n"
        "Share this charter.\n\nThank you.\n\nsigned:\n\nA Person, Somewhere\n"
    )
    parsed = parse_statement_text(text)
    assert parsed.preamble == "First paragraph\nstill the first.\n\nSecond paragraph."
    assert (parsed.demands[0].heading, parsed.demands[0].body) == (
        "Heading only", "the body on the next line.")
    assert parsed.demands[1].body == "Second point."
    assert parsed.closing == "Share this charter.\n\nThank you."
    assert [s.name for s in parsed.signatories] == ["A Person"]


def test_text_between_points_belongs_to_the_point_before(app):
    text = "Title\n1. One: first.\n\nMore about one.\n2. Two: second.\n"
    parsed = parse_statement_text(text)
    assert parsed.demands[0].body == "first.\n\nMore about one."
    assert parsed.closing == ""


@pytest.mark.parametrize("first_line, heading, body", [
    ("1. Aid: Send aid.", "Aid", "Send aid."),
    ("1. Send aid: weapons, money and more.", "Send aid", "weapons, money and more."),
    ("1. We ask for this. Note: it matters.", "", "We ask for this. Note: it matters."),
    ("1. " + "Long " * 20 + ": body", "", ("Long " * 20).strip() + " : body"),
    ("1. Meet at 10:30 on Friday.", "", "Meet at 10:30 on Friday."),
    ("1. See https://example.org for more.", "", "See https://example.org for more."),
    ("1) Bracketed: numbers work too.", "Bracketed", "numbers work too."),
])
def test_a_heading_is_short_text_before_the_first_colon(app, first_line, heading, body):
    [demand] = parse_statement_text(f"Title\n{first_line}\n").demands
    assert (demand.heading, demand.body) == (heading, body)


def test_crlf_and_a_byte_order_mark_read_the_same_as_plain_lf(app):
    encoded = ("\ufeff" + CHARTER.replace("\n", "\r\n")).encode("utf-8")
    assert parse_statement_text(decode_statement_file(encoded)) == parse_statement_text(CHARTER)
    assert parse_statement_text(CHARTER.replace("\n", "\r")) == parse_statement_text(CHARTER)


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(app):
    data = "Title\nPreamble\n1. Café: au lait\n".encode("latin-1")
    with pytest.raises(ImportFormatError) as error:
        decode_statement_file(data)
    assert error.value.line == 3
    assert "not UTF-8" in str(error.value) and str(error.value).startswith("Line 3:")


@pytest.mark.parametrize("text, line, words", [
    ("", 1, "no title"),
    ("\n\n   \n", 1, "no title"),
    ("Title\n1. One\n3. Three\n", 3, "should be number 2"),
    ("Title\n2. Two\n", 2, "should be number 1"),
    ("Title\n1. One\n2. Two\n2. Two again\n", 4, "should be number 3"),
    ("1. Not a title\n", 1, "must be the title"),
    ("x" * 301 + "\n", 1, "longer than 300"),
    ("Title\nA nul\x00 here\n", 2, "control characters"),
    ("Title\n1. One\n2.   \n", 3, "has no text"),
    ("Title\n1. One\nSigned:\nA Name\n, no name here\n", 5, "must start with the name"),
    ("Title\n1. One\nSigned:\n" + "n" * 201 + ", x\n", 4, "name is longer than 200"),
    ("Title\n1. One\nSigned:\nA Name, " + "a" * 301 + "\n", 4, "affiliation is longer than 300"),
    ("Title\n1. One\nSigned:\nA Name\nMeeting tonight:\n", 5, "does not look like a signatory"),
])
def test_a_malformed_text_is_refused_naming_the_line(app, text, line, words):
    with pytest.raises(ImportFormatError) as error:
        parse_statement_text(text)
    assert error.value.line == line
    assert str(error.value).startswith(f"Line {line}:")
    assert words in str(error.value)


def test_a_file_larger_than_the_limit_is_refused(app):
    with pytest.raises(StatementError):
        decode_statement_file(b"x" * 1_000_001)


# Storing -------------------------------------------------------------------------


def test_signatories_become_curated_counted_signatures_in_file_order(app):
    statement = _import(CHARTER)
    assert statement.status is StatementStatus.draft
    assert statement.slug == "bread-and-roses-for-the-river-towns-a-charter"
    assert [d.position for d in statement.demands] == list(range(1, 8))
    signatures = db.session.scalars(
        select(Signature).where(Signature.statement_id == statement.id)
        .order_by(Signature.featured_position)
    ).all()
    assert [s.featured_position for s in signatures] == [1, 2, 3, 4, 5, 6]
    assert [s.name for s in signatures][:2] == ["Ada Brennan", "Bob Okafor"]
    assert all(s.featured and s.show_publicly and s.email is None for s in signatures)
    assert all(s.status is SignatureStatus.confirmed for s in signatures)
    assert counts.totals(statement.id) == counts.Totals(counted=6, listed=6)
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "statement.import")) == "statement.import"


def test_an_imported_statement_can_be_published_at_once(app):
    statement = _import(CHARTER, slug="ferry", publish=True)
    assert (statement.slug, statement.status) == ("ferry", StatementStatus.published)
    assert statement.published_at is not None


def test_a_slug_clash_is_refused_and_nothing_is_imported(app, make_statement):
    make_statement(slug="ferry")
    with pytest.raises(StatementError) as error:
        _import(CHARTER, slug="ferry")
    assert "“ferry”" in str(error.value)
    assert _count(Statement) == 1 and _count(Signature) == 0


def test_the_command_imports_a_file_and_prints_its_address(runner, tmp_path):
    path = tmp_path / "charter.txt"
    path.write_bytes(("\ufeff" + CHARTER.replace("\n", "\r\n")).encode())
    result = runner.invoke(args=["statements", "import", str(path), "--slug", "ferry",
                                 "--publish"])
    assert result.exit_code == 0, result.output
    assert "7 demands, 6 signatories" in result.output
    assert "http://localhost/s/ferry" in result.output
    statement = db.session.scalar(select(Statement))
    assert statement.status is StatementStatus.published


def test_the_command_names_the_bad_line_and_stores_nothing(runner, tmp_path):
    path = tmp_path / "broken.txt"
    path.write_text(CHARTER.replace("5. Safety", "9. Safety"), encoding="utf-8")
    result = runner.invoke(args=["statements", "import", str(path)])
    assert result.exit_code == 1
    assert "Line 10:" in result.output and "should be number 5" in result.output
    assert _count(Statement) == 0 and _count(Signature) == 0


def test_the_command_refuses_a_non_utf8_file(runner, tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Título\n1. Uno\n".encode("cp1252"))
    result = runner.invoke(args=["statements", "import", str(path)])
    assert result.exit_code == 1 and "Line 1:" in result.output and "UTF-8" in result.output
    assert _count(Statement) == 0


def test_the_command_reports_a_slug_clash(runner, tmp_path, make_statement):
    make_statement(slug="ferry")
    path = tmp_path / "charter.txt"
    path.write_text(CHARTER, encoding="utf-8")
    result = runner.invoke(args=["statements", "import", str(path), "--slug", "ferry"])
    assert result.exit_code == 1 and "already uses the web address" in result.output
    assert _count(Signature) == 0


# The dashboard page ------------------------------------------------------------------


def test_an_editor_pastes_a_charter_into_the_import_page(client, logged_in):
    logged_in(Role.editor)
    response = client.submit("/dashboard/statements/import",
                             {"text": CHARTER, "slug": "ferry", "publish": "y"},
                             page="/dashboard/statements/import")
    assert response.status_code == 303
    statement = db.session.scalar(select(Statement))
    assert response.headers["Location"].endswith(f"/dashboard/statements/{statement.id}")
    assert statement.status is StatementStatus.published
    page = client.get("/s/ferry").get_data(as_text=True)
    assert "Bob Okafor" in page and 'id="demand-7"' in page


def test_an_editor_uploads_a_charter_file(client, logged_in):
    logged_in(Role.editor)
    data = ("\ufeff" + CHARTER.replace("\n", "\r\n")).encode()
    response = client.submit("/dashboard/statements/import",
                             {"text": "", "file": (io.BytesIO(data), "charter.txt")},
                             page="/dashboard/statements/import",
                             content_type="multipart/form-data")
    assert response.status_code == 303
    statement = db.session.scalar(select(Statement))
    assert statement.status is StatementStatus.draft and len(statement.demands) == 7


@pytest.mark.parametrize("data, message", [
    ({"text": CHARTER.replace("2. Fair", "4. Fair")}, "Line 6:"),
    ({"text": "   "}, "Paste the statement text or choose a file."),
    ({"text": CHARTER, "slug": "\x00"}, "Remove the control characters"),
    ({"text": "Title\x00\n1. One"}, "Line 1:"),
    ({"file": (io.BytesIO("Tést\n".encode("latin-1")), "x.txt")}, "not UTF-8"),
])
def test_a_bad_import_shows_the_problem_and_stores_nothing(client, logged_in, data, message):
    logged_in(Role.editor)
    response = client.submit("/dashboard/statements/import", data,
                             page="/dashboard/statements/import",
                             content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Statement) == 0 and _count(Signature) == 0


def test_a_viewer_cannot_import(client, logged_in):
    logged_in(Role.viewer)
    assert client.get("/dashboard/statements/import").status_code == 403
