"""Pooled PostgreSQL connections are tried before use only after they have sat idle.

SQLAlchemy's `pool_pre_ping` tries every connection at every check-out: a round trip to the
database before each request's first query, however busy the site is. A connection that
went back to the pool a moment ago is as good as it was then, and a connection broken while
in use is caught anyway: SQLAlchemy sees the disconnect, the request gets the 503 page and
the whole pool is started afresh. So only a connection that sat idle longer than
DB_PING_AFTER_IDLE_SECONDS, through which the database may have restarted unseen, is tried
(0: every check-out, as `pool_pre_ping`). In a spike, when every connection is busy, none is.
"""
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError

_RETURNED_AT = "campaign.returned_at"


def ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Try a connection that sat in `engine`'s pool longer than `idle_seconds` before use."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection, record) -> None:
        record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _tried_if_idle(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get(_RETURNED_AT)
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another, connecting afresh.
            raise DisconnectionError() from error
