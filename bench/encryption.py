#!/usr/bin/env python
"""What encryption at rest costs: signing one signature, and the CSV export of a million.

For each database asked for (a fresh one, made for the run and dropped after) it:

 1. times the cipher alone: encrypting and decrypting an address and a message body;
 2. times signing in-process (`signatures.service.sign`: the INSERT, the count, the
    receipt rendered into the outbox, the commit), in alternating rounds with encryption
    and without it (the keyring replaced by one that stores values as they are, the app
    as it was before), so whatever else the machine does falls on both alike;
 3. fills two statements of --rows signatures each with one INSERT ... SELECT over a
    series (generate_series on PostgreSQL, a recursive CTE on SQLite), cycling through a
    thousand addresses (one in ten with a comment): one statement encrypted, one in clear;
 4. exports each as CSV in a fresh process, as `flask signatures export` does (the plain
    one with the keyring that stores values as they are), taking turns, --export-repeats
    times each, reporting seconds, the process's CPU seconds (what the machine's other
    work does not change much) and its peak resident memory (getrusage max RSS).

Results are printed and written to bench/results/<time>-encryption-<database>.json.

  .venv/bin/python bench/encryption.py --db sqlite postgresql
  .venv/bin/python bench/encryption.py --db sqlite --rows 10000 --signings 50   # a quick look
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from load import KEYS, Database  # noqa: E402  (after the path is set)

VALUES = 1000
ADDRESS = "olena.kovalenko.4242@example.org"


class NoEncryption:
    """Stands in for the keyring: values are stored as they are, as before encryption."""

    current_prefix = ""

    def encrypt(self, value: str, purpose: str) -> str:
        return value

    def decrypt(self, value: str, purpose: str) -> str:
        return value

    def opener(self, purpose: str):
        return lambda values: [value or "" for value in values]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"])
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="signatures in each exported statement")
    parser.add_argument("--signings", type=int, default=200,
                        help="signatures per round of the signing comparison")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds of the signing comparison, each mode once per round")
    parser.add_argument("--export-repeats", type=int, default=3,
                        help="exports of each statement, taking turns (medians reported)")
    parser.add_argument("--out", default=str(BENCH / "results"))
    parser.add_argument("--export-child", nargs=3, metavar=("DATABASE_URL", "SLUG", "FILE"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--plain", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _app(database_url: str):
    from campaign import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, **KEYS, "RATELIMIT_ENABLED": False,
                       "REDIS_URL": "", "DB_STATEMENT_TIMEOUT_MS": 0,
                       "MAIL_SEND_IN_BACKGROUND": False})


def _without_encryption(app, plain: bool) -> None:
    from campaign.common.crypto import keyring_from

    app.extensions["keyring"] = NoEncryption() if plain else keyring_from(app.config)


# 1. The cipher alone ------------------------------------------------------------------


def cipher_costs() -> dict:
    """Microseconds to encrypt and to decrypt an address and a message body (about 2 KB)."""
    from flask import render_template

    from campaign.common.crypto import keyring

    keys = keyring()
    site = "https://sign.example.org"
    body = render_template("emails/signature_receipt.txt", name="Olena Kovalenko",
                           statement_title="A free and united Ukraine", subject="Thank you",
                           statement_url=f"{site}/s/free-ukraine",
                           withdraw_url=f"{site}/s/free-ukraine/withdraw/{'x' * 90}",
                           campaign_name="Campaign statements", base_url=site)
    body = body * max(1, 2000 // len(body))
    costs = {}
    for label, value, number in (("address", ADDRESS, 20000), ("body", body, 5000)):
        stored = keys.encrypt(value, "bench")
        costs[label] = {
            "bytes": len(value.encode()),
            "encrypt_us": round(min(timeit.repeat(lambda: keys.encrypt(value, "bench"),
                                                  number=number, repeat=5)) / number * 1e6, 2),
            "decrypt_us": round(min(timeit.repeat(lambda: keys.decrypt(stored, "bench"),
                                                  number=number, repeat=5)) / number * 1e6, 2),
        }
    return costs


# 2. Signing, with and without ------------------------------------------------------------


def signing(app, args) -> dict:
    """Milliseconds per signature signed in-process, encrypted and plain, round by round."""
    from campaign.extensions import db
    from campaign.signatures.service import SignatoryDetails, sign
    from campaign.statements.models import Campaign, Statement, StatementStatus

    statement = Statement(campaign=Campaign(name="Bench", slug="bench-signing"),
                          slug="bench-signing", title="A free and united Ukraine",
                          status=StatementStatus.published, requires_confirmation=False)
    db.session.add(statement)
    db.session.commit()
    def sign_many(mode: str, label: str, signings: int = args.signings) -> tuple[float, float]:
        """Wall and CPU (this process's) milliseconds per signature."""
        _without_encryption(app, plain=mode == "plain")
        started, cpu_started = time.perf_counter(), time.process_time()
        for n in range(signings):
            sign(statement, SignatoryDetails(
                name="Olena Kovalenko", email=f"signer.{mode}.{label}.{n}@example.org",
                affiliation="Kyiv School 5", country="UA",
                comment="In solidarity with the people of Ukraine."))
        return ((time.perf_counter() - started) / signings * 1000,
                (time.process_time() - cpu_started) / signings * 1000)

    sign_many("plain", "warm-up")  # templates compiled, connections opened: for neither
    timings = {"encrypted": [], "plain": []}
    for round_number in range(args.rounds):
        # Each mode goes first in every other round.
        for mode in sorted(timings, reverse=round_number % 2 == 1):
            timings[mode].append(sign_many(mode, str(round_number)))
    sign_many("encrypted", "last", signings=1)  # the newest rows: what the cipher is timed on
    result = {"cipher_us_per_signature": _cipher_per_signature()}
    result |= {mode: {"wall_ms": round(statistics.median(w for w, _ in samples), 3),
                     "cpu_ms": round(statistics.median(c for _, c in samples), 3),
                     "rounds_wall_ms": [round(w, 3) for w, _ in samples]}
              for mode, samples in timings.items()}
    result["signatures_per_round"] = args.signings
    for measure in ("wall_ms", "cpu_ms"):
        result[f"cost_{measure}"] = round(
            result["encrypted"][measure] - result["plain"][measure], 3)
    return result


def _cipher_per_signature() -> float:
    """Microseconds of cipher work in one signing request, timed on the values the last one
    wrote: its address and comment, encrypted (nothing is read back; the email is written by
    the mail sender after the answer)."""
    from sqlalchemy import select

    from campaign.common.crypto import keyring
    from campaign.extensions import db
    from campaign.signatures.models import Signature

    keys = keyring()
    signature = db.session.scalar(select(Signature).order_by(Signature.id.desc()).limit(1))

    def cost(work) -> float:
        return min(timeit.repeat(work, number=2000, repeat=5)) / 2000 * 1e6

    return round(sum(cost(lambda v=value: keys.encrypt(v, "bench"))
                     for value in (signature.email, signature.comment)), 1)


# 3. A million rows, by INSERT ... SELECT ----------------------------------------------------


def fill(app, kind: str, rows: int) -> dict:
    """Two statements of `rows` signatures, one encrypted and one in clear; their slugs."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, text

    from campaign.common.crypto import keyring
    from campaign.extensions import db
    from campaign.statements.models import Campaign, Statement, StatementStatus

    campaign = Campaign(name="Bench export", slug="bench-export")
    made = {mode: Statement(campaign=campaign, slug=f"export-{mode}", title=f"Export {mode}",
                            status=StatementStatus.published)
            for mode in ("encrypted", "plain")}
    db.session.add_all(made.values())
    db.session.commit()
    values = Table("bench_values", MetaData(), Column("k", Integer, primary_key=True),
                   Column("email", Text), Column("comment", Text))
    keys = keyring()
    series = ("generate_series(1, :rows) AS s(n)" if kind == "postgresql" else "series")
    recursive = ("" if kind == "postgresql" else
                 "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
                 "WHERE n < :rows) ")
    index = "lpad(to_hex(n), 64, '0')" if kind == "postgresql" else "printf('%064x', n)"
    signed = ("now() - n * interval '1 second'" if kind == "postgresql"
              else "datetime('now', '-' || n || ' seconds')")
    seconds = {}
    for mode, statement in made.items():
        seal = (lambda v, p: v) if mode == "plain" else keys.encrypt
        with db.engine.begin() as connection:
            values.drop(connection, checkfirst=True)
            values.create(connection)
            connection.execute(insert(values), [
                {"k": k, "email": seal(f"signer.{k}@example.org", "signatures.email"),
                 "comment": seal(f"In solidarity, number {k}.", "signatures.comment")}
                for k in range(VALUES)])
            started = time.perf_counter()
            connection.execute(text(
                f"{recursive}INSERT INTO signatures (statement_id, revision, name, affiliation, "
                "personal_capacity, email, email_index, email_domain, country, show_publicly, "
                "featured, comment, status, consent_version, created_at, confirmed_at) "
                f"SELECT :statement_id, 1, 'Signer ' || n, 'Union', false, v.email, {index}, "
                "'example.org', 'GB', true, false, "
                "CASE WHEN n % 10 = 0 THEN v.comment ELSE '' END, 'confirmed', '2026-11-01', "
                f"{signed}, {signed} FROM {series} JOIN bench_values v ON v.k = n % {VALUES}"
            ), {"rows": rows, "statement_id": statement.id})
            seconds[mode] = round(time.perf_counter() - started, 1)
            values.drop(connection)
    return {"slugs": {mode: s.slug for mode, s in made.items()}, "fill_seconds": seconds}


# 4. The export, in a fresh process --------------------------------------------------------------


def export_child(database_url: str, slug: str, output: str, plain: bool) -> None:
    """`flask signatures export SLUG -o FILE`, with the plain keyring when asked; prints JSON."""
    from campaign.exports.csv import write_lines
    from campaign.exports.signatures import signatories_csv
    from campaign.signatures.cli import statement_by_slug

    app = _app(database_url)
    _without_encryption(app, plain)
    with app.app_context():
        started, cpu_started = time.perf_counter(), time.process_time()
        write_lines(signatories_csv(statement_by_slug(slug), actor="bench"), output)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                      "peak_rss_mb": round(peak_kb / 1024, 1)}))


def export(database_url: str, slug: str, workdir: Path, plain: bool) -> dict:
    output = workdir / f"{slug}.csv"
    done = subprocess.run(
        [sys.executable, __file__, "--export-child", database_url, slug, str(output),
         *(["--plain"] if plain else [])],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    with output.open(encoding="utf-8") as file:
        measured["rows"] = sum(1 for _ in file) - 1
    measured["bytes"] = output.stat().st_size
    output.unlink()
    return measured


def run_one(args, kind: str) -> dict:
    from campaign.extensions import upgrade_database

    workdir = Path(tempfile.mkdtemp(prefix=f"campaign-bench-encryption-{kind}-"))
    database = Database(kind, workdir, args.pg_url)
    database.create()
    try:
        app = _app(database.url)
        with app.app_context():
            upgrade_database()
            result = {"database": kind, "cipher": cipher_costs()}
            print(f"[{kind}] cipher alone (µs): {result['cipher']}", flush=True)
            result["signing"] = signing(app, args)
            print(f"[{kind}] cipher work per signature: "
                  f"{result['signing']['cipher_us_per_signature']} µs", flush=True)
            print(f"[{kind}] signing in-process (ms per signature, wall / CPU): "
                  f"encrypted {result['signing']['encrypted']['wall_ms']} / "
                  f"{result['signing']['encrypted']['cpu_ms']}, plain "
                  f"{result['signing']['plain']['wall_ms']} / "
                  f"{result['signing']['plain']['cpu_ms']}", flush=True)
            filled = fill(app, kind, args.rows)
            result["fill_seconds"] = filled["fill_seconds"]
            print(f"[{kind}] filled two statements of {args.rows:,}: {filled['fill_seconds']} s",
                  flush=True)
            from campaign.extensions import db

            db.engine.dispose()
        runs = {"encrypted": [], "plain": []}
        for repeat in range(args.export_repeats):
            # Each mode goes first in every other repeat.
            for mode in sorted(runs, reverse=repeat % 2 == 1):
                runs[mode].append(export(database.url, filled["slugs"][mode], workdir,
                                         plain=mode == "plain"))
                print(f"[{kind}] CSV export of {args.rows:,}, {mode}: {runs[mode][-1]}",
                      flush=True)
        result["export"] = {
            mode: {"seconds": statistics.median(run["seconds"] for run in done),
                   "cpu_seconds": statistics.median(run["cpu_seconds"] for run in done),
                   "peak_rss_mb": max(run["peak_rss_mb"] for run in done),
                   "rows": done[0]["rows"], "bytes": done[0]["bytes"], "runs": done}
            for mode, done in runs.items()
        }
    finally:
        database.drop()
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.export_child:
        export_child(*args.export_child, plain=args.plain)
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    for kind in args.db:
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])
        result = {"run": {"when": stamp, "command": command, "cores": os.cpu_count(),
                          "load_average_at_start": os.getloadavg(), "rows": args.rows},
                  **run_one(args, kind)}
        path = out / f"{stamp}-encryption-{kind}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
