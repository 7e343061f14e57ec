"""Every Flask extension, created once here and initialised by `create_app`.

Flask-Migrate is the exception: it imports Alembic, which costs every web worker and every
command about 19 MB, so it is set up only when migrations are wanted (`flask db ...`,
`upgrade_database()`).
"""
import threading
import time

import click
from flask import Flask, current_app, g
from flask.cli import ScriptInfo, with_appcontext
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def passing_locked_rows(query, of=None):
    """`query`, taking only rows no other transaction has locked: SKIP LOCKED on PostgreSQL,
    so workers taking batches from one queue pass each other instead of waiting in line
    (`of`: the table whose rows to lock, when the query joins others). SQLite has a single
    writer: there the caller's guarded UPDATE or DELETE decides which worker a row is for."""
    if db.engine.dialect.name != "postgresql":
        return query
    return query.with_for_update(of=of, skip_locked=True)


#: Indexes only a migration can make (PostgreSQL's trigram search index; the dashboard list's
#: order, with its mixed directions): autogenerate must not propose dropping them.
HAND_MADE_INDEXES = frozenset({"ix_signatures_search_trgm", "ix_signatures_list_order"})
#: SQLite's full-text index of signatories (an FTS5 table and the tables it keeps its index in).
HAND_MADE_TABLES = "signatures_search"


def _compared_by_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return not (name or "").startswith(HAND_MADE_TABLES)
    return not (type_ == "index" and name in HAND_MADE_INDEXES)




def init_migrations(app: Flask) -> None:
    """Set Flask-Migrate up for `app` (once), with the project's migrations."""
    if "migrate" in app.extensions:
        return
    from flask_migrate import Migrate

    from campaign.config import PROJECT_ROOT

    Migrate(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True,
            compare_type=True, include_object=_compared_by_autogenerate)


def upgrade_database() -> None:
    """`flask db upgrade`, for code (tests, benchmarks), in an app context."""
    init_migrations(current_app)
    from flask_migrate import upgrade

    upgrade()


class MigrationCommands(click.Group):
    """`flask db ...`: Flask-Migrate's own commands, set up when one of them is asked for."""

    def _commands(self, ctx: click.Context) -> click.Group:
        init_migrations(ctx.ensure_object(ScriptInfo).load_app())
        from flask_migrate.cli import db as flask_migrate_commands

        return flask_migrate_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._commands(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._commands(ctx).get_command(ctx, name)


@with_appcontext
def _remember_options(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """What Flask-Migrate's own group does with its options: its commands read them from g."""
    g.directory = directory
    g.x_arg = x_arg


migration_commands = MigrationCommands(
    "db", help="Database migrations (Flask-Migrate, Alembic).", callback=_remember_options,
    params=[
        click.Option(["-d", "--directory"], default=None,
                     help="Migration script directory (default: the project's migrations)."),
        click.Option(["-x", "--x-arg"], multiple=True,
                     help="Additional arguments consumed by custom env.py scripts."),
    ],
)


class SweptMemoryStorage(MemoryStorage):
    """The rate limits' counters in this process's memory (`memory://`, the embedded
    default), their expired keys swept by one thread for the process's life.

    The library's own storage starts a new timer thread 10 ms after the last one ended, so
    while hits come in it starts a hundred threads a second, each start waiting until the new
    thread runs (on a busy worker, milliseconds of a signing request's time), and walks every
    key each time. A counter past its time is dropped when it is read anyway (`get`), so a
    sweep a second only bounds the memory. Defined with the "memory" scheme, it takes that
    scheme over from the library's class in this process; the sweeper is started on first use
    and again in each process forked after it (a thread does not survive a fork).
    """

    STORAGE_SCHEME = ["memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, *args, **kwargs):
        self._sweeper: threading.Thread | None = None
        self._sweeper_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the library's timer
        if self._sweeper is not None and self._sweeper.is_alive():
            return
        with self._sweeper_lock:
            if self._sweeper is None or not self._sweeper.is_alive():
                self._sweeper = threading.Thread(target=self._sweep, name="rate-limit-sweeper",
                                                 daemon=True)
                self._sweeper.start()

    def _sweep(self) -> None:
        while True:
            time.sleep(self.SWEEP_SECONDS)
            self._MemoryStorage__expire_events()


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
