"""Signals about people that no one domain owns.

`person_unsubscribed` is for the supporters' mailing (updates, List-Unsubscribe): send it
with the app as sender and `email=` the address, in the transaction that records the
unsubscription; the webhooks tell the partner systems that asked (`person.unsubscribed`).
"""
from blinker import Namespace

person_unsubscribed = Namespace().signal("person-unsubscribed")
