#!/usr/bin/env python
"""Signing and the statement page against the outside ceiling (../shared/ceiling), as an outsider.

For each database asked for, in one run: the bare app (`bare_app.py`, gunicorn -w 2) on a
fresh database, then the project (gunicorn.conf.py, 2 workers, TRUSTED_PROXIES=1, the mail
sender `flask mail send --loop` working beside it) on a fresh database with one published
statement, then the project's page through nginx (deploy/nginx.conf). Every figure is wrk
at 64 connections (kept alive where the server keeps them): POSTs of the signing form with
a new name, email and X-Forwarded-For each (the ceiling's sign.lua), and GETs of the page.
Then the page again while signatures come in, and at 16 connections. Stored rows are
counted after each signing run: every accepted POST must be stored.

  .venv/bin/python bench/ceiling.py --db sqlite --db postgresql --seconds 12

Prints one JSON object per database (ratios, rates, p50/p95/p99 in ms, accepted and stored,
the load average before each scenario) and writes it to bench/results/ceiling-<db>-<time>.json.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CEILING = Path(os.environ.get("CEILING_DIR", ROOT.parent / "shared" / "ceiling"))
sys.path[:0] = [str(BENCH), str(CEILING)]

from load import KEYS, Database, _free_port  # noqa: E402
from nginx_local import local_nginx_config, nginx_command  # noqa: E402
from wrkload import form_fields  # noqa: E402

#: Adds the 95th percentile to wrk's own 50/75/90/99 (wrk's `done` hook).
P95_LUA = """
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\\n", latency:percentile(95)))
end
"""


def wrk(url: str, seconds: int, connections: int, script: str, env: dict | None = None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
               "-s", script, url]
    out = subprocess.run(command, capture_output=True, text=True,
                         env={**os.environ, **(env or {})}).stdout
    unit = {"us": 0.001, "ms": 1, "s": 1000}

    def ms(pattern):
        found = re.search(pattern, out)
        return round(float(found.group(1)) * unit[found.group(2)], 2)

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    total = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "total": total,
        "accepted": total - (int(bad.group(1)) if bad else 0),
        "non2xx3xx": int(bad.group(1)) if bad else 0,
        "p50_ms": ms(r"50%\s+([\d.]+)(us|ms|s)"),
        "p95_ms": round(int(re.search(r"P95_US (\d+)", out).group(1)) / 1000, 2),
        "p99_ms": ms(r"99%\s+([\d.]+)(us|ms|s)"),
        "socket_errors": errors.group(1) if errors else "",
        "load_average": os.getloadavg()[0],
    }


class Scripts:
    """The lua scripts for wrk: signing (the ceiling's sign.lua) and plain GETs, each with p95."""

    def __init__(self, workdir: Path):
        self.page = workdir / "page.lua"
        self.page.write_text(P95_LUA)
        self.sign = workdir / "sign.lua"
        self.sign.write_text((CEILING / "sign.lua").read_text() + P95_LUA)


def signing_env(base: str, path: str, prefix: str) -> tuple[str, dict]:
    """The form as a browser takes it (wrkload.py's reading of labels): POST target and env."""
    client = httpx.Client(base_url=base, headers={"X-Forwarded-For": "10.250.0.1"})
    html = client.get(path).text
    action, payload = form_fields(html, {"name": "x-name", "email": "x-email",
                                         "country": "Ukraine", "affiliation": "Load Union"})
    name_field = next(k for k, v in payload.items() if v == "x-name")
    email_field = next(k for k, v in payload.items() if v == "x-email")
    fixed = {k: v for k, v in payload.items() if k not in (name_field, email_field)}
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    env = {"SIGN_BODY": urllib.parse.urlencode(fixed), "SIGN_COOKIE": cookie,
           "SIGN_EMAIL_FIELD": email_field, "SIGN_NAME_FIELD": name_field, "SIGN_PREFIX": prefix}
    return urllib.parse.urljoin(base + path, action or path), env


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError(f"server exited; see {log}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"server did not answer; see {log}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def measure_bare(kind: str, workdir: Path, pg_url: str, seconds: int, scripts: Scripts) -> dict:
    database = Database(kind, workdir / "bare", pg_url)
    (workdir / "bare").mkdir()
    database.create()
    port = _free_port()
    log = workdir / "bare.log"
    env = {**os.environ, "BARE_DATABASE_URL": database.url}
    # Its table made once first: two workers making it at once race on PostgreSQL.
    subprocess.run([sys.executable, "-c", "import bare_app"], cwd=CEILING, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}", "bare_app:app"],
        cwd=CEILING, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base + "/s/bare", server, log)
        target, env = signing_env(base, "/s/bare", "bare")
        sign = wrk(target, seconds, 64, str(scripts.sign), env)
        sign["stored"] = int(httpx.get(base + "/count").text)
        page = wrk(base + "/s/bare", seconds, 64, str(scripts.page))
        page16 = wrk(base + "/s/bare", seconds, 16, str(scripts.page))
    finally:
        stop(server)
        database.drop()
    return {"sign": sign, "page": page, "page_16": page16}


def _project_env(database: Database, workdir: Path, port: int) -> dict:
    return {
        **os.environ, **KEYS,
        "DATABASE_URL": database.url,
        "INSTANCE_PATH": str(workdir / "instance"),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "BIND": f"127.0.0.1:{port}",
        "TRUSTED_PROXIES": "1",
        "WEB_CONCURRENCY": "2",
        "WEB_ACCESS_LOG": "",
        "WEB_LOG_LEVEL": "warning",
        "MAIL_SEND_IN_BACKGROUND": "0",
        "REDIS_URL": "",
    }


SEED = """
from campaign import create_app
from campaign.extensions import db
from campaign.statements.models import Campaign, Statement, StatementStatus
from campaign.common.time import utcnow
app = create_app()
with app.app_context():
    campaign = Campaign(name="Bench", slug="bench")
    db.session.add(campaign)
    db.session.add(Statement(campaign=campaign, slug="spike", title="Stop the war",
                             preamble="We, the undersigned, call for peace.",
                             status=StatementStatus.published, published_at=utcnow()))
    db.session.commit()
"""


def stored_signatures(env: dict) -> int:
    count = ("from campaign import create_app\nfrom campaign.extensions import db\n"
             "from sqlalchemy import text\napp = create_app()\nwith app.app_context():\n"
             "    print(db.session.scalar(text('SELECT count(*) FROM signatures')))\n")
    return int(subprocess.run([sys.executable, "-c", count], cwd=ROOT, env=env, check=True,
                              capture_output=True, text=True).stdout.split()[-1])


def measure_project(kind: str, workdir: Path, pg_url: str, seconds: int,
                    scripts: Scripts) -> dict:
    (workdir / "project" / "instance").mkdir(parents=True)
    database = Database(kind, workdir / "project", pg_url)
    database.create()
    port = _free_port()
    env = _project_env(database, workdir / "project", port)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", SEED], cwd=ROOT, env=env, check=True)
    log = workdir / "project.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "app:app"],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
    sender = subprocess.Popen([*flask, "mail", "send", "--loop"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=open(workdir / "sender.log", "w"))
    base = f"http://127.0.0.1:{port}"
    nginx = None
    try:
        wait_until_up(base + "/s/spike", server, log)
        target, sign_env = signing_env(base, "/s/spike", "app")
        sign = wrk(target, seconds, 64, str(scripts.sign), sign_env)
        time.sleep(1)
        sign["stored"] = stored_signatures(env)
        page = wrk(base + "/s/spike", seconds, 64, str(scripts.page))
        page16 = wrk(base + "/s/spike", seconds, 16, str(scripts.page))
        # The page while signatures come in (and the sender mails them): both at once.
        signing = subprocess.Popen(
            ["wrk", "-t1", "-c16", f"-d{seconds + 2}s", "-s", str(scripts.sign), target],
            env={**os.environ, **sign_env, "SIGN_PREFIX": "during"},
            stdout=subprocess.DEVNULL)
        time.sleep(1)
        page_signing = wrk(base + "/s/spike", seconds, 64, str(scripts.page))
        signing.wait()
        nginx, nginx_base = start_nginx(workdir, port)
        wrk(nginx_base + "/s/spike", 2, 64, str(scripts.page))  # warm
        page_nginx = wrk(nginx_base + "/s/spike", seconds, 64, str(scripts.page))
    finally:
        if nginx is not None:
            stop(nginx)
        stop(sender)
        stop(server)
        database.drop()
    return {"sign": sign, "page": page, "page_16": page16, "page_while_signing": page_signing,
            "page_nginx": page_nginx}


def start_nginx(workdir: Path, app_port: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    conf = local_nginx_config(workdir, app_port, _free_port(), port, tls=False)
    process = subprocess.Popen(nginx_command(conf), stderr=open(workdir / "nginx.log", "w"))
    base = f"http://localhost:{port}"
    wait_until_up(base + "/healthz", process, workdir / "nginx.log")
    return process, base


def summarise(bare: dict, project: dict) -> dict:
    def ratio(mine: dict, theirs: dict) -> float:
        return round(mine["rps"] / theirs["rps"], 2)

    return {
        "sign_ratio": ratio(project["sign"], bare["sign"]),
        "sign_p99_vs_bare": round(project["sign"]["p99_ms"] / bare["sign"]["p99_ms"], 2),
        "page_ratio": ratio(project["page"], bare["page"]),
        "page_p99_vs_bare": round(project["page"]["p99_ms"] / bare["page"]["p99_ms"], 2),
        "page_while_signing_ratio": ratio(project["page_while_signing"], bare["page"]),
        "page_nginx_ratio": ratio(project["page_nginx"], project["page"]),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--pg-url", default=os.environ.get(
        "BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args(argv)
    for kind in args.db or ["sqlite"]:
        with tempfile.TemporaryDirectory(prefix=f"ceiling-{kind}-") as tmp:
            workdir = Path(tmp)
            scripts = Scripts(workdir)
            bare = measure_bare(kind, workdir, args.pg_url, args.seconds, scripts)
            project = measure_project(kind, workdir, args.pg_url, args.seconds, scripts)
        result = {"db": kind, "seconds": args.seconds, "summary": summarise(bare, project),
                  "bare": bare, "project": project}
        print(json.dumps(result))
        out = BENCH / "results" / f"ceiling-{kind}-{time.strftime('%Y%m%d-%H%M%S')}.json"
        out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
