#!/usr/bin/env python
"""The CSV export and the dashboard search over 1,000,000 signatures, against the database's own
floor.

It compiles the app's modules once, as an installed app's are, then for each database asked
for (a fresh one, made for the run and dropped after) it:

 1. fills one statement with --rows signatures as the app stores them, by one INSERT ...
    SELECT over a series: a thousand encrypted addresses and comments cycled (one in ten
    signatures with a comment), eight names (so "kovalenko" matches one in eight) and one
    rare one (one in a thousand), one signature a second back in time;
 2. exports it, taking turns, --repeats times each:
    - PostgreSQL only: a plain `COPY (SELECT <the export's columns> ...) TO STDOUT (FORMAT
      csv)` by psql into a file, the floor no export can beat (it neither decrypts nor
      neutralises anything);
    - `flask signatures export SLUG -o FILE` in a fresh process (seconds, peak resident
      memory from getrusage);
 3. downloads it from the dashboard over HTTP, from a fresh one-worker gunicorn (seconds,
    the worker's peak resident memory, VmHWM, counted from the download's start: the
    login before it hashes a password with scrypt, 32 MB for a moment);
 4. times the dashboard's signatories list over the million, --tries times per search:
    unfiltered, a common surname, a rare full name, a whole address, a term that matches
    nothing, and a term too short to index. This process's own garbage collector is off while
    the requests are timed: by then it holds the apps it filled the databases with, and a
    full collection of them, counted into a search's time, is no time of the server's.

Results are printed and written to bench/results/<time>-export-search-<database>.json.

  .venv/bin/python bench/export_search.py --db sqlite postgresql
  .venv/bin/python bench/export_search.py --db sqlite --rows 20000 --repeats 1 --tries 5  # quick
"""
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from load import (  # noqa: E402  (after the path is set)
    KEYS, ORGANIZER_EMAIL, ORGANIZER_PASSWORD, Database, Server, logged_in_client, peak_rss_mb,
    percentiles, reset_peak_rss,
)

#: The export's columns, as stored, for the COPY that is the floor.
COPY_COLUMNS = ("name, affiliation, personal_capacity, country, email, status, featured, "
                "created_at, comment")
SEARCHES = {"no search (first page)": "", "common surname (1 in 8)": "kovalenko",
            "rare full name (1 in 1,000)": "rare person", "whole address": "signer.500@example.org",
            "no match": "zzqx", "two letters, common": "ko"}
NAMES = ("Olena Kovalenko", "Taras Shevchenko", "Sofia Lindqvist", "John Smith", "Maria Garcia",
         "Ivan Bondarenko", "Anna Müller", "Wei Sato")
VALUES = 1000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="exports of each kind, in turns")
    parser.add_argument("--tries", type=int, default=30, help="requests per search")
    parser.add_argument("--out", default=str(BENCH / "results"))
    return parser.parse_args(argv)


