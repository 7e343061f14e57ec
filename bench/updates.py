#!/usr/bin/env python
"""Updates by email at scale: queuing, delivery against a bare SMTP loop, a killed sender.

For each database asked for (a fresh one, made for the run and dropped after) it:

 1. fills a statement with --recipients confirmed signatures and as many subscribed
    supporters (one INSERT ... SELECT over a series each, cycling through a thousand
    encrypted addresses, each row its own blind index), then times queuing an update to
    them: `updates.service.start_due_updates`, counting the SQL statements it runs (the
    recipients go in one INSERT ... SELECT), and stops it, so that its 100,000 do not go
    out in front of the next part's;
 2. delivers an update to --deliver recipients of a second statement through the real path
    (`mail.sender.send_due`: each batch handed to the outbox, rendered per person, then sent
    over one SMTP connection, each message's "sending" committed before its data goes, with
    the previous one's "sent") to a local
    aiosmtpd server in its own process, and sends the same messages (read beforehand from
    the outbox, made into MIME as the sender does) with a bare smtplib loop over one
    connection, bare / app / bare, reporting messages a second and the app's rate as a
    share of the bare loop's (the mean of its two runs);
 3. starts `flask mail send --loop` on a third update of --kill-recipients, kills it with
    SIGKILL once the server has taken some of them, starts another sender, waits until the
    outbox is done, and counts what the server received: every recipient at most once,
    and any message the killed sender had in hand failed "may have been delivered", for a
    person to decide, never sent again.

Results are printed and written to bench/results/<time>-updates-<database>.json.

  .venv/bin/python bench/updates.py --db postgresql
  .venv/bin/python bench/updates.py --db sqlite --recipients 10000 --deliver 500   # quicker
"""
import argparse
import json
import os
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH)]

from load import KEYS, Database  # noqa: E402  (after the path is set)

VALUES = 1000


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", nargs="+", choices=("sqlite", "postgresql"),
                        default=["postgresql"])
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--recipients", type=int, default=100_000,
                        help="recipients of the update whose queuing is timed")
    parser.add_argument("--deliver", type=int, default=2000,
                        help="messages in the delivery comparison")
    parser.add_argument("--kill-recipients", type=int, default=600,
                        help="recipients of the update whose sender is killed")
    parser.add_argument("--out", default=str(BENCH / "results"))
    return parser.parse_args(argv)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(database_url: str, smtp_port: int) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": database_url, **KEYS, "RATELIMIT_ENABLED": False,
            "REDIS_URL": "", "DB_STATEMENT_TIMEOUT_MS": 0, "MAIL_SEND_IN_BACKGROUND": False,
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
            "BASE_URL": "https://sign.example.org"}


def fill(kind: str, statement, size: int, offset: int) -> float:
    """`size` confirmed signatures of `statement` and their subscribed supporters; seconds."""
    from sqlalchemy import Column, Integer, MetaData, Table, Text, insert, text

    from campaign.common.crypto import keyring
    from campaign.extensions import db

    values = Table("bench_values", MetaData(), Column("k", Integer, primary_key=True),
                   Column("email", Text), Column("supporter_email", Text))
    keys = keyring()
    series = "generate_series(1, :rows) AS s(n)" if kind == "postgresql" else "series"
    recursive = ("" if kind == "postgresql" else
                 "WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series "
                 "WHERE n < :rows) ")
    index = ("lpad(to_hex(n + :offset), 64, '0')" if kind == "postgresql"
             else "printf('%064x', n + :offset)")
    now = "now()" if kind == "postgresql" else "datetime('now')"
    started = time.perf_counter()
    with db.engine.begin() as connection:
        values.drop(connection, checkfirst=True)
        values.create(connection)
        connection.execute(insert(values), [
            {"k": k, "email": keys.encrypt(f"signer.{k}@example.org", "signatures.email"),
             "supporter_email": keys.encrypt(f"signer.{k}@example.org", "supporters.email")}
            for k in range(VALUES)])
        parameters = {"rows": size, "offset": offset, "statement_id": statement.id,
                      "campaign_id": statement.campaign_id}
        connection.execute(text(
            f"{recursive}INSERT INTO signatures (statement_id, revision, name, affiliation, "
            "personal_capacity, email, email_index, email_domain, country, show_publicly, "
            "featured, comment, status, consent_version, source, referrer_domain, created_at, "
            "confirmed_at) "
            f"SELECT :statement_id, 1, 'Signer ' || n, '', false, v.email, {index}, "
            "'example.org', 'GB', false, false, '', 'confirmed', '2026-11-01', '', '', "
            f"{now}, {now} FROM {series} JOIN bench_values v ON v.k = n % {VALUES}"),
            parameters)
        connection.execute(text(
            f"{recursive}INSERT INTO supporters (campaign_id, email, email_index, name, state, "
            "subscribed_at, subscribed_via, consent_version, state_changed_at, created_at) "
            f"SELECT :campaign_id, v.supporter_email, {index}, 'Signer ' || n, 'subscribed', "
            f"{now}, 'signing', 'updates-2026-12-01', {now}, {now} "
            f"FROM {series} JOIN bench_values v ON v.k = n % {VALUES}"), parameters)
        values.drop(connection)
        if kind == "postgresql":
            connection.execute(text("ANALYZE"))
    return round(time.perf_counter() - started, 1)


