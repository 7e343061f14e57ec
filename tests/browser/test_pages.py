"""Every page, public and dashboard, as a person sees it: no serious accessibility problem at
phone size, no sideways scrolling and a screenshot at phone and desktop size, and no console
or CSP error.

The pages come from the URL map (tests/pages.py), so a page added later is checked too.
States that need a form sent (errors, thank-you) are covered by the journeys in the other files.
"""
import pytest

from campaign.organizers.models import Role
from tests.browser.conftest import SIZES, axe_violations, log_in, overflow, screenshot
from tests.pages import html_pages

pytestmark = pytest.mark.browser


def look_at_every_page(page, live_server, pages: list[tuple[str, str]]) -> list[str]:
    """Visit each page at phone size and run axe; at phone then desktop size check that it fits
    the window's width (no sideways scrolling) and screenshot it.

    Every page is looked at before the test fails, so one run lists all the problems."""
    problems = []
    for endpoint, path in pages:
        name = endpoint.replace(".", "-")
        for size in ("phone", "desktop"):
            page.set_viewport_size(SIZES[size]["viewport"])
            page.size_name = size
            if size == "phone":
                page.goto(live_server(path))
                problems += [f"{path}: {violation}" for violation in axe_violations(page)]
            too_wide = overflow(page)
            if too_wide:
                problems.append(f"{path} at {size} size: {too_wide}")
            screenshot(page, name)
    return problems


def test_every_public_page_is_accessible(app, client, scene, live_server, open_page):
    pages = html_pages(app, client, scene, dashboard=False)
    assert {"home.index", "signatures.statement_page", "sharing.statement_embed",
            "organizers.login", "privacy.notice"} <= {endpoint for endpoint, _ in pages}
    pages.append(("error-404", "/no-such-page"))
    problems = look_at_every_page(open_page("phone"), live_server, pages)
    assert not problems, "\n".join(problems)


def test_every_dashboard_page_is_accessible(app, client, scene, make_organizer, login,
                                            live_server, open_page):
    owner = make_organizer(Role.owner)
    login(owner)
    pages = html_pages(app, client, scene, dashboard=True)
    assert {"dashboard.index", "dashboard.statement_edit", "dashboard.signatures"} <= {
        endpoint for endpoint, _ in pages}
    page = open_page("phone")
    log_in(page, live_server, owner.email)
    problems = look_at_every_page(page, live_server, pages)
    assert not problems, "\n".join(problems)
