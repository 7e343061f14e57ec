"""The CSV writer every export uses: quoting and formula neutralising."""
import csv
import io
from datetime import datetime, timezone

from campaign.exports.csv import csv_lines


def _parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_cells_a_spreadsheet_would_run_are_neutralised():
    rows = [["=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\tTab", "\rCR", "plain"]]
    parsed = _parse("".join(csv_lines(["a", "b", "c", "d", "e", "f", "g"], rows)))
    assert parsed[1] == ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)", "'\tTab",
                         "'\rCR", "plain"]


def test_quotes_commas_and_newlines_survive_rfc_4180_quoting():
    name = 'Olha "Olya" Kovalenko, MP\nKyiv'
    text = "".join(csv_lines(["name"], [[name]]))
    assert text.startswith("name\r\n")
    assert _parse(text)[1] == [name]


def test_a_bom_is_written_only_when_asked_and_dates_are_iso_utc():
    when = datetime(2026, 3, 1, 12, 30, tzinfo=timezone.utc)
    plain = "".join(csv_lines(["signed_at"], [[when]]))
    with_bom = "".join(csv_lines(["signed_at"], [[when]], bom=True))
    assert not plain.startswith("\ufeff") and with_bom.startswith("\ufeff")
    assert _parse(plain)[1] == ["2026-03-01T12:30:00Z"]
