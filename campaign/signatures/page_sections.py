"""What higher floors add to a statement's public page, without this domain importing them.

A receiver of `statement_page` gets the statement and returns a dict for the template
(events adds the launch meeting, for example).
"""
from blinker import Namespace

statement_page = Namespace().signal("statement-page")


def sections_for(statement) -> dict:
    context = {}
    for _receiver, values in statement_page.send(statement):
        context.update(values)
    return context
