"""The home page has an identity: owners set the name, tagline, logo, accent colour and
featured statement on /dashboard/settings, and every visitor sees them."""
import io
import os
import re
from datetime import timedelta
from email.utils import parseaddr

import pytest
from PIL import Image
from sqlalchemy import event, select

from campaign.audit.models import AuditEntry
from campaign.common.hashing import email_index
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.home.models import SiteSettings
from campaign.home.service import Identity, save_settings
from campaign.mail.models import OutboxMessage
from campaign.mail.service import message_bodies
from campaign.organizers.models import Role
from campaign.statements.models import StatementStatus

SETTINGS = "/dashboard/settings"


def image_file(format: str = "PNG", size=(300, 120), colour="navy", name="logo.png"):
    """An image file as a browser uploads it: (contents, file name)."""
    data = io.BytesIO()
    Image.new("RGB", size, colour).save(data, format=format)
    return io.BytesIO(data.getvalue()), name


def settings_form(**overrides) -> dict:
    values = {"name": "", "tagline": "", "accent_colour": "", "featured_statement_id": "0"}
    values.update(overrides)
    return values


def save(client, **fields):
    return client.submit(SETTINGS, settings_form(**fields), page=SETTINGS)


def html(response) -> str:
    return response.get_data(as_text=True)


def header(page: str) -> str:
    return page[page.index("<header"):page.index("</header>")]


def link_href(page: str, pattern: str) -> str:
    match = re.search(rf'href="({pattern})"', page)
    assert match, f"no link matching {pattern}"
    return match.group(1)


def logo_address(page: str) -> str:
    match = re.search(r'<img class="site-header__logo" src="(/logo/[0-9a-f]{16}\.png)"', page)
    assert match, "no logo in the header"
    return match.group(1)


# The owner's settings page --------------------------------------------------------


def test_an_owner_sets_name_tagline_colour_and_logo_and_every_visitor_sees_them(
        app, client, logged_in):
    logged_in(Role.owner)
    response = save(client, name="Ukraine Solidarity Campaign",
                    tagline="With Ukraine's workers, for a free and united country.",
                    accent_colour="#0057B7", logo=image_file(size=(1200, 400)))
    assert response.status_code == 303
    assert "The settings are saved" in html(client.get(SETTINGS))

    visitor = app.test_client()
    page = html(visitor.get("/"))
    assert "<title>Ukraine Solidarity Campaign</title>" in page
    assert "Ukraine Solidarity Campaign</span>" in header(page)
    assert "With Ukraine&#39;s workers, for a free and united country." in header(page)

    logo = visitor.get(logo_address(page))
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in logo.headers["Cache-Control"]
    picture = Image.open(io.BytesIO(logo.data))
    assert picture.format == "PNG" and max(picture.size) <= 512  # re-encoded, made smaller

    theme = visitor.get(link_href(page, r"/theme\.css\?v=\d+"))
    assert theme.status_code == 200 and theme.mimetype == "text/css"
    assert "--accent: #0057b7;" in html(theme)
    assert db.session.scalar(select(AuditEntry.detail).where(
        AuditEntry.action == "site.settings")) == "name, tagline, accent colour, logo"


def test_before_anything_is_set_the_site_wears_the_configured_name_and_standard_colours(
        app, client):
    app.config["CAMPAIGN_NAME"] = "Campaign for a Free Ukraine"
    page = html(client.get("/"))
    assert "Campaign for a Free Ukraine</span>" in header(page)
    assert "theme.css" not in page and "site-header__logo" not in page
    assert "No accent colour is set" in html(client.get("/theme.css"))


def test_an_emptied_name_falls_back_to_the_configured_one(app, client, logged_in):
    logged_in(Role.owner)
    save(client, name="Ukraine Solidarity Campaign")
    save(client, name="")
    assert f"{app.config['CAMPAIGN_NAME']}</span>" in header(html(client.get("/")))


def email_to(address: str) -> tuple[str, str]:
    """The From display name and the text of the message to `address`."""
    message = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_index == email_index(address))).one()
    return parseaddr(message.sender)[0], message_bodies(message)[0]


def test_the_next_email_comes_from_the_name_the_owner_sets(app, client, logged_in,
                                                            make_statement, sign):
    app.config["PAGE_CACHE_SECONDS"] = 60  # the name is kept per worker: saving drops it
    statement = make_statement(requires_confirmation=True)
    sign(statement, email="before@example.org")
    logged_in(Role.owner)
    save(client, name="Ukraine Solidarity Campaign")
    sign(statement, email="after@example.org")

    sender, text = email_to("before@example.org")
    assert sender == app.config["CAMPAIGN_NAME"]
    assert f"Sent by {app.config['CAMPAIGN_NAME']}." in text
    sender, text = email_to("after@example.org")
    assert sender == "Ukraine Solidarity Campaign"
    assert "Sent by Ukraine Solidarity Campaign." in text


