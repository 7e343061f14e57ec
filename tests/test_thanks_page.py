"""After signing, the page says plainly what happens next, and offers the statement to pass on:
plain links with their icons, no other site's script, and the link itself to copy."""
import re
from urllib.parse import parse_qs, urlsplit

import pytest


def thanks(client, statement, query: str = "") -> str:
    return client.get(f"/s/{statement.slug}/thanks{query}").get_data(as_text=True)


def headline(html: str) -> str:
    group = re.search(r'<hgroup class="headline">(.*?)</hgroup>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", group).split())


def test_where_confirmation_is_needed_the_headline_says_to_press_the_button_in_the_email(
    client, make_statement
):
    html = thanks(client, make_statement(requires_confirmation=True, title="Stop the war"))
    assert headline(html) == ("Check your email and press the button in it "
                              "Your signature counts after that.")
    assert "Thank you for signing “Stop the war”." in html
    assert 'id="resend"' in html


def test_a_held_signature_is_asked_to_confirm_too(client, make_statement):
    statement = make_statement(requires_confirmation=False)
    assert headline(thanks(client, statement, "?confirm=email")).startswith(
        "Check your email and press the button in it")


def test_without_confirmation_the_page_thanks_and_says_the_signature_counts(
    client, make_statement
):
    html = thanks(client, make_statement(requires_confirmation=False))
    assert headline(html) == "Thank you for signing Your signature counts."
    assert 'id="resend"' not in html


def _share_buttons(html: str) -> dict[str, tuple[str, str]]:
    """Each share link's words, as (address, icon)."""
    found = re.findall(
        r'<a class="share-button" href="([^"]+)"[^>]*>\s*<img src="([^"]+)" alt="" '
        r'width="24" height="24">\s*([^<]+?)\s*<', html)
    return {label: (href.replace("&amp;", "&"), icon) for href, icon, label in found}


def test_the_statement_can_be_shared_by_each_app_with_its_icon(client, make_statement):
    statement = make_statement(title="Stop the war")
    html = thanks(client, statement)
    page_url = f"http://localhost/s/{statement.slug}"
    buttons = _share_buttons(html)

    assert list(buttons) == ["WhatsApp", "Telegram", "Facebook", "X", "Bluesky", "Email"]
    for label, (href, icon) in buttons.items():
        assert icon.startswith("/static/icons/") and icon.endswith(".svg"), label
        assert client.get(icon).mimetype == "image/svg+xml", icon
    bluesky = urlsplit(buttons["Bluesky"][0])
    assert (bluesky.netloc, bluesky.path) == ("bsky.app", "/intent/compose")
    assert parse_qs(bluesky.query) == {"text": [f"Stop the war {page_url}"]}
    whatsapp = urlsplit(buttons["WhatsApp"][0])
    assert parse_qs(whatsapp.query) == {"text": [f"Stop the war {page_url}"]}
    assert parse_qs(urlsplit(buttons["Facebook"][0]).query) == {"u": [page_url]}
    assert buttons["Email"][0].startswith("mailto:?subject=Stop%20the%20war&body=")
    assert "<script" not in html.replace('<script src="/static/js/site.js" defer></script>', "")


@pytest.mark.parametrize("label, opens_a_tab", [("WhatsApp", True), ("Email", False)])
def test_other_sites_open_in_a_new_tab_and_email_in_the_mail_program(
    client, make_statement, label, opens_a_tab
):
    html = thanks(client, make_statement())
    link = re.search(rf'<a class="share-button"[^>]*>(?:(?!</a>).)*?{label}', html, re.S).group(0)
    assert ('target="_blank"' in link) is opens_a_tab


def test_the_link_is_there_to_copy_without_javascript(client, make_statement):
    statement = make_statement()
    html = thanks(client, statement)
    assert re.search(rf'<input id="share-url" class="input" type="text" readonly '
                     rf'value="http://localhost/s/{statement.slug}">', html)
    button = re.search(r'<button type="button" class="share-button" data-copy="share-url"[^>]*>',
                       html).group(0)
    assert "hidden" in button  # until site.js finds the browser can copy
