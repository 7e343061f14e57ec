"""The campaign statement and petition manager."""
from importlib import import_module

from flask import Flask
from flask.logging import default_handler
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from campaign.common import crypto, idle_ping, sqlite_turns
from campaign.common.routing import DatabaseIdConverter
from campaign.config import INSTANCE_DIR, PROJECT_ROOT, load_settings, trusted_hosts
from campaign.extensions import babel, csrf, db, limiter, login_manager, migration_commands

#: Each domain that serves pages has `views.bp`; each with commands has `cli.commands`;
#: each that reacts to a lower floor's signal connects its receivers in `receivers`.
DOMAINS_WITH_VIEWS = (
    "home", "statements", "signatures", "organizers", "dashboard", "events", "privacy", "api",
    "system", "mail", "sharing", "news", "payments", "endorsements", "supporters", "stats",
)
DOMAINS_WITH_CLI = (
    "statements", "signatures", "organizers", "exports", "mail", "privacy", "keys", "demo",
    "api", "webhooks", "news", "payments", "updates", "stats",
)
DOMAINS_WITH_RECEIVERS = (
    "organizers", "statements", "signatures", "events", "abuse", "webhooks", "news", "payments",
    "endorsements", "supporters", "updates", "stats", "home",
)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    app.config.update(load_settings())
    if config:
        app.config.update(config)
    crypto.init_app(app)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)
    # Flask answers a request for any other Host (after ProxyFix: X-Forwarded-Host) with a 400.
    app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    if app.config["TRUSTED_PROXIES"] > 0:
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    import_module("campaign.models")
    _init_extensions(app)
    app.url_map.converters["int"] = DatabaseIdConverter
    for domain in DOMAINS_WITH_VIEWS:
        app.register_blueprint(import_module(f"campaign.{domain}.views").bp)
    for domain in DOMAINS_WITH_CLI:
        for command in import_module(f"campaign.{domain}.cli").commands:
            app.cli.add_command(command)
    for domain in DOMAINS_WITH_RECEIVERS:
        import_module(f"campaign.{domain}.receivers")
    import_module("campaign.web").init_app(app)
    return app


def _engine_options(config: dict) -> dict:
    url = config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        # How long a writer waits for SQLite's lock before the request gets a 503.
        return {"connect_args": {"timeout": config["DB_STATEMENT_TIMEOUT_MS"] / 1000}}
    return {
        "pool_size": config["DB_POOL_SIZE"],
        "max_overflow": config["DB_MAX_OVERFLOW"],
        "pool_timeout": config["DB_POOL_TIMEOUT"],
        "connect_args": {
            "connect_timeout": 5,
            "options": f"-c statement_timeout={config['DB_STATEMENT_TIMEOUT_MS']}",
        },
    }


def _init_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    db.init_app(app)
    app.cli.add_command(migration_commands)
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    limiter.init_app(app)
    # Flask-Limiter says once, on its own logger, when Redis goes away and each worker starts
    # counting on its own (and when it is back): that goes where the app's log goes.
    if default_handler not in limiter.logger.handlers:
        limiter.logger.addHandler(default_handler)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            idle_ping.ping_after_idle(db.engine, app.config["DB_PING_AFTER_IDLE_SECONDS"])
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            if db.engine.url.database not in (None, "", ":memory:"):
                sqlite_turns.take_turns(db.engine, db.engine.url.database,
                                        app.config["DB_STATEMENT_TIMEOUT_MS"] / 1000)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """WAL so readers never wait for the writer; foreign keys on, as PostgreSQL has them.

    SQLite's own lower() folds only ASCII; it is replaced by Python's, so case-insensitive
    search finds "Олена" from "олена" as it does on PostgreSQL.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _select_locale():
    """`common.languages.chosen_language`; outside a request (CLI, mail sender) the default."""
    from campaign.common.languages import chosen_language

    return chosen_language()
