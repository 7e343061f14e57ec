"""An organizer enters signatures collected on paper at a meeting: pasted lines or a CSV file,
checked line by line, added only when every line is right; and the same from the command line."""
import io
from datetime import date

from sqlalchemy import func, select

from campaign.audit.describe import describe
from campaign.audit.models import AuditEntry
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.signatures.models import EntryMethod, Signature, SignatureStatus
from tests.pages import table_page


def _paper_page(statement) -> str:
    return f"/dashboard/statements/{statement.id}/paper"


def _signature_count(statement) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(Signature.statement_id == statement.id)
    )


def _submit(client, statement, action="check", **fields):
    data = {"source": "paper", "action": action, **fields}
    return client.submit(_paper_page(statement), data, page=_paper_page(statement),
                         content_type="multipart/form-data")


def test_paper_lines_with_a_bad_line_show_the_problem_and_add_nothing_until_fixed(
        client, logged_in, make_statement):
    organizer = logged_in(Role.editor)
    statement = make_statement()
    lines = ("Taras Shevchenko, Kyiv Teachers' Union\n"
             "Ivan Franko, Lviv Writers (pc)\n"
             ", no name here\n"
             "Taras Shevchenko, Kyiv Teachers' Union\n")

    checked = _submit(client, statement, text=lines, collected_on="2026-11-20")
    page = checked.get_data(as_text=True)
    assert checked.status_code == 400
    assert "2 lines have a problem" in page
    assert "a signatory line must start with the name" in page
    assert "The same name and affiliation as line 1." in page
    assert "Add 3 signatures" not in page

    pressed_add_anyway = _submit(client, statement, action="add", text=lines,
                                 collected_on="2026-11-20")
    assert pressed_add_anyway.status_code == 400
    assert _signature_count(statement) == 0
    assert counts.totals(statement.id).counted == 0

    fixed = "Taras Shevchenko, Kyiv Teachers' Union\nIvan Franko, Lviv Writers (pc)\n"
    preview = _submit(client, statement, text=fixed, collected_on="2026-11-20")
    assert preview.status_code == 200
    assert "All 2 signatures are ready to be added." in preview.get_data(as_text=True)
    assert _signature_count(statement) == 0

    added = _submit(client, statement, action="add", text=fixed, collected_on="2026-11-20")
    assert added.status_code == 303
    signatures = db.session.scalars(
        select(Signature).where(Signature.statement_id == statement.id).order_by(Signature.id)
    ).all()
    assert [(s.name, s.affiliation, s.personal_capacity) for s in signatures] == [
        ("Taras Shevchenko", "Kyiv Teachers' Union", False),
        ("Ivan Franko", "Lviv Writers", True),
    ]
    assert {(s.source, s.entry_method, s.collected_on, s.entered_by_id, s.status)
            for s in signatures} == {
        ("paper", EntryMethod.paper, date(2026, 11, 20), organizer.id, SignatureStatus.confirmed)
    }
    assert counts.totals(statement.id).counted == 2
    listed = table_page(client, f"/dashboard/statements/{statement.id}/signatures")
    assert "Ivan Franko" in listed and "Added 2 signatures collected on paper." in listed
    assert "on paper (paper), collected 20 November 2026, entered by Olena Organizer" in listed