def fill(database: Database, rows: int) -> tuple[str, int]:
    """Migrate; the organizer and the statement; its signatures. Its slug and id."""
    from sqlalchemy import text
    from werkzeug.security import generate_password_hash

    from campaign import create_app
    from campaign.common.crypto import keyring
    from campaign.extensions import db, upgrade_database
    from campaign.organizers.models import Organizer, Role
    from campaign.signatures import counts
    from campaign.statements.models import Campaign, Statement, StatementStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, **KEYS,
                      "RATELIMIT_ENABLED": False, "REDIS_URL": "", "DB_STATEMENT_TIMEOUT_MS": 0})
    postgresql = database.kind == "postgresql"
    with app.app_context():
        upgrade_database()
        db.session.add(Organizer(email=ORGANIZER_EMAIL, name="Bench Organizer", role=Role.owner,
                                 password_hash=generate_password_hash(ORGANIZER_PASSWORD)))
        statement = Statement(campaign=Campaign(name="Bench", slug="bench"), slug="million",
                              title="A million signatures", status=StatementStatus.published)
        db.session.add(statement)
        db.session.commit()
        keys = keyring()
        db.session.execute(text("CREATE TABLE bench_values (k INTEGER PRIMARY KEY, "
                                "email TEXT, comment TEXT, name TEXT)"))
        db.session.execute(text("INSERT INTO bench_values VALUES (:k, :email, :comment, :name)"), [
            {"k": k, "email": keys.encrypt(f"signer.{k}@example.org", "signatures.email"),
             "comment": keys.encrypt(f"In solidarity, number {k}.", "signatures.comment"),
             "name": "Rare Person" if k == 7 else NAMES[k % len(NAMES)]}
            for k in range(VALUES)])
        series = "generate_series(1, :rows) AS s(n)" if postgresql else "series"
        recursive = "" if postgresql else (
            "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
            "WHERE n < :rows) ")
        index = "lpad(to_hex(n), 64, '0')" if postgresql else "printf('%064x', n)"
        signed = ("now() - n * interval '1 second'" if postgresql else
                  "strftime('%Y-%m-%d %H:%M:%f000', 'now', '-' || n || ' seconds')")
        db.session.execute(text(
            f"{recursive}INSERT INTO signatures (statement_id, revision, name, affiliation, "
            "personal_capacity, email, email_index, email_domain, country, show_publicly, "
            "featured, comment, status, consent_version, created_at, confirmed_at) "
            f"SELECT :statement_id, 1, v.name || ' ' || n, 'Unite the Union', false, v.email, "
            f"{index}, 'example.org', 'GB', true, false, "
            "CASE WHEN n % 10 = 0 THEN v.comment ELSE '' END, 'confirmed', '2026-11-01', "
            f"{signed}, {signed} FROM {series} JOIN bench_values v ON v.k = n % {VALUES}"
        ), {"rows": rows, "statement_id": statement.id})
        db.session.execute(text("DROP TABLE bench_values"))
        db.session.commit()
        counts.reconcile(statement.id)
        # On PostgreSQL the million arrive in one INSERT, which autovacuum then visits about a
        # minute later, in the middle of the searches (one of them took 276-294 ms while it
        # ran, against 9 ms in the run before), and whose gigabyte of WAL the checkpointer is
        # still writing out a minute after (a search took 731 ms, against 21 ms at p50, as it
        # finished); vacuumed and checkpointed here, as a table filled over days would be.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE" if postgresql else "ANALYZE")
            if postgresql:
                connection.exec_driver_sql("CHECKPOINT")
        slug, statement_id = statement.slug, statement.id
        db.engine.dispose()
    return slug, statement_id


def _child_env(database: Database, workdir: Path) -> dict:
    return {**os.environ, "DATABASE_URL": database.url, **KEYS,
            "INSTANCE_PATH": str(workdir / "instance"), "REDIS_URL": ""}


#: Runs a command and prints its peak resident memory (KB) on stderr's last line.
_MEASURE = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
            "sys.exit(r.returncode)")


def _timed(command: list[str], env: dict, output: Path, stdout=None) -> dict:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=ROOT, env=env,
                          stdout=stdout, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"{command[:4]} failed: {done.stderr[-2000:]}")
    measured = {"seconds": round(seconds, 2),
                "peak_rss_mb": round(int(done.stderr.strip().splitlines()[-1]) / 1024, 1),
                "bytes": output.stat().st_size}
    with output.open("rb") as file:
        measured["lines"] = sum(1 for _ in file)
    output.unlink()
    return measured


def copy_floor(database: Database, statement_id: int, workdir: Path) -> dict:
    """psql's COPY of the same columns in the export's order, into a file."""
    from sqlalchemy.engine import make_url

    url = make_url(database.url).set(drivername="postgresql").render_as_string(
        hide_password=False)
    output = workdir / "copy.csv"
    query = (f"COPY (SELECT {COPY_COLUMNS} FROM signatures WHERE statement_id = {statement_id} "
             "AND status != 'withdrawn' ORDER BY featured DESC, featured_position, created_at, "
             "id) TO STDOUT (FORMAT csv, HEADER)")
    with output.open("w") as file:
        return _timed(["psql", url, "-qAt", "-c", query], os.environ, output, stdout=file)