def _statement(slug: str):
    from campaign.extensions import db
    from campaign.statements.models import Campaign, Statement, StatementStatus

    campaign = Campaign(name=f"Bench {slug}", slug=slug)
    statement = Statement(campaign=campaign, slug=slug, title=f"Bench {slug}", preamble="",
                          status=StatementStatus.published)
    db.session.add(statement)
    db.session.commit()
    return statement


def _update(statement, subject: str):
    from campaign.updates import service

    return service.create_update(
        service.parse_audience(f"statement:{statement.slug}"), subject,
        "The statement was **handed in** today. Thank you for signing.\n\n"
        "- what happens next\n- how to help", created_by="bench")


def measure_queuing(kind: str, size: int) -> dict:
    from sqlalchemy import event

    from campaign.extensions import db
    from campaign.updates import service

    statement = _statement("queue")
    fill_seconds = fill(kind, statement, size, 0)
    item = _update(statement, "Queued")
    service.send_update(item)
    statements = []

    def count(_conn, _cursor, sql, *_args):
        statements.append(sql.split(None, 1)[0].upper())

    event.listen(db.engine, "before_cursor_execute", count)
    started = time.perf_counter()
    queued = service.start_due_updates()
    seconds = time.perf_counter() - started
    event.remove(db.engine, "before_cursor_execute", count)
    service.stop_update(item)  # so that the delivery below sends only its own update
    return {"recipients": queued, "seconds": round(seconds, 2), "fill_seconds": fill_seconds,
            "statements": dict(Counter(statements))}


def bare_loop(messages: list, port: int) -> float:
    """Messages a second for a plain smtplib loop over one connection: each message made
    into MIME (`mime_message`, as the sender does) and sent; no database, no templates."""
    from campaign.mail.sender import mime_message

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for message in messages:
            connection.send_message(mime_message(message), from_addr="bench@example.org")
    return len(messages) / (time.perf_counter() - started)


def measure_delivery(kind: str, size: int, port: int) -> dict:
    from sqlalchemy import select

    from campaign.extensions import db
    from campaign.mail.models import OutboxMessage
    from campaign.mail.sender import send_due
    from campaign.updates import service

    statement = _statement("deliver")
    fill(kind, statement, size, 10_000_000)
    first = _update(statement, "First")
    service.send_update(first)
    send_due()  # warms up, and gives the bare loop the very messages the app sent
    messages = list(db.session.scalars(select(OutboxMessage)))
    for message in messages:  # read (and decrypted) before the clock starts
        db.session.expunge(message)
    bare_before = bare_loop(messages, port)
    second = _update(statement, "Second")
    service.send_update(second)
    started = time.perf_counter()
    report = send_due()
    app_rate = report.sent / (time.perf_counter() - started)
    bare_after = bare_loop(messages, port)
    bare = (bare_before + bare_after) / 2
    return {"messages": report.sent, "app_per_s": round(app_rate, 1),
            "bare_per_s": [round(bare_before, 1), round(bare_after, 1)],
            "share_of_bare": round(app_rate / bare, 3)}


