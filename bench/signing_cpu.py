#!/usr/bin/env python
"""Where a signature's time goes: CPU per signing POST, in this process, against the ceiling's.

The ceiling run (bench/ceiling.py) says how fast signing is; this says why. It signs through
Flask's test client (no network, no gunicorn: the app's own work and the database's) and
signs the ceiling's bare app (../shared/ceiling/bare_app.py) in the same process, batch
about batch, so that whatever else the machine is doing weighs on both alike; the ratio of
their best batches is the share of the ceiling that the app's own code allows. Then the same
with parts of the signing path left out, to show what each costs:

  - `checks only`: the form, the limits and the request's own work, but no signature stored
    (the view answers as if it had signed);
  - `request only`: not even the form.

As in the ceiling run, every signature is a new person with their own address behind one
trusted proxy, on a fresh database with one published statement that needs no confirmation,
so each signature is confirmed as it arrives (until the evening of 2 December this measured
a statement that needs confirmation, which costs less and hid what a confirmed one cost).

  .venv/bin/python bench/signing_cpu.py --db sqlite
  .venv/bin/python bench/signing_cpu.py --db postgresql --batches 20
"""
import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CEILING = Path(os.environ.get("CEILING_DIR", ROOT.parent / "shared" / "ceiling"))
sys.path[:0] = [str(ROOT), str(BENCH), str(CEILING)]

from load import KEYS, Database  # noqa: E402

BATCH = 25
FIELDS = re.compile(r'<input[^>]*name="(form_token|source|referrer)"[^>]*value="([^"]*)"')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--batches", type=int, default=12, help=f"batches of {BATCH} of each")
    parser.add_argument("--out", default=str(BENCH / "results"))
    return parser.parse_args(argv)


def project_signer(database: Database, workdir: Path):
    """The app, and a function that signs it once, on a fresh database with one open
    statement."""
    from campaign import create_app
    from campaign.common.time import utcnow
    from campaign.extensions import db, upgrade_database
    from campaign.statements.models import Campaign, Statement, StatementStatus

    app = create_app({"SQLALCHEMY_DATABASE_URI": database.url, **KEYS, "REDIS_URL": "",
                      "INSTANCE_PATH": str(workdir), "BASE_URL": "http://localhost",
                      "TRUSTED_PROXIES": 1, "MAIL_SEND_IN_BACKGROUND": False})
    with app.app_context():
        upgrade_database()
        db.session.add(Statement(campaign=Campaign(name="Bench", slug="bench"), slug="spike",
                                 title="Stop the war", preamble="We call for peace.",
                                 requires_confirmation=False, status=StatementStatus.published,
                                 published_at=utcnow()))
        db.session.commit()
    client = app.test_client()
    fixed = dict(FIELDS.findall(client.get("/s/spike").get_data(as_text=True)))
    fixed.update(affiliation="Load Union", country="UA", consent="y")
    count = 0

    def sign() -> None:
        nonlocal count
        count += 1
        response = client.post("/s/spike/sign", data={
            **fixed, "name": f"Load Signer {count}", "email": f"signer-{count}@example.org",
        }, headers={"X-Forwarded-For": f"10.1.{count // 250 % 250}.{count % 250 + 1}",
                    "Origin": "http://localhost"})
        assert response.status_code in (302, 303), response.status_code

    return app, sign


def bare_signer(database: Database):
    os.environ["BARE_DATABASE_URL"] = database.url
    import bare_app

    client = bare_app.app.test_client()
    token = re.search(r'value="([^"]+)"', client.get("/s/bare").get_data(as_text=True)).group(1)
    count = 0

    def sign() -> None:
        nonlocal count
        count += 1
        response = client.post("/s/bare", data={
            "csrf_token": token, "name": f"n{count}", "email": f"e{count}@example.org",
            "country": "Ukraine", "affiliation": "Load Union"})
        assert response.status_code == 303, response.status_code

    return sign


def leave_out(part: str) -> None:
    """Make the signing view skip `part` from here on (`signature`, then also `form`)."""
    from campaign.signatures import views
    from campaign.signatures.forms import SignatureForm

    if part == "signature":
        views.take_signature = lambda slug, form: views.Outcome()
    elif part == "form":
        no_mistakes = type("Checked", (), {"errors": {}})()
        SignatureForm.submitted = classmethod(lambda cls: no_mistakes)


def cpu_ms(sign, batches: list[float]) -> None:
    started = time.process_time()
    for _ in range(BATCH):
        sign()
    batches.append((time.process_time() - started) / BATCH * 1000)


def compare(app_sign, bare_sign, batches: int) -> dict:
    for sign in (app_sign, bare_sign):  # warmed up: caches filled, statements compiled
        for _ in range(2 * BATCH):
            sign()
    app_ms, bare_ms = [], []
    for _ in range(batches):
        cpu_ms(app_sign, app_ms)
        cpu_ms(bare_sign, bare_ms)
    app_ms.sort()
    bare_ms.sort()
    return {"app_ms_best": round(app_ms[0], 2), "app_ms_median": round(app_ms[len(app_ms) // 2], 2),
            "bare_ms_best": round(bare_ms[0], 2),
            "bare_ms_median": round(bare_ms[len(bare_ms) // 2], 2),
            "share_of_bare": round(bare_ms[0] / app_ms[0], 2)}


def main(argv=None) -> int:
    args = parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="signing-cpu-"))
    (workdir / "app").mkdir()
    (workdir / "bare").mkdir()
    app_db = Database(args.db, workdir / "app", args.pg_url)
    bare_db = Database(args.db, workdir / "bare", args.pg_url)
    app_db.create()
    bare_db.create()
    app = None
    try:
        app, app_sign = project_signer(app_db, workdir / "app")
        bare_sign = bare_signer(bare_db)
        results = {"db": args.db, "load_average": os.getloadavg()[0], "per_post": {}}
        for label, part in (("whole signature", None), ("checks only", "signature"),
                            ("request only", "form")):
            if part:
                leave_out(part)
            results["per_post"][label] = compare(app_sign, bare_sign, args.batches)
            print(label, json.dumps(results["per_post"][label]), flush=True)
    finally:
        if app is not None:
            from campaign.extensions import db

            with app.app_context():
                db.engine.dispose()
        app_db.drop()
        bare_db.drop()
        shutil.rmtree(workdir, ignore_errors=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    out = Path(args.out) / f"{stamp}-signing-cpu-{args.db}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
