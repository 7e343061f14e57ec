#!/usr/bin/env python
"""Load and size benchmark: the real signing flow under gunicorn, against its own ceiling.

For each database asked for (a fresh one, made for the run and dropped after) it:

 1. migrates and fills the database: a statement to sign, one with 10,000 and one with
    1,000,000 signatures (COPY on PostgreSQL, executemany on SQLite; count shards set);
 2. starts the app under gunicorn (gunicorn.conf.py) with two bare endpoints added by
    bench/bench_app.py, and drives HTTP load at it from this separate process, each
    simulated signer doing what a browser does: GET the statement page, take the CSRF
    token and the session cookie, POST the form;
 3. measures, at each concurrency: signatures accepted per second, latency p50/p95/p99,
    errors by status, and accepted against rows really stored; then the same for the bare
    flow (GET a tiny page with a CSRF token, POST an endpoint that inserts one row): the
    ceiling of this stack on this machine; then page throughput and latency;
 4. exports the 1,000,000 signatures as CSV (CLI and HTTP: seconds, peak resident memory)
    and times the dashboard search over them.

All load comes from this one machine, so every simulated signer is a new person with its
own X-Forwarded-For address, and the server trusts one proxy (TRUSTED_PROXIES=1): the
per-address rate limits stay on, as in production, and no signer hits them.

Results are printed and written to bench/results/<time>-<database>.json.

  .venv/bin/python bench/load.py --db sqlite
  .venv/bin/python bench/load.py --db postgresql --redis-url redis://127.0.0.1:6379/0
  .venv/bin/python bench/load.py --quick          # a few seconds, SQLite: checks it runs
"""
import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

SECRET_KEY = "bench-secret-key-not-for-production"
#: Fixed data and index keys (32 bytes, base64) for every process of a run; not for production.
DATA_KEY = "YmVuY2gtZGF0YS1rZXktbm90LWZvci1wcm9kdWN0aW8="
INDEX_KEY = "YmVuY2gtaW5kZXgta2V5LW5vdC1mb3ItcHJvZHVjdGk="
KEYS = {"SECRET_KEY": SECRET_KEY, "DATA_KEY": DATA_KEY, "INDEX_KEY": INDEX_KEY}
ORGANIZER_EMAIL = "bench-organizer@example.org"
ORGANIZER_PASSWORD = "bench organizer password"
#: The public forms' signed token (the same for everyone) or, on the bare page, the session's.
FORM_TOKEN = re.compile(r'name="(form_token|csrf_token)"[^>]*value="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
ACCEPTED = (302, 303)
FIRST_NAMES = ("Olena", "Taras", "Iryna", "Mykola", "Anna", "Oksana", "Petro", "Maria", "Ivan",
               "Sofia", "John", "Fatima", "Wei", "Amara", "Lucia", "Kofi", "Priya", "Jonas")
LAST_NAMES = ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Smith", "Jones", "Garcia",
              "Okafor", "Nguyen", "Kowalski", "Müller", "Rossi", "Haddad", "Sato", "Lindqvist")
AFFILIATIONS = ("", "", "Unite the Union", "University of Leeds", "NEU", "Labour Party",
                "Green Party", "UCU", "Trades Council", "Ukraine Solidarity Campaign")
COUNTRIES = ("GB", "GB", "GB", "UA", "UA", "PL", "DE", "FR", "IE", "US")
DOMAINS = ("example.org", "mail.example", "post.example", "uni.example.ac.uk")


