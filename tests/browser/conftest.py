"""Real-browser fixtures: Debian's Chromium driven by Playwright against the app served for real.

One Chromium per test session, a fresh browser context (cookies, storage) per page a test
opens. The app runs with werkzeug's server in a thread on a free port, against the same test
database as the `app` fixture: data a test makes with the factories is committed, so the
server sees it, and the `app` fixture empties the tables after each test.

Without Chromium the tests skip locally and fail in CI (CI=true), so a missing browser is
never mistaken for a pass. Screenshots go to ARTIFACTS_DIR (default test-artifacts/screenshots).
"""
import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from campaign.mail.service import message_bodies
from campaign.common.hashing import email_index
from campaign import create_app
from campaign.config import PROJECT_ROOT
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.signatures.emails import tell_new_signatories
from campaign.statements.models import Statement
from tests.conftest import PASSWORD
from tests.pages import make_scene

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Third-party cookies blocked, as more and more browsers do: the embedded form must work so.
    "--test-third-party-cookie-phaseout",
]
SIZES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
              "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "narrow": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
}
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = PROJECT_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ARTIFACTS_DIR = Path(os.environ.get("ARTIFACTS_DIR") or PROJECT_ROOT / "test-artifacts" / "screenshots")
_saved_screenshots: set[Path] = set()


def missing_tool(message: str):
    """Fail in CI, where a missing tool means the check did not run; skip on a developer's machine."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        missing_tool(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, server, app):
        self.url = f"http://127.0.0.1:{server.port}"
        self.netloc = urlsplit(self.url).netloc
        self.app = app

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def run_mail_sender(self) -> None:
        """What the served app's mail sender writes after the answers (new signatures'
        emails), with the served app's address in their links."""
        with self.app.app_context():
            tell_new_signatories()


@pytest.fixture(scope="session")
def _served_app(test_settings, _schema):
    app = create_app(test_settings)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(server, app)
    app.config["BASE_URL"] = live.url
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(app, _served_app):
    """The app served on a real port; call it with a path for a full URL."""
    return _served_app


class PageProblems:
    """What a page got wrong beyond its own status: console errors (CSP violations among them),
    uncaught script errors, and stylesheets, scripts or images that failed to load.

    A page answered with a 4xx on purpose (a form with mistakes) is not a problem here.
    """

    def __init__(self, page):
        self.messages: list[str] = []
        #: Parts of messages a test expects (for example a refused frame).
        self.expected: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"script error: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _console(self, message):
        # A 4xx document is reported as "Failed to load resource"; failed sub-resources
        # are caught by _response/_failed, which know what the resource was.
        if message.type != "error" or message.text.startswith("Failed to load resource"):
            return
        if not any(part in message.text for part in self.expected):
            self.messages.append(f"console: {message.text}")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.messages.append(f"{response.status} for {response.url}")

    def _failed(self, request):
        if request.resource_type != "document" and request.failure != "net::ERR_ABORTED":
            self.messages.append(f"{request.failure} for {request.url}")


@pytest.fixture
def open_page(chromium, live_server):
    """open_page("phone" | "desktop" | "narrow", **context_options) -> a new Page in its own context.

    After the test, any console error (a CSP violation, a script error, a failed load) fails it.
    """
    contexts, watchers = [], []

    def open_(size: str = "phone", **options):
        context = chromium.new_context(**{**SIZES[size], **options})
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.size_name = size
        watcher = PageProblems(page)
        watchers.append(watcher)
        page.expect_console_error = watcher.expected.append
        return page

    yield open_
    problems = [message for watcher in watchers for message in watcher.messages]
    for context in contexts:
        context.close()
    assert not problems, f"the browser reported errors: {problems}"


@pytest.fixture
def phone(open_page):
    return open_page("phone")


@pytest.fixture
def desktop(open_page):
    return open_page("desktop")


@pytest.fixture
def demo(app, runner):
    """The demo content (`flask --app app demo`): the charter, its 7 demands, 18 initial
    signatories and whatever else the demo loads; the organizer logs in with PASSWORD."""
    app.config["DEMO_PASSWORD"] = PASSWORD
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    return db.session.scalars(select(Statement).order_by(Statement.id)).first()