def test_an_organizer_uploads_a_csv_with_a_chosen_source_and_duplicates_are_flagged(
        client, logged_in, make_statement, make_signature):
    logged_in(Role.editor)
    statement = make_statement()
    make_signature(statement, email="already@example.org")
    csv_file = ("Name,Affiliation,Email,Country,Date collected\r\n"
                "Lesya Ukrainka,Poets' Circle,lesya@example.org,ua,2026-11-21\r\n"
                "Lesya U.,,LESYA@example.org,UA,2026-11-21\r\n"
                "Already Here,,already@example.org,GB,2026-11-21\r\n"
                "=HYPERLINK(\"http://evil\"),,,XX,21/11/2026\r\n").encode()

    checked = _submit(client, statement, source="unite-leeds",
                      file=(io.BytesIO(csv_file), "sheet.csv"))
    page = checked.get_data(as_text=True)
    assert checked.status_code == 400
    assert "The same email address as line 2." in page
    assert "This email address has already signed this statement." in page
    assert "spreadsheet formula" in page
    assert "not a two-letter country code" in page
    assert "not a date in the form 2027-03-24" in page
    assert _signature_count(statement) == 1

    fixed = ("name,affiliation,email,country,date collected\r\n"
             "Lesya Ukrainka,Poets' Circle,lesya@example.org,ua,2026-11-21\r\n").encode()
    preview = _submit(client, statement, source="unite-leeds",
                      file=(io.BytesIO(fixed), "sheet.csv"))
    assert preview.status_code == 200
    # The file's text is carried to the Add button, which checks it again.
    added = _submit(client, statement, action="add", source="unite-leeds",
                    csv_text=fixed.decode())
    assert added.status_code == 303
    lesya = db.session.scalar(select(Signature).where(Signature.name == "Lesya Ukrainka"))
    assert (lesya.source, lesya.country, lesya.collected_on, lesya.email) == (
        "unite-leeds", "UA", date(2026, 11, 21), "lesya@example.org")
    receipt = db.session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "signature_receipt"))
    assert receipt is not None and receipt.to == "lesya@example.org"


def test_a_paper_source_in_capitals_is_one_source_with_the_tracked_link_of_that_code(
        client, logged_in, make_statement):
    """The paper's "Unite-Leeds" is the link's "unite-leeds": one row in the breakdown."""
    import re

    from campaign.signatures import breakdown
    from campaign.signatures.models import Breakdown

    logged_in(Role.editor)
    statement = make_statement(requires_confirmation=False)
    visitor = client.application.test_client()
    page = table_page(visitor, f"/s/{statement.slug}?source=unite-leeds")
    assert 'value="unite-leeds"' in page
    signed = visitor.submit(f"/s/{statement.slug}/sign",
                            {"name": "Olena Kovalenko", "email": "olena@example.org",
                             "country": "UA", "consent": "y", "source": "unite-leeds",
                             "referrer": ""}, page=f"/s/{statement.slug}")
    assert signed.status_code == 302

    added = _submit(client, statement, action="add", source="Unite-Leeds",
                    text="Taras Shevchenko, Kyiv Teachers' Union\nIvan Franko, Lviv Writers\n")
    assert added.status_code == 303
    assert {s.source for s in db.session.scalars(
        select(Signature).where(Signature.statement_id == statement.id))} == {"unite-leeds"}
    assert breakdown.sums(statement.id, Breakdown.source) == {"unite-leeds": (3, 3, 0)}

    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    by_source = html[html.index('id="sources-title"'):]
    by_source = by_source[:by_source.index("</section>")]
    assert "Unite-Leeds" not in by_source
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th><td>(\d+)</td><td>(\d+)</td>', by_source)
    assert [row for row in rows if row[0].lower() == "unite-leeds"] == [("unite-leeds", "3", "3")]