# Command line --------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"), default=["sqlite"],
                        help="database(s) to run against, each fresh (default: sqlite)")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="a PostgreSQL server where the run may create and drop its own database")
    parser.add_argument("--redis-url", default="",
                        help="rate-limit storage (as production); default: in memory")
    parser.add_argument("--concurrency", default="16,64,256",
                        help="concurrent simulated signers, comma-separated")
    parser.add_argument("--duration", type=float, default=10.0,
                        help="seconds of load per scenario and concurrency")
    parser.add_argument("--page-concurrency", type=int, default=64,
                        help="concurrent readers for the page-throughput comparison")
    parser.add_argument("--sizes", default="10000,1000000",
                        help="signatures in the filled statements (page latency, export, search)")
    parser.add_argument("--latency-requests", type=int, default=300,
                        help="sequential page requests for each latency figure")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", 3)),
                        help="gunicorn workers (WEB_CONCURRENCY)")
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)),
                        help="threads per worker (WEB_THREADS)")
    parser.add_argument("--skip", nargs="*", default=[],
                        choices=("load", "pages", "export", "search"), help="parts to leave out")
    parser.add_argument("--out", default=str(BENCH / "results"), help="directory for the JSON")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one short burst on SQLite: proves the script runs")
    args = parser.parse_args(argv)
    if args.quick:
        args.db, args.concurrency, args.duration = ["sqlite"], "4", 1.0
        args.sizes, args.latency_requests, args.page_concurrency = "100,500", 20, 4
    args.concurrency = [int(n) for n in args.concurrency.split(",")]
    args.sizes = [int(n) for n in args.sizes.split(",")]
    return args


# Numbers ---------------------------------------------------------------------------


def percentiles(samples: list[float]) -> dict:
    """p50/p95/p99 (and max) in milliseconds."""
    if not samples:
        return {}
    ordered = sorted(samples)

    def at(fraction: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000, 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99),
            "max": round(ordered[-1] * 1000, 1), "n": len(ordered)}


@dataclass
class Tally:
    """What one scenario saw: status counts, latencies, and how many writes were accepted."""

    statuses: Counter = field(default_factory=Counter)
    read_seconds: list = field(default_factory=list)
    write_seconds: list = field(default_factory=list)
    flow_seconds: list = field(default_factory=list)
    accepted: int = 0
    #: Wall time, from the first request to the last answer (requests still running at the
    #: deadline are waited for and counted: the server did that work).
    elapsed: float = 0.0

    def add(self, other: "Tally") -> None:
        self.statuses.update(other.statuses)
        self.read_seconds += other.read_seconds
        self.write_seconds += other.write_seconds
        self.flow_seconds += other.flow_seconds
        self.accepted += other.accepted
        self.elapsed += other.elapsed

    def summary(self) -> dict:
        errors = {str(status): count for status, count in self.statuses.items()
                  if not (isinstance(status, int) and (status == 200 or status in ACCEPTED))}
        flows = len(self.flow_seconds) if self.write_seconds else len(self.read_seconds)
        return {
            "seconds": round(self.elapsed, 2),
            "accepted": self.accepted,
            "accepted_per_s": round(self.accepted / self.elapsed, 1) if self.elapsed else 0,
            "pages_per_s": round(len(self.read_seconds) / self.elapsed, 1) if self.elapsed else 0,
            "flows": flows,
            "errors": errors,
            "server_errors": sum(c for s, c in self.statuses.items()
                                 if isinstance(s, int) and s >= 500),
            "read_ms": percentiles(self.read_seconds),
            "write_ms": percentiles(self.write_seconds),
            "flow_ms": percentiles(self.flow_seconds),
        }


class Addresses:
    """A new client address for every simulated person, from the benchmarking range 198.18.0.0/15
    (only ever written into X-Forwarded-For: all traffic goes to 127.0.0.1)."""

    def __init__(self):
        self.next = 0

    def __call__(self) -> str:
        self.next = (self.next + 1) % (2 ** 17 - 2)
        n = self.next + 1
        return f"198.{18 + (n >> 16)}.{(n >> 8) & 255}.{n & 255}"


# The database ------------------------------------------------------------------------


class Database:
    """A fresh database for the run: a file for SQLite, a new database on the PostgreSQL server."""

    def __init__(self, kind: str, workdir: Path, pg_url: str):
        self.kind = kind
        self.admin_url = pg_url
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.sqlite3'}"
        else:
            from sqlalchemy.engine import make_url

            self.name = f"campaign_bench_{uuid.uuid4().hex[:10]}"
            self.url = make_url(pg_url).set(database=self.name).render_as_string(
                hide_password=False)

    def create(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        if self.kind == "postgresql":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(sql))
        engine.dispose()