@pytest.fixture
def scene(make_statement, make_signature):
    """One of each thing a URL can name (see tests/pages.py)."""
    return make_scene(make_statement, make_signature)


def latest_email(to: str) -> OutboxMessage:
    """The last message queued for `to` by the live server (read in a fresh transaction)."""
    db.session.rollback()
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(to))
        .order_by(OutboxMessage.id.desc())
    ).first()
    assert message is not None, f"no email was queued for {to}"
    return message


def link_in(message: OutboxMessage, pattern: str) -> str:
    """The first link in the message whose address matches the regular expression `pattern`."""
    links = re.findall(r"https?://[^\s<>\"]+", message_bodies(message)[0])
    found = [link for link in links if re.search(pattern, link)]
    assert found, f"no link matching {pattern!r} in: {message_bodies(message)[0]}"
    return found[0]


def log_in(page, live_server, email: str, password: str = PASSWORD):
    page.goto(live_server("/login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server("/dashboard") + "**")


def focus_is_visible(page) -> bool:
    """Whether the focused element shows a focus ring (outline or box-shadow)."""
    return page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return (parseFloat(style.outlineWidth) > 0 && style.outlineStyle !== 'none')
            || style.boxShadow !== 'none';
    }""")


def overflow(page) -> str:
    """How far the page runs past the window's width, so a person must scroll sideways ("" if not).

    Measured against the page's own width in the window (clientWidth), not `innerWidth`: a phone
    zooms out to show a page too wide for it, and then reports the wider `innerWidth`.
    """
    width, window = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    return f"the page is {width}px wide in a {window}px window" if width > window else ""


def no_sideways_scroll(page):
    too_wide = overflow(page)
    assert not too_wide, too_wide


def assert_in_first_view(page, locator, what: str):
    """The element is seen without scrolling: inside the window as the page first opens."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    bottom = box["y"] + box["height"]
    assert box["y"] >= 0 and bottom <= height, (
        f"{what} runs from {box['y']:.0f}px to {bottom:.0f}px: not within the first {height}px")


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """Save a screenshot as <name>-<size>.png for a person to look at: the whole page, or
    what the window shows (`full_page=False`)."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS_DIR / f"{name}-{getattr(page, 'size_name', 'page')}.png"
    page.screenshot(path=str(path), full_page=full_page, scale="css")
    _saved_screenshots.add(path)
    return path


def axe_violations(page, impacts=("serious", "critical")) -> list[str]:
    """Run axe-core in the page; the serious and critical violations, one line each."""
    if not AXE_SCRIPT.exists():
        missing_tool(f"axe-core is not installed ({AXE_SCRIPT}); run `npm ci`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated over the DevTools protocol, so the page's CSP (no inline script) still holds.
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in impacts
    ]


def assert_accessible(page, state: str):
    violations = axe_violations(page)
    assert not violations, f"axe found problems on {page.url} ({state}):\n" + "\n".join(violations)


def html_errors(documents: dict[str, str]) -> dict[str, list[str]]:
    """Check each HTML source with the Nu HTML Checker in one run; errors by document name."""
    if not VNU_JAR.exists():
        missing_tool(f"the Nu HTML Checker is not installed ({VNU_JAR}); run `npm ci`")
    if shutil.which("java") is None:
        missing_tool("java is not installed, so vnu.jar cannot run (apt-get install default-jre-headless)")
    folder = ARTIFACTS_DIR.parent / "html"
    folder.mkdir(parents=True, exist_ok=True)
    names = {}
    for name, html in documents.items():
        path = (folder / (re.sub(r"[^a-z0-9-]+", "-", name.lower()) + ".html")).resolve()
        path.write_text(html, encoding="utf-8")
        names[str(path)] = name
    run = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *names],
        capture_output=True, text=True, timeout=180,
    )
    report = json.loads(run.stderr or run.stdout)
    errors: dict[str, list[str]] = {}
    for message in report["messages"]:
        path = urlsplit(message.get("url", "")).path
        errors.setdefault(names.get(path, path), []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} "
            f"[{message.get('extract', '').strip()}]"
        )
    return errors


def pytest_terminal_summary(terminalreporter):
    if _saved_screenshots:
        terminalreporter.write_line(
            f"Screenshots of the main pages ({len(_saved_screenshots)}): {ARTIFACTS_DIR.resolve()}"
        )
