"""Every Flask extension, created once here and initialised by `create_app`."""
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
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
#: Indexes only a migration can make (PostgreSQL's trigram search index; the dashboard list's
#: order, with its mixed directions): autogenerate must not propose dropping them.
HAND_MADE_INDEXES = frozenset({"ix_signatures_search_trgm", "ix_signatures_list_order"})
#: SQLite's full-text index of signatories (an FTS5 table and the tables it keeps its index in).
HAND_MADE_TABLES = "signatures_search"


def _compared_by_autogenerate(obj, name, type_, reflected, compare_to) -> bool:
    if type_ == "table":
        return not (name or "").startswith(HAND_MADE_TABLES)
    return not (type_ == "index" and name in HAND_MADE_INDEXES)


migrate = Migrate(render_as_batch=True, compare_type=True,
                  include_object=_compared_by_autogenerate)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
