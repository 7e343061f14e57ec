"""What higher floors add to a statement's public page, without this domain importing them.

A receiver of `statement_page` gets the statement and returns a dict for the template
(events adds the launch meeting, for example). `events.page_sections` does the same for
the event page.
"""
from blinker import Namespace, Signal

statement_page = Namespace().signal("statement-page")


def sections_for(sender, signal: Signal = statement_page) -> dict:
    """What the receivers of `signal` return for `sender`, merged into one template context."""
    context = {}
    for _receiver, values in signal.send(sender):
        context.update(values)
    return context