def test_an_update_is_previewed_as_from_the_name_the_owner_sets(client, logged_in,
                                                                make_statement, sign):
    statement = make_statement()
    sign(statement, email_updates="y")
    logged_in(Role.owner)
    save(client, name="Ukraine Solidarity Campaign")
    written = client.submit("/dashboard/updates/new", {
        "audience": f"statement:{statement.slug}", "registrant_group": "all",
        "subject": "We delivered the statement", "body": "It was handed in."},
        page="/dashboard/updates/new")
    assert "Sent by Ukraine Solidarity Campaign." in html(client.get(written.location))


@pytest.mark.parametrize("colour, message", [
    ("#ffd500", "White text on #ffd500 has a contrast of only 1.4:1, and it needs at least "
                "4.5:1 to be easy to read (WCAG AA). Choose a darker colour."),
    ("#777777", "White text on #777777 has a contrast of only 4.4:1"),
    ("blue", "Enter the colour as # and six hexadecimal digits, like #0057b7."),
])
def test_a_colour_white_text_cannot_be_read_on_is_refused_saying_why(
        client, logged_in, colour, message):
    logged_in(Role.owner)
    response = save(client, name="Ukraine Solidarity Campaign", accent_colour=colour)
    assert response.status_code == 400
    assert message in html(response)
    assert db.session.scalar(select(SiteSettings)) is None
    assert "theme.css" not in html(client.get("/"))


def test_the_darkest_grey_that_passes_is_taken(client, logged_in):
    logged_in(Role.owner)
    assert save(client, accent_colour="767676").status_code == 303
    assert "--accent: #767676;" in html(client.get("/theme.css"))


def _noise_png() -> tuple[io.BytesIO, str]:
    """A PNG of random pixels: about 1.5 MB, so larger than 1 MB however it is compressed."""
    data = io.BytesIO()
    Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3)).save(data, format="PNG")
    return io.BytesIO(data.getvalue()), "photo.png"


@pytest.mark.parametrize("upload, message", [
    ((io.BytesIO(b"Name,Affiliation\nOlena,KVPU\n"), "logo.png"),
     "The logo must be a PNG, JPEG or WebP image."),
    ((io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      "logo.svg"),
     "The logo must be a PNG, JPEG or WebP image."),
    (image_file("GIF", name="logo.gif"), "The logo must be a PNG, JPEG or WebP image."),
    (image_file(size=(2400, 300)),
     "The logo can be at most 2000\u00a0×\u00a02000 pixels. Make it smaller and try again."),
    (_noise_png(), "The logo file is larger than 1 MB."),
])
def test_a_logo_that_is_not_a_small_png_jpeg_or_webp_is_refused(
        client, logged_in, upload, message):
    logged_in(Role.owner)
    response = save(client, name="Ukraine Solidarity Campaign", logo=upload)
    assert response.status_code == 400
    assert message in html(response)
    assert "site-header__logo" not in html(client.get("/"))
    assert db.session.scalar(select(SiteSettings)) is None


@pytest.mark.parametrize("format", ["JPEG", "WEBP"])
def test_a_jpeg_or_webp_logo_is_served_as_png(client, logged_in, format):
    logged_in(Role.owner)
    assert save(client, logo=image_file(format, name="logo.img")).status_code == 303
    logo = client.get(logo_address(html(client.get("/"))))
    assert Image.open(io.BytesIO(logo.data)).format == "PNG"


def test_a_replaced_logo_leaves_its_old_address_and_a_removed_one_leaves_the_header(
        client, logged_in):
    logged_in(Role.owner)
    save(client, logo=image_file(colour="navy"))
    first = logo_address(html(client.get("/")))
    save(client, logo=image_file(colour="darkgreen"))
    second = logo_address(html(client.get("/")))
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    save(client, tagline="Saved without a file: the logo stays.")
    assert second in html(client.get("/"))

    response = client.submit(f"{SETTINGS}/logo/remove", page=SETTINGS)
    assert response.status_code == 303
    assert "site-header__logo" not in html(client.get("/"))
    assert client.get(second).status_code == 404


def test_the_theme_stylesheet_is_kept_until_the_settings_change(app, client, logged_in):
    logged_in(Role.owner)
    save(client, accent_colour="#0057b7")
    visitor = app.test_client()
    first_address = link_href(html(visitor.get("/")), r"/theme\.css\?v=\d+")
    theme = visitor.get(first_address)
    assert "immutable" in theme.headers["Cache-Control"]
    again = visitor.get(first_address, headers={"If-None-Match": theme.headers["ETag"]})
    assert again.status_code == 304

    save(client, accent_colour="#8b0000")
    second_address = link_href(html(visitor.get("/")), r"/theme\.css\?v=\d+")
    assert second_address != first_address
    assert "--accent: #8b0000;" in html(visitor.get(second_address))


