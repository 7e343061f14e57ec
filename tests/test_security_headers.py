"""Every page is sent with the security headers; only the widget may be framed by other sites.

The page list comes from the URL map itself, so a page added later is checked without
anyone remembering to list it here.
"""
import re

import pytest

from campaign.config import PROJECT_ROOT
from campaign.organizers.models import Role
from tests.pages import get_pages, make_scene

#: Endpoints other sites may show in a frame.
EMBEDDABLE = {"sharing.statement_embed", "sharing.embed_thanks"}
TEMPLATES = PROJECT_ROOT / "templates"


@pytest.fixture
def scene(make_statement, make_signature):
    return make_scene(make_statement, make_signature)


def _assert_protected(response, endpoint: str, url: str):
    headers = response.headers
    where = f"{endpoint} {url} ({response.status_code})"
    assert response.status_code < 500, where
    if response.mimetype == "text/html":
        assert not _inline_code(response.get_data(as_text=True)), where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "strict-origin-when-cross-origin", where
    policy = headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, where
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, where
    assert "object-src 'none'" in policy, where
    if endpoint in EMBEDDABLE and response.status_code == 200:
        assert "frame-ancestors *" in policy, where
        assert "X-Frame-Options" not in headers, where
    else:
        assert "frame-ancestors 'none'" in policy, where
        assert headers.get("X-Frame-Options") == "DENY", where


def test_every_public_page_is_sent_with_the_security_headers(app, client, scene):
    pages = get_pages(app, scene)
    assert len(pages) > 5
    for endpoint, url in pages:
        _assert_protected(client.get(url), endpoint, url)


def test_every_dashboard_page_is_sent_with_the_security_headers(app, client, scene, logged_in):
    logged_in(Role.owner)
    dashboard = get_pages(app, scene, dashboard=True)
    assert dashboard
    for endpoint, url in dashboard:
        _assert_protected(client.get(url), endpoint, url)


def test_error_pages_and_refused_methods_carry_the_headers_too(client, app):
    for response in (client.get("/no-such-page"), client.delete("/login"), client.post("/login")):
        _assert_protected(response, "error", response.request.path)


def test_only_the_widget_may_be_framed_by_another_site(client, scene):
    slug = scene["statement"].slug
    widget = client.get(f"/s/{slug}/embed")
    assert widget.status_code == 200
    assert "frame-ancestors *" in widget.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in widget.headers
    page = client.get(f"/s/{slug}")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"


def test_strict_transport_security_is_sent_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def _page_templates():
    """Templates for pages (e-mails are not pages: no CSP applies to them)."""
    return [p for p in TEMPLATES.rglob("*.html") if p.relative_to(TEMPLATES).parts[0] != "emails"]


def _inline_code(markup: str) -> list[str]:
    """Inline script, styles and event handlers in HTML tags: what the policy would block."""
    found = [tag for tag in re.findall(r"<script\b[^>]*>", markup) if "src=" not in tag]
    for tag in re.findall(r"<[a-zA-Z][^<>]*>", markup):
        if re.search(r"\sstyle\s*=|\son[a-z]+\s*=|javascript:", tag, flags=re.I):
            found.append(tag)
    found += re.findall(r"<style\b", markup)
    return found


def test_no_template_has_inline_script_or_style_that_the_policy_would_block():
    templates = _page_templates()
    assert templates
    offences = {
        str(path.relative_to(TEMPLATES)): found
        for path in templates if (found := _inline_code(path.read_text()))
    }
    assert not offences
