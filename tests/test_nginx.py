"""deploy/nginx.conf as shipped, run by Debian's nginx in front of the app: public pages
micro-cached, organizers never served from the cache, static files from disk, the client's
address passed on for TRUSTED_PROXIES=1. Skipped only where nginx is not installed
(.ci/run installs it)."""
import os
import re
import shutil
import subprocess
import threading
import time

import httpx
import pytest
from werkzeug.serving import make_server

from bench.nginx_local import local_nginx_config, nginx_command
from campaign.config import PROJECT_ROOT
from tests.conftest import PASSWORD

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(not os.access(NGINX, os.X_OK) or not shutil.which("openssl"),
                                reason="nginx (and openssl) not installed: apt-get install nginx")


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def behind_nginx(settings, tmp_path):
    """The app on a real port with TRUSTED_PROXIES=1, and nginx in front with deploy/nginx.conf.

    Yields (nginx's https base URL, the client addresses and schemes the app saw).
    """
    from campaign import create_app

    settings.update(TRUSTED_PROXIES=1, PAGE_CACHE_SECONDS=0)
    app = create_app(settings)
    seen = []
    proxy_fix = app.wsgi_app
    inner = proxy_fix.app

    def note_client(environ, start_response):  # runs after ProxyFix: what the app believes
        seen.append((environ["REMOTE_ADDR"], environ["wsgi.url_scheme"]))
        return inner(environ, start_response)

    proxy_fix.app = note_client
    app_server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=app_server.serve_forever, daemon=True).start()

    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-keyout", str(tmp_path / "key.pem"),
                    "-out", str(tmp_path / "cert.pem")], check=True, capture_output=True)
    https_port = _free_port()
    conf = local_nginx_config(tmp_path, app_server.port, _free_port(), https_port)
    checked = subprocess.run([*nginx_command(conf), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen(nginx_command(conf), stderr=subprocess.PIPE, text=True)
    base = f"https://localhost:{https_port}"
    for _ in range(100):
        try:
            httpx.get(base + "/healthz", verify=False)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield base, seen
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        app_server.shutdown()


def test_a_public_page_is_served_from_nginx_for_a_few_seconds(behind_nginx, make_statement):
    base, seen = behind_nginx
    statement = make_statement()
    with httpx.Client(base_url=base, verify=False) as browser:
        first = browser.get(f"/s/{statement.slug}")
        asked = len(seen)
        again = [browser.get(f"/s/{statement.slug}") for _ in range(5)]

    assert first.status_code == 200 and "set-cookie" not in first.headers
    assert first.headers["x-cache"] == "MISS"
    assert {response.headers["x-cache"] for response in again} == {"HIT"}
    assert len(seen) == asked  # the app was not asked again
    assert all(response.text == first.text for response in again)


def test_an_organizer_with_a_session_always_reaches_the_app(
    behind_nginx, make_statement, make_organizer
):
    base, _seen = behind_nginx
    make_statement()
    organizer = make_organizer()
    with httpx.Client(base_url=base, verify=False) as browser:
        browser.get("/")  # an anonymous copy is now kept
        login_page = browser.get("/login").text
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login_page)[1]
        logged_in = browser.post("/login", headers={"Origin": base, "Referer": f"{base}/login"}, data={
            "email": organizer.email, "password": PASSWORD,
            "csrf_token": token})
        home = browser.get("/")

    assert logged_in.status_code == 302, logged_in.text[-1500:]
    assert home.headers["x-cache"] == "BYPASS"
    assert "Dashboard" in home.text


def test_static_files_come_from_disk_with_a_long_lifetime(behind_nginx):
    base, seen = behind_nginx
    response = httpx.get(base + "/static/css/site.css", verify=False)
    assert response.status_code == 200
    assert response.text == (PROJECT_ROOT / "static" / "css" / "site.css").read_text()
    assert "max-age=86400" in response.headers["cache-control"]
    assert seen == [("127.0.0.1", "https")]  # only the health check reached the app


def test_the_app_sees_the_real_client_address_not_a_forged_one(behind_nginx, make_statement):
    base, seen = behind_nginx
    statement = make_statement()
    seen.clear()
    httpx.get(f"{base}/s/{statement.slug}?fresh", verify=False,
              headers={"X-Forwarded-For": "203.0.113.9"})
    assert seen == [("127.0.0.1", "https")]


def test_a_person_signs_through_nginx(behind_nginx, make_statement):
    base, _seen = behind_nginx
    statement = make_statement(requires_confirmation=False)
    with httpx.Client(base_url=base, verify=False) as browser:
        page = browser.get(f"/s/{statement.slug}").text
        token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page)[1]
        signed = browser.post(f"/s/{statement.slug}/sign", headers={"Origin": base}, data={
            "name": "Olena Kovalenko", "email": "olena@example.org", "consent": "y",
            "form_token": token})
        refused = browser.post(f"/s/{statement.slug}/sign",
                               headers={"Origin": "https://attacker.example"},
                               data={"name": "Taras", "email": "taras@example.org",
                                     "consent": "y", "form_token": token})
    assert signed.status_code == 302
    assert refused.status_code == 403