@pytest.fixture
def settings_reads(app):
    """How many queries read the settings table, counted while the test runs."""
    reads = []

    def note(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "FROM site_settings" in statement:
            reads.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield reads
    event.remove(db.engine, "before_cursor_execute", note)


@pytest.mark.parametrize("saved", [False, True])
def test_a_page_reads_the_settings_once(app, client, make_statement, settings_reads, saved):
    make_statement()
    if saved:
        save_settings(Identity(name="Ukraine Solidarity Campaign", accent_colour="#0057b7"))
    settings_reads.clear()
    assert client.get("/").status_code == 200
    assert len(settings_reads) == 1


@pytest.mark.parametrize("role", [Role.editor, Role.viewer])
def test_editors_and_viewers_cannot_open_or_change_the_settings(client, logged_in, role):
    logged_in(role)
    assert client.get(SETTINGS).status_code == 403
    token = client.csrf_token("/dashboard")
    response = client.post(SETTINGS, data={**settings_form(name="Taken over"), "csrf_token": token})
    assert response.status_code == 403
    assert "Taken over" not in html(client.get("/"))
    assert 'href="/dashboard/settings"' not in html(client.get("/dashboard"))


def test_owners_find_the_settings_in_the_dashboard_menu(client, logged_in):
    logged_in(Role.owner)
    assert 'href="/dashboard/settings">Site settings</a>' in html(client.get("/dashboard"))


# The home page's featured statement -----------------------------------------------


@pytest.fixture
def two_statements(make_statement):
    older = make_statement(title="Hands off Ukraine's unions",
                           published_at=utcnow() - timedelta(days=30))
    newer = make_statement(
        title="A free and united Ukraine", published_at=utcnow(), signature_goal=1000,
        preamble="We call for a just peace that ends the occupation.\n\n"
                 "The second paragraph stays on the statement's own page.",
    )
    return older, newer


def test_the_home_page_features_the_newest_statement_with_its_count_and_sign_button(
        client, two_statements, sign):
    older, newer = two_statements
    for number in range(3):
        sign(newer, email=f"signatory{number}@example.org")
    page = html(client.get("/"))
    featured = page[page.index('<section class="featured"'):page.index("</section>")]
    assert "A free and united Ukraine" in featured
    assert "We call for a just peace that ends the occupation." in featured
    assert "second paragraph" not in page
    assert "3 signatures" in featured
    assert "Our goal: 1,000" in featured
    assert re.search(r'<progress [^>]*max="1000" value="3">3 of 1,000</progress>', featured)
    assert f'<a class="button button--large" href="/s/{newer.slug}#sign">Sign</a>' in featured
    others = page[page.index("Other statements"):]
    assert "Hands off Ukraine&#39;s unions" in others and "A free and united Ukraine" not in others


def test_an_owner_features_another_statement_until_it_closes(client, logged_in, two_statements):
    older, newer = two_statements
    logged_in(Role.owner)
    assert save(client, featured_statement_id=str(older.id)).status_code == 303
    page = html(client.get("/"))
    assert page.index("Hands off Ukraine&#39;s unions") < page.index("Other statements")
    assert f'href="/s/{older.slug}#sign"' in page

    older.status = StatementStatus.closed
    db.session.commit()
    assert f'href="/s/{newer.slug}#sign"' in html(client.get("/"))


def test_a_draft_cannot_be_featured(client, logged_in, make_statement):
    draft = make_statement(status=StatementStatus.draft)
    logged_in(Role.owner)
    response = save(client, featured_statement_id=str(draft.id))
    assert response.status_code == 400
    assert "Not a valid choice" in html(response)


def test_a_statement_not_yet_open_is_featured_without_a_sign_button(client, make_statement):
    statement = make_statement(opens_at=utcnow() + timedelta(days=3))
    page = html(client.get("/"))
    assert "Signing opens on" in page
    assert f"/s/{statement.slug}#sign" not in page


def test_the_demo_gives_the_site_its_name_tagline_and_colour(runner, client):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    page = html(client.get("/"))
    assert "Ukraine Solidarity Campaign</span>" in header(page)
    assert "solidarity with the people of Ukraine" in header(page)
    assert "--accent: #0057b7;" in html(client.get(link_href(page, r"/theme\.css\?v=\d+")))
    assert "#sign" in page


def test_the_demo_leaves_settings_an_owner_saved_before(runner, client, logged_in):
    logged_in(Role.owner)
    save(client, name="Solidarity with Ukraine, Leeds")
    result = runner.invoke(args=["demo"])
    assert "Site settings already saved: left as they are." in result.output
    page = html(client.get("/"))
    assert "Solidarity with Ukraine, Leeds</span>" in header(page) and "theme.css" not in page
