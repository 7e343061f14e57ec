"""Signatures collected on paper or offline, entered by an organizer: read, checked, stored.

Two shapes come in: lines pasted in the statement import's signatory format ("Name,
affiliation", "(pc)"; read by `statements.importer.signatory_line`), or a CSV file with a
header row (name, affiliation, email, country, date collected, personal capacity). Every
line is checked, duplicates within the batch and against the statement's signatures (by
the blind index of the address) are flagged, and nothing is stored until no line has a
problem; then all are stored in one transaction through `service.insert_signature`, so
counts move as they do for any signature. The dashboard and `signatures add` share this.
"""
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _, ngettext
from sqlalchemy import func, select, tuple_

from campaign.audit.service import record
from campaign.common.emails import InvalidEmail, validated_email
from campaign.common.errors import DomainError
from campaign.common.hashing import email_index
from campaign.common.sources import normal_source
from campaign.common.text import (
    FORMULA_TRIGGERS, NAME_MAX_LENGTH, SOURCE_MAX_LENGTH, clean, has_control_characters,
)
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.signatures.forms import PAPER_MAX_BYTES, is_country_code
from campaign.signatures.models import EntryMethod, Signature, SignatureStatus, indexed_email
from campaign.signatures import milestones
from campaign.signatures.emails import send_receipt
from campaign.signatures.service import insert_signature
from campaign.statements.importer import ImportFormatError, checked_signatory, signatory_line
from campaign.statements.models import Statement

#: At most this many signatures in one batch: a box of forms, not a database.
MAX_PAPER_LINES = 5000
PAPER_SOURCE = "paper"
#: The CSV columns, by their header (case, spaces and underscores ignored).
_CSV_COLUMNS = {
    "name": "name", "affiliation": "affiliation", "email": "email", "country": "country",
    "datecollected": "collected_on", "collected": "collected_on", "date": "collected_on",
    "personalcapacity": "personal_capacity",
}
_YES = frozenset({"yes", "y", "true", "1", "x", "pc"})
_NO = frozenset({"", "no", "n", "false", "0"})
#: Paper collected before this is surely a typo in the year.
_EARLIEST_COLLECTION = date(2000, 1, 1)
_LOOKUP_CHUNK = 500


class PaperError(DomainError):
    """The batch as a whole cannot be read or stored; the message says why."""


@dataclass
class PaperLine:
    """One signatory as read from the paste or file, with what is wrong with it."""

    number: int
    name: str = ""
    affiliation: str = ""
    personal_capacity: bool = False
    email: str = ""
    country: str = ""
    collected_on: date | None = None
    problems: list[str] = field(default_factory=list)
    #: Not blocking: a signature with the same name and affiliation exists (no address to tell).
    warnings: list[str] = field(default_factory=list)


@dataclass
class PaperBatch:
    lines: list[PaperLine]

    @property
    def lines_with_problems(self) -> list[PaperLine]:
        return [line for line in self.lines if line.problems]

    @property
    def is_ready(self) -> bool:
        """Every line can be stored: the batch may be added."""
        return bool(self.lines) and not self.lines_with_problems


def checked_source(code: str | None) -> str:
    """The source code the signatures are stored with: "paper" unless another is chosen.

    The rule is a tracked link's (`normal_source`), case folded, so "Unite-Leeds" on paper
    and the link "unite-leeds" are one source in the statistics.
    """
    code = normal_source(clean(code))
    if code is None:
        raise PaperError(_(
            "A source code has at most %(max)d letters, digits, dots, dashes or underscores, "
            "like “unite-leeds”.", max=SOURCE_MAX_LENGTH), field="source")
    return code or PAPER_SOURCE