def measure_kill(kind: str, database_url: str, size: int, workdir: Path) -> dict:
    from sqlalchemy import func, select

    from campaign.extensions import db
    from campaign.mail.models import OutboxMessage, OutboxStatus
    from campaign.updates import service

    statement = _statement("kill")
    fill(kind, statement, size, 20_000_000)
    service.send_update(_update(statement, "Killed"))
    db.session.remove()
    received = workdir / "received.txt"
    port = _free_port()
    sink = subprocess.Popen([sys.executable, str(BENCH / "smtp_sink.py"), str(port),
                             str(received)], stdout=subprocess.PIPE, text=True)
    sink.stdout.readline()
    environment = {**os.environ, **KEYS, "DATABASE_URL": database_url, "MAIL_SERVER": "127.0.0.1",
                   "MAIL_PORT": str(port), "MAIL_SEND_IN_BACKGROUND": "false",
                   "MAIL_CLAIM_SECONDS": "5", "REDIS_URL": "", "MAIL_BATCH_SIZE": "50"}
    # No rest between batches (--share 1): the kill must land in the middle of one.
    command = [sys.executable, "-m", "flask", "--app", "app", "mail", "send", "--loop",
               "--interval", "1", "--share", "1"]
    try:
        first = subprocess.Popen(command, cwd=ROOT, env=environment,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not received.exists() or len(received.read_text().splitlines()) < size // 3:
            time.sleep(0.01)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        at_kill = len(received.read_text().splitlines())
        second = subprocess.Popen(command, cwd=ROOT, env=environment,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            db.session.remove()
            waiting = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
                OutboxMessage.status.in_((OutboxStatus.pending, OutboxStatus.sending))))
            done = service.list_updates(1)[0].status.value == "sent"
            if done and waiting == 0:
                break
            time.sleep(0.5)
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
    finally:
        sink.terminate()
        sink.wait()
    counts = Counter(received.read_text().splitlines())
    failed = {message.to for message in db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.failed, OutboxMessage.kind == "update"))}
    return {"recipients": size, "received_when_killed": at_kill,
            "received_once": sum(1 for c in counts.values() if c == 1),
            "received_twice_or_more": sum(1 for c in counts.values() if c > 1),
            "failed_for_review": len(failed),
            "failed_for_review_and_received": len(failed & set(counts)),
            "lost": size - len(set(counts) | failed)}


def run_one(args, kind: str) -> dict:
    from campaign.extensions import upgrade_database

    from campaign import create_app

    workdir = Path(tempfile.mkdtemp(prefix="bench-updates-"))
    database = Database(kind, workdir, args.pg_url)
    database.create()
    port = _free_port()
    sink = subprocess.Popen([sys.executable, str(BENCH / "smtp_sink.py"), str(port)],
                            stdout=subprocess.PIPE, text=True)
    sink.stdout.readline()
    try:
        app = create_app(_settings(database.url, port))
        with app.app_context():
            upgrade_database()
            result = {"database": kind, "queuing": measure_queuing(kind, args.recipients)}
            print(f"[{kind}] queuing: {result['queuing']}", flush=True)
            result["delivery"] = measure_delivery(kind, args.deliver, port)
            print(f"[{kind}] delivery: {result['delivery']}", flush=True)
            result["kill"] = measure_kill(kind, database.url, args.kill_recipients, workdir)
            print(f"[{kind}] kill: {result['kill']}", flush=True)
            from campaign.extensions import db
            db.session.remove()
            db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait()
        database.drop()
    result["load_average"] = os.getloadavg()
    return result


def main(argv=None) -> int:
    args = parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for kind in args.db:
        result = run_one(args, kind)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        (out / f"{stamp}-updates-{kind}.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
