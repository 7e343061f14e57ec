"""The event page puts registering first, sums up the statement it launches, says nothing twice;
after registering, the pages say what happens next and where the ticket is."""
import re
from collections import Counter
from html.parser import HTMLParser

from campaign.events.demo import EVENT_SLUG
from campaign.events.models import Registration
from campaign.extensions import db

#: Elements whose text a person does not read as the page's sentences.
_UNREAD = {"head", "script", "style", "select", "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}
_BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "label", "legend", "summary", "td",
           "th", "div", "section", "address"}


class _VisibleText(HTMLParser):
    """The text of each block a person sees, without hidden or screen-reader-only parts."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._text: list[str] = []
        self._hidden: list[bool] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        hidden = (tag in _UNREAD or "hidden" in attributes or "visually-hidden" in classes
                  or "hp" in classes)
        if tag in _BLOCKS:
            self._flush()
        if tag not in _VOID:
            self._hidden.append(hidden)

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._flush()
        if tag not in _VOID and self._hidden:
            self._hidden.pop()

    def handle_data(self, data):
        if not any(self._hidden):
            self._text.append(data)

    def _flush(self):
        text = " ".join("".join(self._text).split())
        if text:
            self.blocks.append(text)
        self._text = []


def sentences(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return [sentence for block in parser.blocks
            for sentence in re.split(r"(?<=[.!?])\s+", block) if len(sentence.split()) >= 4]


def test_no_sentence_is_shown_twice_on_the_demo_launch_meeting(runner, client):
    assert runner.invoke(args=["demo"]).exit_code == 0
    html = client.get(f"/e/{EVENT_SLUG}").get_data(as_text=True)
    shown = sentences(html)
    assert "Only people who have registered can attend." in shown
    assert [sentence for sentence, times in Counter(shown).items() if times > 1] == []


def test_the_form_comes_right_after_the_title_and_key_facts(client, make_event):
    event = make_event(description="Come and hear the speakers.",
                       speakers=[{"name": "Mick Antoniw"}])
    html = client.get(f"/e/{event.slug}").get_data(as_text=True)
    order = [html.index(part) for part in (
        "<h1>", 'class="event-facts"', 'id="register"', "<label class=\"label\" for=\"name\">Name",
        "<p>Come and hear the speakers.</p>", "Mick Antoniw</h3>")]
    assert order == sorted(order)


def test_after_registering_the_page_says_what_happens_next(make_event, register):
    event = make_event(tickets=({"name": "Free"}, {"name": "Supporter", "price_minor": 1000}),
                       online_url="https://meet.example.org/launch")
    html = register(event).get_data(as_text=True)
    for words in (
        "<h1>Check your email</h1>",
        "Open the email and follow its link. It opens your ticket: your reference code, its QR "
        "code and a calendar file to add the event to your calendar.",
        "The link to join online is there too.",
        "Bring the code: show it, or the QR code, on your phone or on paper at the door.",
        "A paid ticket is paid there; your ticket says how much.",
        "Cannot come after all? Cancel from your ticket, so your place goes to someone else.",
        "Your ticket is the page that link opens: keep the email, it is your way back to it.",
    ):
        assert words in html, words
    assert "meet.example.org" not in html


def test_a_free_event_in_a_room_says_nothing_of_paying_or_joining_online(make_event, register):
    html = register(make_event()).get_data(as_text=True)
    assert "A paid ticket" not in html and "join online" not in html


def test_the_ticket_says_what_to_bring_how_to_cancel_and_that_it_is_the_ticket(
    client, make_event, register, emailed_link
):
    event = make_event(tickets=({"name": "Supporter", "price_minor": 1000, "currency": "GBP"},))
    register(event, email="oksana@example.org")
    ticket = emailed_link("oksana@example.org", "r")
    html = client.get(ticket).get_data(as_text=True)
    reference = db.session.scalars(db.select(Registration.reference)).one()

    assert "<h2>What to bring</h2>" in html
    assert (f"Your reference, {reference}, or the QR code above, on your phone or on paper: "
            "it is checked at the door.") in html
    assert "£10.00 for your ticket, paid at the door." in html
    assert f'href="{ticket}/event.ics"' in html
    assert (f'<a href="{ticket}/cancel">Cancel your registration</a>, '
            "so your place goes to someone else.") in html
    assert "This page is your ticket. The link in the email we sent you opens it again" in html