def cli_export(database: Database, slug: str, workdir: Path) -> dict:
    output = workdir / "export.csv"
    return _timed([sys.executable, "-m", "flask", "--app", "app", "signatures", "export", slug,
                   "-o", str(output)], _child_env(database, workdir), output)


def http_export_and_search(database: Database, workdir: Path, statement_id: int,
                           tries: int) -> dict:
    result = {}
    with Server(database, workdir, workers=1, threads=2, redis_url="") as server:
        (worker,) = server.worker_pids()
        client = logged_in_client(server.base_url)
        try:
            before = peak_rss_mb(worker)
            reset_peak_rss(worker)
            since_reset = peak_rss_mb(worker)
            started = time.perf_counter()
            lines = received = 0
            with client.stream("GET", f"/dashboard/statements/{statement_id}/signatures.csv") \
                    as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    lines += chunk.count(b"\n")
            result["http_export"] = {"seconds": round(time.perf_counter() - started, 2),
                                     "peak_rss_mb": peak_rss_mb(worker),
                                     "rss_before_mb": before,
                                     "rss_at_start_mb": since_reset, "lines": lines,
                                     "bytes": received}
            print(f"  HTTP export: {result['http_export']}", flush=True)
            result["search"] = {}
            gc.collect()
            gc.disable()
            for label, term in SEARCHES.items():
                client.get(f"/dashboard/statements/{statement_id}/signatures",
                           params={"q": term} if term else None).raise_for_status()
                samples = []
                for _ in range(tries):
                    began = time.perf_counter()
                    response = client.get(f"/dashboard/statements/{statement_id}/signatures",
                                          params={"q": term} if term else None)
                    samples.append(time.perf_counter() - began)
                    response.raise_for_status()
                result["search"][label] = {"term": term, **percentiles(samples)}
                print(f"  search {label!r}: {result['search'][label]}", flush=True)
        finally:
            gc.enable()
            client.close()
    return result


def run_one(args, kind: str) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"campaign-bench-export-{kind}-"))
    database = Database(kind, workdir, args.pg_url)
    database.create()
    try:
        print(f"[{kind}] filling {args.rows:,} signatures", flush=True)
        started = time.perf_counter()
        slug, statement_id = fill(database, args.rows)
        result = {"fill_seconds": round(time.perf_counter() - started, 1),
                  "exports": {"copy": [], "cli": []}}
        kinds = ["cli", "copy"] if kind == "postgresql" else ["cli"]
        for repeat in range(args.repeats):
            for which in (kinds if repeat % 2 == 0 else kinds[::-1]):
                measured = (copy_floor(database, statement_id, workdir) if which == "copy"
                            else cli_export(database, slug, workdir))
                measured["load_average"] = os.getloadavg()[0]
                result["exports"][which].append(measured)
                print(f"  {which}: {measured}", flush=True)
        result["median_seconds"] = {which: statistics.median(m["seconds"] for m in runs)
                                    for which, runs in result["exports"].items() if runs}
        if "copy" in result["median_seconds"]:
            result["cli_over_copy"] = round(
                result["median_seconds"]["cli"] / result["median_seconds"]["copy"], 2)
        result |= http_export_and_search(database, workdir, statement_id, args.tries)
        return result
    finally:
        database.drop()


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    # The app's modules compiled once, as an installed app's are: where the environment sets
    # PYTHONDONTWRITEBYTECODE, every command would compile them again (0.17 s of its start).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "campaign", "app.py"], cwd=ROOT,
                   check=True)
    for kind in args.db:
        command = " ".join(["bench/export_search.py", *sys.argv[1:]])
        result = {"run": {"when": stamp, "command": command, "cores": os.cpu_count(),
                          "load_average_at_start": os.getloadavg(), "rows": args.rows},
                  **run_one(args, kind)}
        path = out / f"{stamp}-export-search-{kind}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
