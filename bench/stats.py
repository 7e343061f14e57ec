#!/usr/bin/env python
"""Statistics benchmark: the statistics pages and stats.json of a statement with 1,000,000
signatures, and of an event with its registrations, answered from the counters.

It makes a fresh database (as bench/load.py does, with its `fill`: COPY on PostgreSQL,
executemany on SQLite), gives a third of the signatures a source code and two in five the
choice of updates, lets `counts.reconcile` compute the counters, switches the public figures
on, then asks each page `--requests` times in a row through the app (Flask's test client, in
this process: the time measured is the app's and the database's, not a network's) and
reports p50/p95/p99.

  .venv/bin/python bench/stats.py --db sqlite
  .venv/bin/python bench/stats.py --db postgresql
  .venv/bin/python bench/stats.py --db sqlite --size 2000 --requests 20   # a quick check
"""
import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from load import (  # noqa: E402
    CSRF_FIELD, KEYS, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, Database, fill, percentiles,
)

#: What each page must answer within at p99, in milliseconds (issue 13).
TARGET_P99_MS = 200
REGISTRATIONS = 2_000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--size", type=int, default=1_000_000, help="signatures in the statement")
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results")
    return parser.parse_args(argv)


def _add_sources_and_event(app, statement_id: int) -> int:
    """A third of the signatures from 40 partners' links, two in five asking for updates; an
    event with its registrations."""
    from campaign.events.models import (
        Event, EventStatus, Registration, RegistrationStatus, TicketType,
    )
    from campaign.extensions import db
    from campaign.signatures import counts
    from campaign.statements.models import Campaign, Statement
    from campaign.stats.models import StatisticsSettings

    with app.app_context():
        db.session.execute(db.text(
            "UPDATE signatures SET source = 'partner-' || CAST(id % 40 AS VARCHAR(8)) "
            "WHERE statement_id = :id AND id % 3 = 0"), {"id": statement_id})
        # Two in five asked for updates, so the opt-in counters are filled too.
        db.session.execute(db.text(
            "UPDATE signatures SET wants_updates = TRUE "
            "WHERE statement_id = :id AND id % 5 IN (0, 1)"), {"id": statement_id})
        db.session.add(StatisticsSettings(statement_id=statement_id, public=True))
        db.session.commit()
        counts.reconcile(statement_id)
        starts = datetime.now(timezone.utc) + timedelta(days=7)
        statement = db.session.get(Statement, statement_id)
        event = Event(campaign=db.session.get(Campaign, statement.campaign_id),
                      slug="bench-launch", title="Bench launch", starts_at=starts,
                      ends_at=starts + timedelta(hours=2), status=EventStatus.published)
        tickets = [TicketType(position=n, name=f"Ticket {n}") for n in (1, 2, 3)]
        event.ticket_types = tickets
        db.session.add(event)
        db.session.flush()
        now = datetime.now(timezone.utc)
        db.session.add_all(
            Registration(event_id=event.id, ticket_type_id=tickets[n % 3].id,
                         name=f"Registrant {n}", email=f"registrant.{n}@example.org",
                         reference=f"B{n:07d}", status=RegistrationStatus.confirmed, source=f"partner-{n % 7}" if n % 2 else "",
                         wants_updates=n % 3 == 0,
                         created_at=now - timedelta(minutes=7 * n))
            for n in range(REGISTRATIONS)
        )
        db.session.commit()
        return event.id


def _logged_in(client):
    page = client.get("/login").get_data(as_text=True)
    token = next(group for group in CSRF_FIELD.search(page).groups() if group)
    response = client.post("/login", data={"email": ORGANIZER_EMAIL,
                                           "password": ORGANIZER_PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.status_code
    return client


def _timed(client, path: str, requests: int) -> dict:
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return percentiles(samples)


def run(args) -> dict:
    from campaign import create_app

    with tempfile.TemporaryDirectory() as workdir:
        database = Database(args.db, Path(workdir), args.pg_url)
        database.create()
        try:
            started = time.perf_counter()
            slugs = fill(database, [args.size])
            app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, **KEYS,
                              "RATELIMIT_ENABLED": False, "REDIS_URL": "",
                              "PAGE_CACHE_SECONDS": 0, "DB_STATEMENT_TIMEOUT_MS": 0})
            statement_id = slugs["ids"][args.size]
            event_id = _add_sources_and_event(app, statement_id)
            if args.db == "postgresql":
                with app.app_context():
                    from campaign.extensions import db

                    with db.engine.connect().execution_options(
                            isolation_level="AUTOCOMMIT") as connection:
                        connection.exec_driver_sql("ANALYZE")
            filled = round(time.perf_counter() - started, 1)
            with app.app_context():
                client = _logged_in(app.test_client())
                pages = {
                    "statement_statistics": f"/dashboard/statements/{statement_id}/statistics",
                    "event_statistics": f"/dashboard/events/{event_id}/statistics",
                    "stats_json": f"/s/{slugs[args.size]}/stats.json",
                    "statement_page": f"/s/{slugs[args.size]}",
                }
                for path in pages.values():  # warm the page, its templates and the caches
                    _timed(client, path, 3)
                latency = {name: _timed(client, path, args.requests)
                           for name, path in pages.items()}
        finally:
            database.drop()
    return {"db": args.db, "size": args.size, "load_average": os.getloadavg(), "registrations": REGISTRATIONS,
            "requests": args.requests, "fill_seconds": filled, "latency_ms": latency,
            "under_target": {name: row["p99"] < TARGET_P99_MS for name, row in latency.items()}}


def main(argv=None) -> int:
    args = parse_args(argv)
    result = run(args)
    for name, row in result["latency_ms"].items():
        print(f"{name:<22} p50 {row['p50']:>7} ms  p95 {row['p95']:>7} ms  p99 {row['p99']:>7} ms")
    args.out.mkdir(parents=True, exist_ok=True)
    written = args.out / f"{time.strftime('%Y%m%d-%H%M%S')}-stats-{args.db}-{args.size}.json"
    written.write_text(json.dumps(result, indent=2))
    print(f"wrote {written}")
    return 0 if all(result["under_target"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