def test_a_file_in_the_wrong_encoding_or_too_large_is_refused_with_a_message(
        client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    latin1 = "name\r\nJosé Martí\r\n".encode("latin-1")
    refused = _submit(client, statement, file=(io.BytesIO(latin1), "sheet.csv"))
    assert refused.status_code == 400
    assert "is not UTF-8 text" in refused.get_data(as_text=True)

    utf16 = "name,country\r\nJosé Martí,CU\r\n".encode("utf-16")
    read = _submit(client, statement, file=(io.BytesIO(utf16), "sheet.csv"))
    assert read.status_code == 200 and "José Martí" in read.get_data(as_text=True)

    huge = b"name\r\n" + b"A Person\r\n" * 120_000
    too_large = _submit(client, statement, file=(io.BytesIO(huge), "sheet.csv"))
    assert too_large.status_code in (400, 413)
    assert _signature_count(statement) == 0


def test_bad_input_to_the_paper_page_is_a_4xx(client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    for fields in ({"text": "Nul\x00Byte, Union"}, {"text": "A, B", "source": "<script>"},
                   {"text": "A, B", "collected_on": "yesterday"},
                   {"text": "Ann Bell, Union", "collected_on": "2999-01-01"},
                   {"csv_text": "colour\r\nred\r\n"}, {"text": ""}):
        response = _submit(client, statement, **fields)
        assert response.status_code == 400, fields
    assert client.get("/dashboard/statements/999999/paper").status_code == 404
    assert _signature_count(statement) == 0


def test_a_viewer_cannot_add_paper_signatures(client, logged_in, make_statement):
    logged_in(Role.viewer)
    statement = make_statement()
    assert client.get(_paper_page(statement)).status_code == 403


def test_paper_signatures_are_audited_in_a_sentence(client, logged_in, make_statement):
    organizer = logged_in(Role.editor)
    statement = make_statement()
    _submit(client, statement, action="add", text="Mykola Lysenko, Composers\n",
            source="kyiv-meeting")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signatures.add_paper"))
    sentence = describe([entry])[0].sentence
    assert organizer.name in sentence and "1 signature collected on paper" in sentence
    assert "kyiv-meeting" in sentence


def test_the_command_line_adds_paper_signatures_with_the_same_checks(
        runner, make_statement, tmp_path):
    statement = make_statement()
    bad = tmp_path / "meeting.txt"
    bad.write_text("Olha Kobylianska, Writers\n\u202eevil, Union\n", encoding="utf-8")
    refused = runner.invoke(args=["signatures", "add", statement.slug, str(bad)])
    assert refused.exit_code == 1
    assert "line 2" in refused.output and "nothing has been added" in refused.output
    assert _signature_count(statement) == 0

    good = tmp_path / "meeting.csv"
    good.write_text("name,affiliation,personal capacity\nOlha Kobylianska,Writers,yes\n",
                    encoding="utf-8")
    added = runner.invoke(args=["signatures", "add", statement.slug, str(good),
                                "--source", "chernivtsi", "--collected", "2026-11-19"])
    assert added.exit_code == 0, added.output
    assert "Added 1 signature(s)" in added.output
    olha = db.session.scalar(select(Signature).where(Signature.statement_id == statement.id))
    assert (olha.source, olha.entry_method, olha.personal_capacity, olha.collected_on) == (
        "chernivtsi", EntryMethod.paper, True, date(2026, 11, 19))
    assert counts.totals(statement.id).counted == 1

    again = runner.invoke(args=["signatures", "add", statement.slug, str(good)])
    assert again.exit_code == 0  # no address: a warning, as two people may share a name
    assert "already exists" in again.output


def test_paper_signatures_are_exported_with_how_they_were_entered(
        client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    _submit(client, statement, action="add", text="Mykola Lysenko, Composers\n",
            collected_on="2026-11-20")
    exported = client.get(f"/dashboard/statements/{statement.id}/signatures.csv")
    header, row = exported.get_data(as_text=True).splitlines()[:2]
    assert header.endswith(",date_collected,how_entered,source,referrer_domain")
    assert row.endswith(",2026-11-20,paper,paper,")


def test_an_imported_statements_signatories_are_exported_as_imported(
        client, logged_in, runner, tmp_path):
    logged_in(Role.viewer)
    text = tmp_path / "statement.txt"
    text.write_text("Solidarity\n\nWe stand together.\n\n1. Aid: Send aid.\n\nSigned:\n"
                    "Mick Whelan, ASLEF\n", encoding="utf-8")
    assert runner.invoke(args=["statements", "import", str(text), "--slug", "solidarity",
                               "--publish"]).exit_code == 0
    mick = db.session.scalar(select(Signature).where(Signature.name == "Mick Whelan"))
    assert mick.entry_method is EntryMethod.imported
    exported = client.get(f"/dashboard/statements/{mick.statement_id}/signatures.csv")
    assert exported.get_data(as_text=True).splitlines()[1].endswith(",,imported,,")


def test_paper_signatures_that_reach_a_milestone_email_the_organizers(
        client, logged_in, make_statement):
    from campaign.mail.models import OutboxMessage

    editor = logged_in(Role.editor)
    statement = make_statement()
    client.submit(f"/dashboard/statements/{statement.id}/statistics/settings",
                  {"milestones": "2"}, page=f"/dashboard/statements/{statement.id}/statistics")
    _submit(client, statement, action="add",
            text="Mykola Lysenko, Composers\nLesya Ukrainka, Poets\n")
    mails = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "milestone_reached")).all()
    assert [mail.to for mail in mails] == [editor.email]
