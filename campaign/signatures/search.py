"""The dashboard's list of a statement's signatures, searched and paged, fast at a million.

Curated signatories come first in their order, then the others newest first: by when they
signed in the whole list, by when they were entered among search results (the order the
full-text index keeps, on both databases alike). The two are
read apart: the curated are few, and the others are read in an index's order (the list's
own index, or on SQLite the full-text index's), so a page stops after its rows instead of
sorting every match. Matches are counted only up to SEARCH_COUNT_LIMIT + 1: counting a
million would cost more than finding the page.

Text matches a name or affiliation anywhere, ignoring case, through a trigram index (pg_trgm
on PostgreSQL, FTS5 on SQLite: migrations 4f0f105dbdd9 and f75e5ea4c4ab); text with an @
is a whole email address, matched through its blind index (addresses are encrypted, so
part of one cannot be searched for).
"""
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import false, func, literal_column, or_, select, table, true

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.signatures.models import Signature, SignatureStatus
from campaign.statements.models import Statement

SEARCH_COUNT_LIMIT = 1_000
#: SQLite's full-text index finds terms of three characters or more (trigrams).
_INDEXED_TERM_LENGTH = 3
_FULL_TEXT = table("signatures_search", literal_column("rowid"))


#: SQLite: the triggers that keep the full-text index `signatures_search` (made by migration
#: f75e5ea4c4ab) in step with `signatures`.
SQLITE_SEARCH_TRIGGERS = {
    "signatures_search_insert": (
        "AFTER INSERT ON signatures BEGIN "
        "INSERT INTO signatures_search (rowid, name, affiliation) "
        "VALUES (new.id, new.name, new.affiliation); END"
    ),
    "signatures_search_delete": (
        "AFTER DELETE ON signatures BEGIN "
        "INSERT INTO signatures_search (signatures_search, rowid, name, affiliation) "
        "VALUES ('delete', old.id, old.name, old.affiliation); END"
    ),
    "signatures_search_update": (
        "AFTER UPDATE OF name, affiliation ON signatures BEGIN "
        "INSERT INTO signatures_search (signatures_search, rowid, name, affiliation) "
        "VALUES ('delete', old.id, old.name, old.affiliation); "
        "INSERT INTO signatures_search (rowid, name, affiliation) "
        "VALUES (new.id, new.name, new.affiliation); END"
    ),
}


def restore_sqlite_search_triggers(connection) -> bool:
    """Re-make the full-text index's triggers, and the index, where a later migration's table
    rebuild (SQLite's batch mode copies `signatures` and drops the old one, triggers and all)
    lost them; True when it had to. migrations/env.py calls this after every SQLite run."""
    names = set(connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger') "
        "AND name LIKE 'signatures_search%'").scalars())
    if "signatures_search" not in names or names >= set(SQLITE_SEARCH_TRIGGERS):
        return False
    for name, body in SQLITE_SEARCH_TRIGGERS.items():
        if name not in names:
            connection.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    connection.exec_driver_sql("INSERT INTO signatures_search (signatures_search) VALUES ('rebuild')")
    return True


def search_signatures(statement: Statement, text: str, status: SignatureStatus | None,
                      page: int, per_page: int) -> Pagination:
    return SignatureSearch(page=page, per_page=per_page, error_out=False,
                           statement_id=statement.id, text=text, status=status)


class SignatureSearch(Pagination):
    """One page of the list; `total` is counted up to SEARCH_COUNT_LIMIT + 1."""

    def _query_items(self) -> list[Signature]:
        offset, wanted = self._query_offset, self.per_page
        self._curated_total = _count_up_to_limit(self._curated().order_by(
            Signature.featured.desc(), Signature.featured_position))
        items = list(db.session.scalars(
            self._curated().order_by(Signature.featured_position).offset(offset).limit(wanted)))
        if len(items) < wanted:
            others = self._others().offset(max(0, offset - self._curated_total))
            items += db.session.scalars(others.limit(wanted - len(items)))
        return items

    def _query_count(self) -> int:
        return self._curated_total + _count_up_to_limit(
            self._others().order_by(None), SEARCH_COUNT_LIMIT + 1 - self._curated_total)

    def _where(self, query, curated: bool):
        query = query.where(Signature.statement_id == self._query_args["statement_id"])
        if self._query_args["status"] is not None:
            query = query.where(Signature.status == self._query_args["status"])
        if curated:
            return query.where(Signature.featured == true())
        # Not curated means no position too (signatures.service keeps it so); saying it, and
        # `= false` rather than `IS false` (which PostgreSQL cannot look up in an index), lets
        # the database read the others in order from the list's index.
        return query.where(Signature.featured == false(), Signature.featured_position.is_(None))

    def _curated(self):
        query = self._where(select(Signature), curated=True)
        text = self._query_args["text"]
        return query.where(_address_or_words(text)) if text else query

    def _others(self):
        text = self._query_args["text"]
        if text and "@" not in text and _full_text_index_finds(text):
            return self._where(select(Signature), curated=False).join(
                _FULL_TEXT, _FULL_TEXT.c.rowid == Signature.id
            ).where(literal_column("signatures_search").op("MATCH")(_phrase(text))).order_by(
                _FULL_TEXT.c.rowid.desc())
        query = self._where(select(Signature), curated=False)
        if text:
            return query.where(_address_or_words(text)).order_by(Signature.id.desc())
        # The list's whole order, though the first two are the same for all the others:
        # PostgreSQL reads an index in order only for an ORDER BY that names its columns.
        return query.order_by(Signature.featured.desc(), Signature.featured_position,
                              Signature.created_at.desc(), Signature.id.desc())


def _count_up_to_limit(query, limit: int = SEARCH_COUNT_LIMIT + 1) -> int:
    """How many rows `query` has, counting no further than `limit`. Counted in the query's own
    order where it has one: SQLite then reads the curated few from the list's index, where its
    statistics (one statement, nearly no curated rows) would have it read the whole table."""
    return db.session.scalar(select(func.count()).select_from(
        query.with_only_columns(Signature.id).limit(limit).subquery()))


def _full_text_index_finds(text: str) -> bool:
    return db.engine.dialect.name == "sqlite" and len(text) >= _INDEXED_TERM_LENGTH


def _phrase(text: str) -> str:
    """The text as one FTS5 phrase: with the trigram tokenizer, it matches as a substring."""
    return '"' + text.replace('"', '""') + '"'


def _address_or_words(text: str):
    if "@" in text:
        return Signature.email_index == email_index(text)
    if db.engine.dialect.name == "sqlite" and text.isascii():
        # SQLite's own LIKE ignores case in ASCII, in C; the Unicode-aware lower() it is
        # given (campaign._sqlite_pragmas) is a Python call on every row.
        name, affiliation, term = Signature.name, Signature.affiliation, text
    else:
        name, affiliation = func.lower(Signature.name), func.lower(Signature.affiliation)
        term = text.lower()
    return or_(name.contains(term, autoescape=True), affiliation.contains(term, autoescape=True))
