"""Signatories as CSV, for the dashboard download and `flask signatures export` alike.

A million rows export in seconds and constant memory, each batch of rows worked on a column
at a time, and the cells where they are cheapest to write:

- On PostgreSQL the database writes each line's cells itself (formula-like cells
  neutralised and RFC 4180 quoting done in the query, see `sql_cell`), in its own process,
  while this process opens the batch before.
- On SQLite the query runs in this process, under the interpreter's lock, and the same work
  in its virtual machine cost three times what Python's string methods take over a whole
  column (`cells`): the rows come as stored and Python writes the cells.

Either way Python opens the email address and comment, which are stored encrypted
(`Keyring.opener`), and numbers the lines.
"""
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from itertools import count, islice

from sqlalchemy import Text, false, select, true, type_coerce

from campaign.audit.service import record
from campaign.common.crypto import Opener, keyring
from campaign.exports.csv import (
    cells, header_line, sql_cell, sql_date, sql_enum_value, sql_joined, sql_utc_iso, sql_yes_no,
)
from campaign.extensions import db
from campaign.signatures.models import EntryMethod, Signature, SignatureStatus
from campaign.statements.models import Statement

HEADER = [
    "position", "name", "affiliation", "personal_capacity", "country", "email", "status",
    "curated", "signed_at", "comment", "date_collected", "how_entered", "source",
    "referrer_domain",
]
#: all: every signature not withdrawn; public: what the statement page lists
#: (confirmed, and shown publicly or curated); curated: the featured, not withdrawn.
WHICH = ("all", "public", "curated")
#: Rows a batch: the export's own memory stays a few MB at any size (1,000 a batch took
#: 1.2 MB more than 500, for no measurable speed).
_BATCH = 500
_YES_NO = ("no", "yes")


def signatories_csv(statement: Statement, which: str = "all", bom: bool = False,
                    actor=None) -> Iterator[str]:
    """The export, a batch of lines at a time; the audit entry is committed before the first."""
    if which not in WHICH:
        raise ValueError(f"which must be one of {', '.join(WHICH)}")
    record("signatures.export", f"statement:{statement.slug}", f"which={which}", actor=actor)
    db.session.commit()
    return _lines(statement.id, which, bom)


def export_filename(statement: Statement, today: date) -> str:
    return f"signatories-{statement.slug}-{today.isoformat()}.csv"


def _lines(statement_id: int, which: str, bom: bool) -> Iterator[str]:
    """Curated signatories first in their order, then the rest in the order they signed."""
    yield header_line(HEADER, bom)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        columns, lines = _CELLS_WRITTEN_IN_SQL, _lines_of_written_cells
    else:
        columns, lines = _COLUMNS_AS_STORED, _lines_of_stored_columns
    open_emails = keyring().opener("signatures.email")
    open_comments = keyring().opener("signatures.comment")
    position = 0
    for rows in _batches(connection, _queries(statement_id, which, columns)):
        yield lines(rows, position + 1, open_emails, open_comments)
        position += len(rows)


def _lines_of_written_cells(rows: list[tuple], first: int, open_emails: Opener,
                            open_comments: Opener) -> str:
    """Rows of (the cells before the email, the stored email, the cells between, the stored
    comment, the cells after): a line is `position,before email middle comment after`."""
    _, emails, _, comments, _ = zip(*rows)
    return "".join([
        f"{position},{before}{email}{middle}{comment}{after}\r\n"
        for position, (before, _, middle, _, after), email, comment
        in zip(count(first), rows, cells(open_emails(emails)), cells(open_comments(comments)))
    ])


def _lines_of_stored_columns(rows: list[tuple], first: int, open_emails: Opener,
                             open_comments: Opener) -> str:
    """Rows of the columns as stored (SQLite: times as `YYYY-MM-DD HH:MM:SS.ffffff`, in UTC;
    flags as 0 or 1), written a column at a time."""
    (names, affiliations, personal, countries, emails, statuses, featured, signed_at, comments,
     collected_on, methods, sources, referrers) = zip(*rows)
    # `neutralise`'s form of a time: ISO 8601 with a Z, microseconds only when there are any.
    signed_at = "\n".join(signed_at).replace(" ", "T").replace(".000000", "").split("\n")
    return "".join([
        f"{position},{name},{affiliation},{_YES_NO[own]},{country},{email},{status},"
        f"{_YES_NO[curated]},{signed}Z,{comment},{collected or ''},{method},{source},{referrer}\r\n"
        for (position, name, affiliation, own, country, email, status, curated, signed, comment,
             collected, method, source, referrer)
        in zip(count(first), cells(names), cells(affiliations), personal, cells(countries),
               cells(open_emails(emails)), map(_STATUS_VALUES.__getitem__, statuses), featured,
               signed_at, cells(open_comments(comments)), collected_on,
               map(_METHOD_VALUES.__getitem__, methods), cells(sources), cells(referrers))
    ])