def decode_upload(data: bytes) -> str:
    """An uploaded file's text: UTF-8 (with or without a byte order mark) or UTF-16 with one."""
    if len(data) > PAPER_MAX_BYTES:
        raise PaperError(_("The file is larger than %(size)s kB. Split it and add each part.",
                           size=PAPER_MAX_BYTES // 1000), field="file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise PaperError(_("The file could not be read as UTF-16 text."),
                             field="file") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PaperError(_(
            "Line %(line)d of the file is not UTF-8 text. In a spreadsheet, save it as "
            "“CSV UTF-8” and try again.", line=line), field="file") from error


def read_pasted(text: str, collected_on: date | None = None) -> list[PaperLine]:
    """Each non-blank line of `text` as a signatory ("Name, affiliation", "(pc)")."""
    _check_size(text)
    lines = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff")), start=1):
        if not raw.strip():
            continue
        line = PaperLine(number=number, collected_on=collected_on)
        try:
            signatory = signatory_line(number, raw)
        except ImportFormatError as error:
            line.name = _shown(raw)
            line.problems.append(error.problem)
        else:
            line.name, line.affiliation = signatory.name, signatory.affiliation
            line.personal_capacity = signatory.personal_capacity
            _check_formula(line)
        _check_collected_on(line)
        lines.append(line)
    return _bounded(lines)


def read_csv(text: str, collected_on: date | None = None) -> list[PaperLine]:
    """The rows of a CSV file with a header row naming its columns; `collected_on` for rows
    that give no date collected."""
    _check_size(text)
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(rows, None)
        if header is None:
            raise PaperError(_("The file is empty."), field="file")
        columns = _columns(header)
        lines = [_csv_line(rows.line_num, columns, row, collected_on)
                 for row in rows if any(map(str.strip, row))]
    except csv.Error as error:
        raise PaperError(_("Line %(line)d of the file is not valid CSV: %(problem)s",
                           line=rows.line_num, problem=str(error)), field="file") from error
    return _bounded(lines)


def check_batch(statement: Statement, lines: list[PaperLine]) -> PaperBatch:
    """Flag repeats within the batch and signatures the statement already has."""
    first_with_email: dict[str, int] = {}
    first_with_name: dict[tuple[str, str], int] = {}
    for line in lines:
        if line.email:
            index = email_index(line.email)
            if index in first_with_email:
                line.problems.append(_("The same email address as line %(line)d.",
                                       line=first_with_email[index]))
            first_with_email.setdefault(index, line.number)
        if line.name:
            key = (line.name.casefold(), line.affiliation.casefold())
            if key in first_with_name:
                line.problems.append(_("The same name and affiliation as line %(line)d.",
                                       line=first_with_name[key]))
            first_with_name.setdefault(key, line.number)
    signed = _already_signed(statement.id, list(first_with_email))
    for line in lines:
        if line.email and email_index(line.email) in signed:
            line.problems.append(_("This email address has already signed this statement."))
    readable = [line for line in lines if line.name and not line.problems]
    named = _already_named(statement.id, {_lowered(line) for line in readable})
    for line in readable:
        if not line.email and _lowered(line) in named:
            line.warnings.append(_("A signature with this name and affiliation already exists: "
                                   "check it is not the same person."))
    return PaperBatch(lines)


def add_paper_signatures(statement: Statement, batch: PaperBatch, source: str = PAPER_SOURCE,
                         show_publicly: bool = False, entered_by=None, actor=None) -> int:
    """Store a checked batch, all or nothing; returns how many were added.

    Each is confirmed and counted at once (the organizer vouches for the paper); one with an
    address gets the receipt every signature gets, with its link to withdraw.
    """
    if statement.is_draft:
        raise PaperError(_("Publish the statement before adding signatures to it."))
    if not batch.is_ready:
        raise PaperError(_("Fix the lines with a problem first: nothing has been added."))
    source = checked_source(source)
    now = utcnow()
    try:
        for line in batch.lines:
            signature = insert_signature(
                statement_id=statement.id, revision=statement.revision,
                name=line.name, affiliation=line.affiliation,
                personal_capacity=line.personal_capacity,
                email=line.email or None, **indexed_email(line.email or None),
                country=line.country, show_publicly=show_publicly,
                status=SignatureStatus.confirmed, confirmed_at=now, created_at=now,
                source=source, entry_method=EntryMethod.paper, collected_on=line.collected_on,
                entered_by_id=entered_by.id if entered_by is not None else None,
            )
            if signature is None:
                raise PaperError(_("Line %(line)d: this email address has just signed this "
                                   "statement. Nothing has been added.", line=line.number))
            if line.email:
                send_receipt(signature, line.email, statement)
        record("signatures.add_paper", f"statement:{statement.slug}",
               f"{len(batch.lines)} signatures, source {source}", actor=actor)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    milestones.announce_crossed(statement)
    return len(batch.lines)


def _shown(raw: str) -> str:
    """A line that could not be read, as the preview shows it: printable characters only."""
    return "".join(c for c in clean(raw) if c.isprintable())[:NAME_MAX_LENGTH]


def _check_size(text: str) -> None:
    if len(text.encode("utf-8", "surrogatepass")) > PAPER_MAX_BYTES:
        raise PaperError(_("The text is larger than %(size)s kB. Split it and add each part.",
                           size=PAPER_MAX_BYTES // 1000), field="text")


def _bounded(lines: list[PaperLine]) -> list[PaperLine]:
    if not lines:
        raise PaperError(_("There are no signatories in it: one a line, “Name, affiliation”."),
                         field="text")
    if len(lines) > MAX_PAPER_LINES:
        raise PaperError(ngettext(
            "At most %(num)d signature can be added at once.",
            "At most %(num)d signatures can be added at once. Split the list and add each part.",
            MAX_PAPER_LINES), field="text")
    return lines


def _columns(header: list[str]) -> list[str]:
    columns = []
    for title in header:
        key = re.sub(r"[\s_-]+", "", clean(title).casefold())
        if key not in _CSV_COLUMNS:
            raise PaperError(_(
                "The file has a column “%(column)s” this does not know. The columns are: name, "
                "affiliation, email, country, date collected, personal capacity.",
                column=clean(title)[:60]), field="file")
        if _CSV_COLUMNS[key] in columns:
            raise PaperError(_("The file has two “%(column)s” columns.",
                               column=clean(title)[:60]), field="file")
        columns.append(_CSV_COLUMNS[key])
    if "name" not in columns:
        raise PaperError(_("The file needs a “name” column, with the header in its first row."),
                         field="file")
    return columns


def _csv_line(number: int, columns: list[str], row: list[str],
              collected_on: date | None) -> PaperLine:
    cells = {column: _unquoted(clean(value)) for column, value in zip(columns, row)}
    line = PaperLine(number=number, collected_on=collected_on)
    if len(row) > len(columns):
        line.problems.append(_("This row has more cells than the header has columns."))
    if any(has_control_characters(value) for value in cells.values()):
        line.problems.append(_("Remove the control characters from this row."))
        return line
    _read_signatory(line, cells)
    _read_email(line, cells.get("email", ""))
    _read_country(line, cells.get("country", ""))
    _read_date(line, cells.get("collected_on", ""))
    _read_personal_capacity(line, cells.get("personal_capacity", ""))
    return line


def _unquoted(value: str) -> str:
    """A cell this site's own CSV export neutralised ("'=…") comes back as it was."""
    if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS):
        return value[1:]
    return value


def _read_signatory(line: PaperLine, cells: dict) -> None:
    line.name = cells.get("name", "")[:NAME_MAX_LENGTH]
    if not line.name:
        line.problems.append(_("Enter the name."))
        return
    try:
        signatory = checked_signatory(line.number, cells.get("name", ""),
                                      cells.get("affiliation", ""))
    except ImportFormatError as error:
        line.problems.append(error.problem)
        return
    line.name, line.affiliation = signatory.name, signatory.affiliation
    _check_formula(line)


def _check_formula(line: PaperLine) -> None:
    """Names are people's and organisations' names, never what a spreadsheet would run."""
    if line.name.startswith(FORMULA_TRIGGERS) or line.affiliation.startswith(FORMULA_TRIGGERS):
        line.problems.append(_("This looks like a spreadsheet formula, not a name: a name "
                               "cannot start with =, +, - or @."))


def _read_email(line: PaperLine, value: str) -> None:
    if not value:
        return
    try:
        line.email = validated_email(value)
    except InvalidEmail:
        line.problems.append(_("“%(email)s” is not an email address in the right format.",
                               email=value[:100]))


def _read_country(line: PaperLine, value: str) -> None:
    if value and not is_country_code(value.upper()):
        line.problems.append(_("“%(country)s” is not a two-letter country code, like GB or UA.",
                               country=value[:20]))
    elif value:
        line.country = value.upper()


def _read_date(line: PaperLine, value: str) -> None:
    if value:
        try:
            line.collected_on = date.fromisoformat(value)
        except ValueError:
            line.problems.append(_("“%(date)s” is not a date in the form 2027-03-24.",
                                   date=value[:20]))
            return
    _check_collected_on(line)


def _check_collected_on(line: PaperLine) -> None:
    if line.collected_on is None:
        return
    if line.collected_on > utcnow().date():
        line.problems.append(_("The date collected is in the future."))
    elif line.collected_on < _EARLIEST_COLLECTION:
        line.problems.append(_("The date collected is before 2000: check the year."))


def _read_personal_capacity(line: PaperLine, value: str) -> None:
    value = value.casefold()
    if value in _YES:
        line.personal_capacity = True
    elif value not in _NO:
        line.problems.append(_("Personal capacity is “yes” or “no”."))


def _already_signed(statement_id: int, indexes: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(indexes):
        found.update(db.session.scalars(select(Signature.email_index).where(
            Signature.statement_id == statement_id, Signature.email_index.in_(chunk),
        )))
    return found


def _lowered(line: PaperLine) -> tuple[str, str]:
    return line.name.lower(), line.affiliation.lower()


def _already_named(statement_id: int, keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (name, affiliation) pairs, lower-cased, the statement's signatures already have."""
    found: set[tuple[str, str]] = set()
    for chunk in _chunks(sorted(keys)):
        rows = db.session.execute(select(Signature.name, Signature.affiliation).where(
            Signature.statement_id == statement_id,
            Signature.status != SignatureStatus.withdrawn,
            tuple_(func.lower(Signature.name), func.lower(Signature.affiliation)).in_(chunk),
        ))
        found.update((name.lower(), affiliation.lower()) for name, affiliation in rows)
    return found


def _chunks(values: list) -> Iterable[list]:
    for start in range(0, len(values), _LOOKUP_CHUNK):
        yield values[start:start + _LOOKUP_CHUNK]
