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

#: Dashboard pages that are too wide for a phone today, with what runs past the window. The
#: dashboard is being reworked elsewhere (templates/dashboard/, static/css/dashboard.css); each
#: page's strict xfail below turns into a failure ("XPASS") once the page fits: then take it off.
TOO_WIDE_FOR_A_PHONE = {
    "dashboard.organizers": "/dashboard/organizers: its table of organizers (546px at 390)",
    "dashboard.event_registrations":
        "/dashboard/events/<id>/registrations: its table of registrants (815px at 390)",
    "dashboard.event_door_list": "/dashboard/events/<id>/door-list: its door list (473px at 390)",
}


def look_at_every_page(page, live_server, pages: list[tuple[str, str]],
                       may_overflow: frozenset[str] = frozenset()) -> list[str]:
    """Visit each page at phone size and run axe; at phone then desktop size check that it fits
    the window's width (no sideways scrolling) and screenshot it.

    Every page is looked at before the test fails, so one run lists all the problems. Pages
    whose endpoint is in `may_overflow` are known to be too wide (see their own test)."""
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
            if too_wide and endpoint not in may_overflow:
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
    problems = look_at_every_page(page, live_server, pages, frozenset(TOO_WIDE_FOR_A_PHONE))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", [
    pytest.param(endpoint, marks=pytest.mark.xfail(
        strict=True, raises=AssertionError, reason=f"too wide for a phone: {where}"))
    for endpoint, where in TOO_WIDE_FOR_A_PHONE.items()
])
def test_a_dashboard_page_too_wide_for_a_phone_today(endpoint, app, client, scene,
                                                    make_organizer, login, live_server, open_page):
    owner = make_organizer(Role.owner)
    login(owner)
    [path] = [path for found, path in html_pages(app, client, scene, dashboard=True)
              if found == endpoint]
    page = open_page("phone")
    log_in(page, live_server, owner.email)
    page.goto(live_server(path))
    too_wide = overflow(page)
    assert not too_wide, f"{path}: {too_wide}"