def _batches(connection, queries) -> Iterator[list[tuple]]:
    """Each query's rows as the driver hands them over, a batch at a time: SQLAlchemy's own
    rows took a quarter of a million-row export's time. The queries bind only plain values,
    which the driver takes as they are.

    On PostgreSQL each query is one statement whose rows come as the database makes them
    (libpq's chunked rows), not a server-side cursor fetched batch by batch: the cursor's
    thousand round trips made the database take 4.1 s for a million rows instead of 2.9. As
    the statement lasts as long as the download, its transaction lifts the statement timeout.
    It also runs without parallel workers: with this process busy opening the addresses, the
    workers' turns on the same cores cost more than they gave (a million lines in 3.4 s with
    them, 3.2 s without, on two cores). Chunks need libpq 17 (psycopg's binary wheel brings
    its own); with an older libpq the rows come one at a time, more slowly.
    """
    driver = connection.connection.driver_connection
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
        chunk = _BATCH if _chunked_rows() else 1
    for query in queries:
        compiled = query.compile(dialect=connection.dialect,
                                 compile_kwargs={"render_postcompile": True})
        parameters = compiled.params
        if compiled.positiontup:
            parameters = [parameters[name] for name in compiled.positiontup]
        with closing(driver.cursor()) as cursor:
            if postgresql:
                with closing(cursor.stream(str(compiled), parameters, size=chunk)) as rows:
                    while batch := list(islice(rows, _BATCH)):
                        yield batch
            else:
                cursor.execute(str(compiled), parameters)
                while batch := cursor.fetchmany(_BATCH):
                    yield batch


def _chunked_rows() -> bool:
    from psycopg import capabilities  # the PostgreSQL driver, imported only where it is used

    return capabilities.has_stream_chunked()


#: PostgreSQL's columns: the cells before the email, the email as stored, the cells between,
#: the comment as stored, the cells after.
_CELLS_WRITTEN_IN_SQL = (
    sql_joined(sql_cell(Signature.name), sql_cell(Signature.affiliation),
               sql_yes_no(Signature.personal_capacity), sql_cell(Signature.country), ""),
    type_coerce(Signature.email, Text),
    sql_joined("", sql_enum_value(Signature.status, SignatureStatus),
               sql_yes_no(Signature.featured), sql_utc_iso(Signature.created_at), ""),
    type_coerce(Signature.comment, Text),
    sql_joined("", sql_date(Signature.collected_on),
               sql_enum_value(Signature.entry_method, EntryMethod), sql_cell(Signature.source),
               sql_cell(Signature.referrer_domain)),
)
#: SQLite's columns: the export's, as stored.
_COLUMNS_AS_STORED = tuple(
    type_coerce(column, Text) for column in (
        Signature.name, Signature.affiliation, Signature.personal_capacity, Signature.country,
        Signature.email, Signature.status, Signature.featured, Signature.created_at,
        Signature.comment, Signature.collected_on, Signature.entry_method, Signature.source,
        Signature.referrer_domain,
    )
)
_STATUS_VALUES = {member.name: member.value for member in SignatureStatus}
_METHOD_VALUES = {member.name: member.value for member in EntryMethod}


def _queries(statement_id: int, which: str, columns: tuple):
    base = select(*columns).where(Signature.statement_id == statement_id)
    status = type_coerce(Signature.status, Text)  # as stored (the member's name): a plain value
    if which == "public":
        base = base.where(status == SignatureStatus.confirmed.name)
    else:
        base = base.where(status != SignatureStatus.withdrawn.name)
    curated = base.where(Signature.featured == true()).order_by(
        Signature.featured_position, Signature.id
    )
    if which == "curated":
        return [curated]
    # Not curated means no position too (signatures.service keeps it so); saying it, and
    # `= false` rather than `IS false` (which PostgreSQL cannot look up in an index), lets the
    # database read the others in order from the list's index, without sorting a million.
    others = base.where(Signature.featured == false(), Signature.featured_position.is_(None))
    if which == "public":
        others = others.where(Signature.show_publicly.is_(True))
    # The list's index read backwards: its first columns are the same for all the others, and
    # named only because PostgreSQL reads an index in order for an ORDER BY that names them.
    return [curated, others.order_by(Signature.featured, Signature.featured_position.desc(),
                                     Signature.created_at, Signature.id)]