def fill(database: Database, sizes: list[int]) -> dict:
    """Migrate, then add the statements, the organizer and the signatures; returns their slugs."""
    from campaign.extensions import upgrade_database
    from werkzeug.security import generate_password_hash

    from bench_app import bench_metadata
    from campaign import create_app
    from campaign.extensions import db
    from campaign.organizers.models import Organizer, Role
    from campaign.signatures import counts
    from campaign.signatures.models import Signature
    from campaign.statements.models import Campaign, Demand, Statement, StatementStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, **KEYS,
                      "RATELIMIT_ENABLED": False, "REDIS_URL": "", "DB_STATEMENT_TIMEOUT_MS": 0})
    with app.app_context():
        upgrade_database()
        bench_metadata.create_all(db.engine)
        campaign = Campaign(name="Bench Campaign", slug="bench")
        db.session.add(campaign)
        db.session.add(Organizer(email=ORGANIZER_EMAIL, name="Bench Organizer", role=Role.owner,
                                 password_hash=generate_password_hash(ORGANIZER_PASSWORD)))

        def statement(slug: str) -> Statement:
            made = Statement(
                campaign=campaign, slug=slug, title=f"Bench statement {slug}",
                preamble="We, the undersigned, stand with the people of Ukraine. " * 6,
                closing="Add your name.", status=StatementStatus.published,
                requires_confirmation=False, published_at=datetime.now(timezone.utc),
            )
            made.demands = [Demand(position=n, heading=f"Demand {n}", body="Do this now. " * 8)
                            for n in range(1, 6)]
            db.session.add(made)
            return made

        slugs = {"sign": statement("sign-here").slug}
        filled = {size: statement(f"filled-{size}") for size in sizes}
        db.session.commit()
        started = time.perf_counter()
        for size, made in filled.items():
            _bulk_signatures(db, database.kind, made.id, size)
            counts.reconcile(made.id)
            slugs[size] = made.slug
            slugs.setdefault("addresses", {})[size] = db.session.scalar(
                db.select(Signature.email).where(Signature.statement_id == made.id)
                .order_by(Signature.id).offset(size // 2).limit(1))
        if database.kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        slugs["ids"] = {size: made.id for size, made in filled.items()}
        slugs["sign_id"] = db.session.scalar(
            db.select(Statement.id).where(Statement.slug == slugs["sign"]))
        slugs["fill_seconds"] = round(time.perf_counter() - started, 1)
        db.engine.dispose()
    return slugs


_SIGNATURE_COLUMNS = (
    "statement_id", "revision", "name", "affiliation", "personal_capacity", "email",
    "email_index", "email_domain", "country", "show_publicly", "featured", "comment", "status",
    "consent_version", "ip_hash", "created_at", "confirmed_at",
)


def _signature_rows(statement_id: int, size: int, text_times: bool):
    """Rows as the app stores them: the address encrypted, with its blind index and domain."""
    from campaign.common.crypto import keyring
    from campaign.signatures.models import indexed_email

    keys = keyring()
    rng = random.Random(statement_id)
    now = datetime.now(timezone.utc)
    for n in range(size):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        email = f"{first.lower()}.{n}@{rng.choice(DOMAINS)}"
        signed = now - timedelta(seconds=rng.randrange(30 * 24 * 3600))
        status = "confirmed" if rng.random() < 0.95 else "pending"
        confirmed = signed + timedelta(minutes=5) if status == "confirmed" else None
        if text_times:  # the form SQLAlchemy's SQLite DateTime stores and compares
            signed = signed.strftime("%Y-%m-%d %H:%M:%S.%f")
            confirmed = confirmed.strftime("%Y-%m-%d %H:%M:%S.%f") if confirmed else None
        derived = indexed_email(email)
        yield (statement_id, 1, f"{first} {last}", rng.choice(AFFILIATIONS), rng.random() < 0.3,
               keys.encrypt(email, "signatures.email"), derived["email_index"],
               derived["email_domain"], rng.choice(COUNTRIES), rng.random() < 0.8, False, "",
               status, "2026-11-01", f"{rng.getrandbits(256):064x}", signed, confirmed)


def _bulk_signatures(db, kind: str, statement_id: int, size: int) -> None:
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if kind == "postgresql":
            with cursor.copy(f"COPY signatures ({', '.join(_SIGNATURE_COLUMNS)}) FROM STDIN") as copy:
                for row in _signature_rows(statement_id, size, text_times=False):
                    copy.write_row(row)
        else:
            sql = (f"INSERT INTO signatures ({', '.join(_SIGNATURE_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(_SIGNATURE_COLUMNS))})")
            rows = _signature_rows(statement_id, size, text_times=True)
            while chunk := [row for _, row in zip(range(50_000), rows)]:
                cursor.executemany(sql, chunk)
        raw.commit()
    finally:
        raw.close()


def count_rows(database: Database, sql: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    with engine.connect() as connection:
        value = connection.execute(text(sql)).scalar_one()
    engine.dispose()
    return int(value)


# The server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py, serving the bench app on a free local port."""

    def __init__(self, database: Database, workdir: Path, workers: int, threads: int,
                 redis_url: str):
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database.url,
            "REDIS_URL": redis_url,
            "RATELIMIT_STORAGE_URI": redis_url or "memory://",
            "RATELIMIT_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
            "RATELIMIT_ENABLED": "1",
            "TRUSTED_PROXIES": "1",
            **KEYS,
            "INSTANCE_PATH": str(workdir / "instance"),
            "BASE_URL": self.base_url,
            "BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": str(workers),
            "WEB_THREADS": str(threads),
            "WEB_ACCESS_LOG": "",
            "WEB_LOG_LEVEL": "warning",
            "WEB_MAX_REQUESTS": "0",
            "MAIL_SEND_IN_BACKGROUND": "0",
        }
        self.log = open(workdir / f"gunicorn-{self.port}.log", "w")
        self.process = None

    def __enter__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"),
             "--pythonpath", f"{ROOT},{BENCH}", "bench_app:create_bench_app()"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log.name}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not become ready; see {self.log.name}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()

    def worker_pids(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        return pids


def reset_peak_rss(pid: int) -> None:
    """Start the process's high-water mark of resident memory again from what it holds now
    (Linux: writing 5 to clear_refs), so that a later `peak_rss_mb` is the peak of what came
    after, not of the login's password hashing before it (scrypt takes 32 MB for a moment)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss_mb(pid: int) -> float:
    """The process's high-water mark of resident memory (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


# The load ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    page: str
    form: str | None = None  # where the page's form posts; None for a reader only

    def fields(self, person: int) -> dict:
        if self.form and self.form.endswith("/sign"):
            return {"name": f"{random.choice(FIRST_NAMES)} {random.choice(LAST_NAMES)}",
                    "affiliation": random.choice(AFFILIATIONS),
                    "email": f"signer.{person}.{uuid.uuid4().hex[:6]}@example.org",
                    "country": random.choice(COUNTRIES), "consent": "y", "show_publicly": "y"}
        return {"name": f"Person {person}"}


async def drive(base_url: str, scenario: Scenario, concurrency: int, duration: float,
                addresses: Addresses) -> Tally:
    """`concurrency` people at once, each a new visitor every time round, for `duration` s."""
    tally = Tally()
    # A new connection for every request, as a proxy in front of gunicorn makes them: kept-alive
    # connections would stay with whichever worker accepted them first.
    transport = httpx.AsyncHTTPTransport(
        limits=httpx.Limits(max_connections=concurrency, max_keepalive_connections=0))
    clients = [httpx.AsyncClient(base_url=base_url, transport=transport, timeout=120,
                                 follow_redirects=False) for _ in range(concurrency)]
    people = iter(range(10 ** 9))
    deadline = time.perf_counter() + duration

    async def person(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            client.cookies.clear()
            headers = {"X-Forwarded-For": addresses()}
            started = time.perf_counter()
            try:
                page = await client.get(scenario.page, headers=headers)
            except httpx.HTTPError as error:
                tally.statuses[type(error).__name__] += 1
                continue
            read = time.perf_counter()
            tally.statuses[page.status_code] += 1
            tally.read_seconds.append(read - started)
            if scenario.form is None or page.status_code != 200:
                continue
            token = FORM_TOKEN.search(page.text)
            data = {**scenario.fields(next(people)), token.group(1): token.group(2)}
            try:
                answer = await client.post(scenario.form, data=data, headers=headers)
            except httpx.HTTPError as error:
                tally.statuses[type(error).__name__] += 1
                continue
            done = time.perf_counter()
            tally.statuses[answer.status_code] += 1
            tally.write_seconds.append(done - read)
            tally.flow_seconds.append(done - started)
            if answer.status_code in ACCEPTED:
                tally.accepted += 1

    began = time.perf_counter()
    await asyncio.gather(*(person(client) for client in clients))
    tally.elapsed = time.perf_counter() - began
    await transport.aclose()
    return tally


def sequential_latency(base_url: str, path: str, requests: int, unique: bool = False) -> dict:
    with httpx.Client(base_url=base_url, timeout=60) as client:
        client.get(path)
        samples = []
        for n in range(requests):
            started = time.perf_counter()
            response = client.get(path, params={"fresh": n} if unique else None)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
    return percentiles(samples)


def logged_in_client(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=600)
    token = CSRF_FIELD.search(client.get("/login").text)
    response = client.post("/login", data={
        "email": ORGANIZER_EMAIL, "password": ORGANIZER_PASSWORD,
        "csrf_token": next(group for group in token.groups() if group)})
    if response.status_code != 302:
        raise RuntimeError(f"bench organizer could not log in: {response.status_code}")
    return client


# The parts of a run ----------------------------------------------------------------------


#: Scenarios compared with each other take turns in slices this long, so a change in what
#: else the machine is doing falls on both alike.
SLICE_SECONDS = 2.5


def in_turns(base_url: str, scenarios: list, concurrency: int, duration: float,
             addresses: Addresses) -> list[Tally]:
    """Run each scenario for `duration` seconds in all, alternating slice by slice."""
    # Many signers at once wait seconds for an answer: fewer, longer turns then.
    slices = max(1, round(duration / SLICE_SECONDS / max(1, concurrency // 64)))
    tallies = [Tally() for _ in scenarios]
    for _ in range(slices):
        for scenario, tally in zip(scenarios, tallies):
            tally.add(asyncio.run(drive(base_url, scenario, concurrency, duration / slices,
                                        addresses)))
    return tallies


def run_load(args, database: Database, server: Server, slugs: dict, addresses) -> dict:
    signing = Scenario("signing", f"/s/{slugs['sign']}", f"/s/{slugs['sign']}/sign")
    bare = Scenario("bare insert", "/_bench/page", "/_bench/insert")
    tables = {
        "signing": f"SELECT count(*) FROM signatures WHERE statement_id = {slugs['sign_id']}",
        "bare_insert": "SELECT count(*) FROM bench_rows",
    }
    result = {"signing": [], "bare_insert": []}
    for concurrency in args.concurrency:
        before = {key: count_rows(database, sql) for key, sql in tables.items()}
        tallies = in_turns(server.base_url, [signing, bare], concurrency, args.duration,
                           addresses)
        for (key, sql), scenario, tally in zip(tables.items(), (signing, bare), tallies):
            stored = count_rows(database, sql) - before[key]
            row = {"concurrency": concurrency, **tally.summary(), "stored": stored,
                   "lost": tally.accepted - stored}
            result[key].append(row)
            report(f"{scenario.name:12} c={concurrency:<4}", row)
    return result


def run_pages(args, server: Server, slugs: dict, addresses) -> dict:
    small = args.sizes[0]
    pages = {f"statement_{small}": f"/s/{slugs[small]}", "bare_page": "/_bench/page"}
    tallies = in_turns(server.base_url, [Scenario(key, path) for key, path in pages.items()],
                       args.page_concurrency, args.duration, addresses)
    result = {}
    for key, tally in zip(pages, tallies):
        result[key] = {"concurrency": args.page_concurrency, **tally.summary()}
        report(f"page {key:18}", result[key])
    result["latency"], result["latency_uncached"] = {}, {}
    for size in args.sizes:
        path = f"/s/{slugs[size]}"
        result["latency"][str(size)] = sequential_latency(server.base_url, path,
                                                          args.latency_requests)
        # A query string of its own each time: every request renders (no shared copy).
        result["latency_uncached"][str(size)] = sequential_latency(
            server.base_url, path, args.latency_requests, unique=True)
        print(f"  statement page with {size:>9,} signatures, one reader: "
              f"{result['latency'][str(size)]}; never from a copy: "
              f"{result['latency_uncached'][str(size)]}")
    return result


def run_export(args, database: Database, workdir: Path, slugs: dict) -> dict:
    """The largest statement as CSV: by the CLI, then over HTTP from a fresh one-worker server."""
    size = args.sizes[-1]
    output = workdir / "export.csv"
    env = {**os.environ, "DATABASE_URL": database.url, **KEYS,
           "INSTANCE_PATH": str(workdir / "instance"), "REDIS_URL": ""}
    measure = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
               "sys.exit(r.returncode)")
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "flask", "--app", "app",
         "signatures", "export", slugs[size], "-o", str(output)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    cli = {"seconds": round(time.perf_counter() - started, 2),
           "peak_rss_mb": round(int(done.stderr.strip().splitlines()[-1]) / 1024, 1),
           "rows": sum(1 for _ in output.open(encoding="utf-8")) - 1,
           "bytes": output.stat().st_size}
    print(f"  CSV export (CLI) of {size:,}: {cli}")
    return {"rows_in_statement": size, "cli": cli}


def run_http_export_and_search(args, database: Database, workdir: Path, slugs: dict,
                               result: dict) -> None:
    size = args.sizes[-1]
    with Server(database, workdir, workers=1, threads=2, redis_url="") as server:
        (worker,) = server.worker_pids()
        client = logged_in_client(server.base_url)
        try:
            before = peak_rss_mb(worker)
            if "export" not in args.skip:
                started = time.perf_counter()
                rows = received = 0
                path = f"/dashboard/statements/{slugs['ids'][size]}/signatures.csv"
                with client.stream("GET", path) as response:
                    response.raise_for_status()
                    for chunk in response.iter_bytes():
                        received += len(chunk)
                        rows += chunk.count(b"\n")
                result["export"]["http"] = {
                    "seconds": round(time.perf_counter() - started, 2),
                    "peak_rss_mb": peak_rss_mb(worker), "rss_before_mb": before,
                    "rows": rows - 1, "bytes": received}
                print(f"  CSV export (HTTP) of {size:,}: {result['export']['http']}")
            if "search" not in args.skip:
                result["search"] = search(client, slugs["ids"][size], slugs["addresses"][size],
                                          args)
        finally:
            client.close()


def search(client: httpx.Client, statement_id: int, address: str, args) -> dict:
    """The dashboard's signatories list: unfiltered, then searched for a common surname, a
    rare full name, a whole address (its blind index) and something that matches nothing."""
    terms = {"no search (first page)": "", "common surname": "kovalenko",
             "full name": "sofia lindqvist", "whole address": address, "no match": "zzqx"}
    repeats = 3 if args.quick else 10
    found, everything = {}, []
    for label, term in terms.items():
        samples = []
        began = time.perf_counter()
        # Ten tries each, or three when they are slow (a run stays within its time).
        while len(samples) < repeats and (len(samples) < 3 or time.perf_counter() - began < 15):
            started = time.perf_counter()
            response = client.get(f"/dashboard/statements/{statement_id}/signatures",
                                  params={"q": term} if term else None)
            samples.append(time.perf_counter() - started)
            response.raise_for_status()
        found[label] = {"term": term, **percentiles(samples)}
        everything += samples
        print(f"  search {label!r} ({term}): {found[label]}")
    return {"statement_size": args.sizes[-1], "by_term": found, "all": percentiles(everything)}


def report(label: str, row: dict) -> None:
    rate = row["accepted_per_s"] if row.get("flows") and row["accepted"] else row["pages_per_s"]
    latency = row["write_ms"] or row["read_ms"]
    extra = f" stored={row['stored']} lost={row['lost']}" if "stored" in row else ""
    print(f"  {label} {rate:8.1f}/s  p50={latency.get('p50')} p95={latency.get('p95')} "
          f"p99={latency.get('p99')} ms errors={row['errors']}{extra}")


def targets(result: dict, args) -> dict:
    """The issue's targets, checked against this run (met: true/false, or null if not measured)."""
    checks = {}

    def level(key: str, concurrency: int):
        return next((row for row in result.get("load", {}).get(key, [])
                     if row["concurrency"] == concurrency), None)

    sign64, bare64 = level("signing", 64), level("bare_insert", 64)
    if sign64 and bare64:
        ratio = sign64["accepted_per_s"] / bare64["accepted_per_s"]
        checks["signing_64_vs_bare_insert"] = {"target": ">= 0.60", "measured": round(ratio, 2),
                                               "met": ratio >= 0.6}
        checks["signing_64_no_loss_no_5xx"] = {
            "target": "lost 0, 5xx 0",
            "measured": f"lost {sign64['lost']}, 5xx {sign64['server_errors']}",
            "met": sign64["lost"] == 0 and sign64["server_errors"] == 0}
    sign256 = level("signing", 256)
    if sign256:
        allowed = {"200", "302", "429", "503"}
        unexpected = {k: v for k, v in sign256["errors"].items() if k not in allowed}
        checks["signing_256_only_429_503_never_lost"] = {
            "target": "lost 0, errors only 429/503",
            "measured": f"lost {sign256['lost']}, errors {sign256['errors']}",
            "met": sign256["lost"] == 0 and not unexpected}
    pages = result.get("pages", {})
    page_key = f"statement_{args.sizes[0]}"
    if page_key in pages and "bare_page" in pages:
        ratio = pages[page_key]["pages_per_s"] / pages["bare_page"]["pages_per_s"]
        checks["statement_page_vs_bare_page"] = {"target": ">= 0.40", "measured": round(ratio, 2),
                                                 "met": ratio >= 0.4}
    for kind in ("latency", "latency_uncached"):
        big = pages.get(kind, {}).get(str(args.sizes[-1]))
        if big:
            checks[f"statement_page_p99_at_largest_{kind}"] = {
                "target": "< 50 ms", "measured": big["p99"], "met": big["p99"] < 50}
    for way in ("cli", "http"):
        export = result.get("export", {}).get(way)
        if export:
            checks[f"csv_export_{way}"] = {
                "target": "< 15 s and < 150 MB",
                "measured": f"{export['seconds']} s, {export['peak_rss_mb']} MB",
                "met": export["seconds"] < 15 and export["peak_rss_mb"] < 150}
    return checks


def run_one(args, kind: str) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"campaign-bench-{kind}-"))
    database = Database(kind, workdir, args.pg_url)
    database.create()
    result = {"database": kind}
    try:
        print(f"[{kind}] filling: statements of {', '.join(f'{n:,}' for n in args.sizes)} "
              "signatures ...", flush=True)
        slugs = fill(database, args.sizes)
        result["fill_seconds"] = slugs["fill_seconds"]
        addresses = Addresses()
        with Server(database, workdir, args.workers, args.threads, args.redis_url) as server:
            # Warm every worker (templates compiled, pools open) before measuring.
            asyncio.run(drive(server.base_url, Scenario("warm", f"/s/{slugs['sign']}"), 4, 1.0,
                              addresses))
            if "load" not in args.skip:
                print(f"[{kind}] load: {args.duration:g} s per scenario", flush=True)
                result["load"] = run_load(args, database, server, slugs, addresses)
            if "pages" not in args.skip:
                print(f"[{kind}] pages", flush=True)
                result["pages"] = run_pages(args, server, slugs, addresses)
        if "export" not in args.skip:
            print(f"[{kind}] export and search", flush=True)
            result["export"] = run_export(args, database, workdir, slugs)
        if not {"export", "search"} <= set(args.skip):
            result.setdefault("export", {})
            run_http_export_and_search(args, database, workdir, slugs, result)
    finally:
        database.drop()
    result["targets"] = targets(result, args)
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    written = []
    for kind in args.db:
        result = {
            "run": {
                "when": stamp, "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
                "quick": args.quick, "cores": os.cpu_count(),
                "python": sys.version.split()[0],
                "gunicorn": {"workers": args.workers, "threads": args.threads,
                             "worker_class": "gthread", "config": "gunicorn.conf.py"},
                "rate_limits": "on; TRUSTED_PROXIES=1 and a distinct X-Forwarded-For per "
                               "simulated signer (limits keyed per address and statement)",
                "rate_limit_storage": args.redis_url or "memory:// (per worker)",
                "load_generator": "this process: asyncio + httpx, on the same machine",
                "duration_s": args.duration,
                "load_average_at_start": os.getloadavg(),
            },
            **run_one(args, kind),
        }
        path = out / f"{stamp}-{kind}{'-quick' if args.quick else ''}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        written.append(path)
        print(f"[{kind}] targets:")
        for name, check in result["targets"].items():
            mark = "met" if check["met"] else "MISSED"
            print(f"  {mark:6} {name}: {check['measured']} (target {check['target']})")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
