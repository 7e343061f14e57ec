"""The audit log in sentences a person reads: "Anna Koval hid 11 signatures on “A free and
united Ukraine” flagged as a surge from one network address."

`ACTIONS` holds, for every action any domain records, a short label (to filter the log by)
and a function that makes the sentence from the entry; tests/test_audit_sentences.py checks
that every `record(...)` call in the code has one. The log keeps slugs, emails and ids, and
this floor imports no domain, so the names in a sentence (organizers, statements, events)
come from receivers of `names_wanted` on the floors above; a name nobody gives stays as it
was recorded.
"""
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from babel.lists import format_list
from blinker import Namespace
from flask_babel import get_locale, gettext as _, lazy_gettext as _l, ngettext

from campaign.audit.models import AuditEntry

#: Sent with a kind ("organizer-id", "organizer", "statement", "event") as the sender and
#: `keys`, a set of the ids, emails or slugs the log holds; a receiver returns {key: name}.
names_wanted = Namespace().signal("audit-names-wanted")

_REFERENCE = re.compile(r"^(organizer|statement|event|registration|outbox|person):(.+)$")
#: "statement:free-ukraine" or "event:launch" at the start of a detail, then the rest.
_DETAIL_TARGET = re.compile(r"^(statement|event):([^\s:]+)(?::\s*(.*))?$")


@dataclass(frozen=True)
class Entry:
    """One entry with the names it mentions looked up: what a sentence is made from."""

    entry: AuditEntry
    actor: str
    names: dict

    def _named(self, kind: str) -> str | None:
        for text in (self.entry.target, self.entry.detail):
            found = _DETAIL_TARGET.match(text or "") or _REFERENCE.match(text or "")
            if found and found.group(1) == kind:
                return self.names[kind].get(found.group(2), found.group(2))
        return None

    @property
    def statement(self) -> str | None:
        return self._named("statement")

    @property
    def event(self) -> str | None:
        return self._named("event")

    @property
    def organizer(self) -> str | None:
        return self._named("organizer")

    @property
    def key(self) -> str:
        """What the target names after its kind: a registration's code, a message's number."""
        return self.entry.target.partition(":")[2]

    @property
    def rest(self) -> str:
        """The detail after any statement or event it starts with."""
        found = _DETAIL_TARGET.match(self.entry.detail or "")
        return (found.group(3) or "") if found else (self.entry.detail or "")

    def numbers(self, pattern: str) -> tuple[int, ...] | None:
        found = re.search(pattern, self.entry.detail or "")
        return tuple(int(number) for number in found.groups()) if found else None


Describe = Callable[[Entry], str | None]


@dataclass(frozen=True)
class Action:
    label: str
    describe: Describe


def _about(sentence, **extra) -> Describe:
    """A sentence (marked with _l) that needs only the actor and what the entry names: its
    statement, event or organizer, the code or number of its target, the rest of its detail."""
    def describe(e: Entry) -> str:
        values = {"actor": e.actor, "statement": e.statement, "event": e.event,
                  "organizer": e.organizer, "reference": e.key, "detail": e.rest}
        values.update({name: value(e) for name, value in extra.items()})
        return str(sentence) % values
    return describe


def _hide_batch(e: Entry) -> str | None:
    found = re.search(r"(\d+) signatures sharing one (\w+)", e.entry.detail)
    if not found:
        return None
    number, signal = int(found.group(1)), found.group(2)
    sentences = {
        "address": ngettext(
            "%(actor)s hid %(num)d signature on “%(statement)s” flagged as a surge from one network address.",
            "%(actor)s hid %(num)d signatures on “%(statement)s” flagged as a surge from one network address.",
            number, actor=e.actor, statement=e.statement),
        "domain": ngettext(
            "%(actor)s hid %(num)d signature on “%(statement)s” flagged as a surge from one email domain.",
            "%(actor)s hid %(num)d signatures on “%(statement)s” flagged as a surge from one email domain.",
            number, actor=e.actor, statement=e.statement),
        "country": ngettext(
            "%(actor)s hid %(num)d signature on “%(statement)s” flagged as a surge from one country.",
            "%(actor)s hid %(num)d signatures on “%(statement)s” flagged as a surge from one country.",
            number, actor=e.actor, statement=e.statement),
    }
    return sentences.get(signal)


def _undo_batch(e: Entry) -> str | None:
    found = e.numbers(r"(\d+) signatures put back")
    return found and ngettext(
        "%(actor)s put back %(num)d signature of a hidden batch on “%(statement)s”.",
        "%(actor)s put back %(num)d signatures of a hidden batch on “%(statement)s”.",
        found[0], actor=e.actor, statement=e.statement)


def _approve_held(e: Entry) -> str | None:
    found = e.numbers(r"(\d+) held signatures")
    return found and ngettext(
        "%(actor)s approved %(num)d held signature on “%(statement)s”: it counts now.",
        "%(actor)s approved %(num)d held signatures on “%(statement)s”: they count now.",
        found[0], actor=e.actor, statement=e.statement)


def _hide_held(e: Entry) -> str | None:
    found = e.numbers(r"(\d+) held signatures")
    return found and ngettext(
        "%(actor)s hid %(num)d held signature on “%(statement)s”.",
        "%(actor)s hid %(num)d held signatures on “%(statement)s”.",
        found[0], actor=e.actor, statement=e.statement)


def _export_signatures(e: Entry) -> str | None:
    return {
        "which=all": _("%(actor)s exported the signatories of “%(statement)s”, with their "
                       "email addresses.", actor=e.actor, statement=e.statement),
        "which=public": _("%(actor)s exported the signatories listed on the public page of "
                          "“%(statement)s”.", actor=e.actor, statement=e.statement),
        "which=curated": _("%(actor)s exported the curated signatories of “%(statement)s”.",
                           actor=e.actor, statement=e.statement),
    }.get(e.entry.detail)


_SIGNATURE_FIELDS = {"name": _l("name"), "affiliation": _l("affiliation")}
_STATEMENT_FIELDS = {
    "title": _l("title"), "preamble": _l("preamble"), "closing": _l("closing text"),
    "slug": _l("web address"), "signature_goal": _l("signature goal"),
    "requires_confirmation": _l("email confirmation"), "opens_at": _l("opening time"),
    "closes_at": _l("closing time"),
}


def _fields(names: str, labels: dict) -> str | None:
    """"title, preamble" as "title and preamble", in the reader's language; None if unknown."""
    parts = [part.strip() for part in names.split(",") if part.strip()]
    if not parts or any(part not in labels for part in parts):
        return None
    return format_list([str(labels[part]) for part in parts], locale=get_locale())


def _correct_signature(e: Entry) -> str | None:
    fields = _fields(e.rest.removesuffix(" corrected"), _SIGNATURE_FIELDS)
    return fields and _("%(actor)s corrected the %(fields)s of a signatory of “%(statement)s”.",
                        actor=e.actor, fields=fields, statement=e.statement)


def _move_signature(e: Entry) -> str | None:
    found = e.numbers(r"(\d+) to (\d+)$")
    return found and _("%(actor)s moved a curated signatory of “%(statement)s” from place "
                       "%(before)d to %(after)d.", actor=e.actor, statement=e.statement,
                       before=found[0], after=found[1])


def _erase_signature(e: Entry) -> str:
    if e.entry.actor == "signatory":
        return _("A signatory withdrew their signature; its personal data was erased.")
    return _("%(actor)s erased the personal data of a signature, on request.", actor=e.actor)


def _edit_statement(e: Entry) -> str | None:
    detail = e.entry.detail
    demand = re.fullmatch(r"demand (\d+) (added|edited|deleted)", detail)
    if demand:
        return {
            "added": _("%(actor)s added demand %(number)s to “%(statement)s”."),
            "edited": _("%(actor)s changed demand %(number)s of “%(statement)s”."),
            "deleted": _("%(actor)s deleted demand %(number)s of “%(statement)s”."),
        }[demand.group(2)] % {"actor": e.actor, "number": demand.group(1),
                              "statement": e.statement}
    moved = re.fullmatch(r"demand (\d+) moved (?:up|down) to (\d+)", detail)
    if moved:
        return _("%(actor)s moved demand %(number)s of “%(statement)s” to place %(place)s.",
                 actor=e.actor, number=moved.group(1), statement=e.statement,
                 place=moved.group(2))
    fields = _fields(detail, _STATEMENT_FIELDS)
    return fields and _("%(actor)s changed the %(fields)s of “%(statement)s”.",
                        actor=e.actor, fields=fields, statement=e.statement)


def _import_statement(e: Entry) -> str | None:
    found = e.numbers(r"(\d+) demands, (\d+) signatories")
    return found and _("%(actor)s imported “%(statement)s” with %(demands)d demands and "
                       "%(signatories)d signatories.", actor=e.actor, statement=e.statement,
                       demands=found[0], signatories=found[1])


def _add_paper(e: Entry) -> str | None:
    found = re.search(r"(\d+) signatures, source (\S+)", e.entry.detail or "")
    return found and _("%(actor)s added %(signatures)s collected on paper to “%(statement)s” "
                       "(source “%(source)s”).", actor=e.actor,
                       signatures=_signatures(int(found.group(1))), statement=e.statement,
                       source=found.group(2))


def _signatures(number: int) -> str:
    return ngettext("%(num)d signature", "%(num)d signatures", number)


def _registrations(number: int) -> str:
    return ngettext("%(num)d registration", "%(num)d registrations", number)


def _emails(number: int) -> str:
    return ngettext("%(num)d email", "%(num)d emails", number)


def _person(sentence) -> Describe:
    """A sentence (marked with _l) about what was held on one person: %(held)s lists it."""
    def describe(e: Entry) -> str | None:
        found = e.numbers(r"(\d+) signatures, (\d+) registrations, (\d+) messages")
        if not found:
            return None
        held = format_list([_signatures(found[0]), _registrations(found[1]), _emails(found[2])],
                           locale=get_locale())
        return str(sentence) % {"actor": e.actor, "held": held}
    return describe


def _update(sentence) -> Describe:
    """A sentence about an update: %(audience)s says whom it is for."""
    def describe(e: Entry) -> str:
        if e.statement:
            audience = _("the subscribed signatories of “%(title)s”", title=e.statement)
        elif e.event:
            audience = _("the registrants of “%(title)s”", title=e.event)
        else:
            audience = _("the campaign's subscribed supporters")
        return str(sentence) % {"actor": e.actor, "reference": e.key, "audience": audience}
    return describe


def _anonymise(e: Entry) -> str | None:
    found = e.numbers(
        r"(\d+) signatures and (\d+) registrations anonymised \(closed more than (\d+) days "
        r"ago\), (\d+) IP hashes dropped, (\d+) old messages")
    if not found:
        return None
    signatures, registrations, days, hashes, messages = found
    return _("%(actor)s applied the retention period: anonymised %(signatures)s and "
             "%(registrations)s of statements and events closed more than %(days)d days ago, "
             "dropped %(hashes)s and deleted %(messages)s.",
             actor=e.actor, signatures=_signatures(signatures),
             registrations=_registrations(registrations), days=days,
             hashes=ngettext("%(num)d network address hash", "%(num)d network address hashes",
                             hashes),
             messages=ngettext("%(num)d old email", "%(num)d old emails", messages))


def _retention_or_request(on_request, retention) -> Describe:
    def describe(e: Entry) -> str:
        sentence = retention if e.entry.detail.startswith("retention") else on_request
        return str(sentence) % {"actor": e.actor, "reference": e.key}
    return describe


def _registration_or_gift(for_registration, for_gift) -> Describe:
    """A payment's sentence: about a registration's ticket at an event, or a gift (payment no.)."""
    def describe(e: Entry) -> str:
        sentence = for_registration if e.event else for_gift
        return str(sentence) % {"actor": e.actor, "event": e.event, "reference": e.key,
                                "detail": e.rest}
    return describe


_ROLES = {"viewer": _l("a viewer"), "editor": _l("an editor"), "owner": _l("an owner")}


def _role(e: Entry) -> str:
    return str(_ROLES.get(e.entry.detail, e.entry.detail))


ACTIONS: dict[str, Action] = {
    "abuse.hide_batch": Action(_l("Hiding a flagged batch"), _hide_batch),
    "abuse.undo_batch": Action(_l("Putting a hidden batch back"), _undo_batch),
    "abuse.approve_held": Action(_l("Approving held signatures"), _approve_held),
    "abuse.hide_held": Action(_l("Hiding held signatures"), _hide_held),
    "keys.rotate": Action(_l("Rotating the data key"), _about(_l(
        "%(actor)s moved every encrypted value under the current data key (%(detail)s)."))),
    "site.settings": Action(_l("Changing the site settings"), _about(_l(
        "%(actor)s changed the site settings: %(detail)s."))),
    "signatures.export": Action(_l("Exporting signatories"), _export_signatures),
    "stats.link_create": Action(_l("Making a tracked link"), _about(_l(
        "%(actor)s made the tracked link “%(detail)s” for “%(target)s”."),
        target=lambda e: e.statement or e.event)),
    "stats.link_delete": Action(_l("Deleting a tracked link"), _about(_l(
        "%(actor)s deleted the tracked link “%(detail)s” of “%(target)s”."),
        target=lambda e: e.statement or e.event)),
    "stats.settings": Action(_l("Changing statistics and milestones"), _about(_l(
        "%(actor)s changed the statistics and milestones of “%(statement)s”: %(detail)s."))),
    "registrations.export": Action(_l("Exporting registrants"), _about(_l(
        "%(actor)s exported the registrants of “%(event)s”."))),
    "mail.retry": Action(_l("Sending a failed email again"), _about(_l(
        "%(actor)s had the failed email no. %(reference)s sent again."))),
    "registration.cancel": Action(_l("Cancelling a registration"), _about(_l(
        "%(actor)s cancelled registration %(reference)s for “%(event)s”; the registrant "
        "was emailed."))),
    "registration.cancel_self": Action(_l("A registrant cancelling"), _about(_l(
        "A registrant cancelled their registration %(reference)s for “%(event)s”."))),
    "registration.erase": Action(_l("Erasing a registrant's data"), _retention_or_request(
        _l("%(actor)s erased the personal data of registration %(reference)s, on request."),
        _l("%(actor)s erased the personal data of registration %(reference)s: the retention "
           "period had passed."))),
    "registration.confirm": Action(_l("Giving a place from the waiting list"), _about(_l(
        "%(actor)s gave registration %(reference)s a place at “%(event)s”."))),
    "registration.waitlist": Action(_l("Moving a registrant to the waiting list"), _about(_l(
        "%(actor)s moved registration %(reference)s to the waiting list of “%(event)s”."))),
    "registration.check_in": Action(_l("Checking someone in"), _about(_l(
        "%(actor)s checked in registration %(reference)s."))),
    "registration.check_in_undo": Action(_l("Undoing a check-in"), _about(_l(
        "%(actor)s undid the check-in of registration %(reference)s."))),
    "registration.paid": Action(_l("Marking a registration paid"), _about(_l(
        "%(actor)s marked registration %(reference)s for “%(event)s” as paid."))),
    "registration.unpaid": Action(_l("Marking a registration not paid"), _about(_l(
        "%(actor)s marked registration %(reference)s for “%(event)s” as not paid."))),
    "registration.paid_online": Action(_l("A payment online confirming a place"), _about(_l(
        "Stripe confirmed the payment for registration %(reference)s at “%(event)s”; the ticket "
        "was emailed."))),
    "registration.hold_expired": Action(_l("Releasing a place not paid for"), _about(_l(
        "The place held for registration %(reference)s at “%(event)s” was released: it was not "
        "paid for in time."))),
    "payment.received": Action(_l("Receiving a payment online"), _registration_or_gift(
        _l("Stripe confirmed a payment of %(detail)s for registration %(reference)s at "
           "“%(event)s”."),
        _l("Stripe confirmed gift no. %(reference)s: %(detail)s."))),
    "payment.refunded": Action(_l("Refunding a payment"), _registration_or_gift(
        _l("%(detail)s paid for registration %(reference)s at “%(event)s” was refunded through "
           "Stripe."),
        _l("Gift no. %(reference)s (%(detail)s) was refunded through Stripe."))),
    "payment.refund_failed": Action(_l("A refund failing"), _registration_or_gift(
        _l("Stripe could not refund the %(detail)s paid for registration %(reference)s at "
           "“%(event)s”; it waits for a retry on the payments page."),
        _l("Stripe could not refund gift no. %(reference)s (%(detail)s); it waits for a retry."))),
    "payments.export": Action(_l("Exporting payments"), _registration_or_gift(
        _l("%(actor)s exported the payments of “%(event)s”."),
        _l("%(actor)s exported the payments to appeal no. %(reference)s."))),
    "appeal.giving_save": Action(_l("Changing an appeal's giving page"), _about(_l(
        "%(actor)s saved the giving page of appeal no. %(reference)s: %(detail)s."))),
    "event.translate": Action(_l("Translating an event"), _about(_l(
        "%(actor)s saved the translation (%(detail)s) of “%(event)s”."))),
    "event.create": Action(_l("Creating an event"), _about(_l(
        "%(actor)s created the event “%(event)s”."))),
    "event.update": Action(_l("Changing an event"), _about(_l(
        "%(actor)s changed the details of “%(event)s”."))),
    "event.published": Action(_l("Publishing an event"), _about(_l(
        "%(actor)s published “%(event)s”."))),
    "event.draft": Action(_l("Taking an event back to draft"), _about(_l(
        "%(actor)s took “%(event)s” back to draft."))),
    "event.cancelled": Action(_l("Cancelling an event"), _about(_l(
        "%(actor)s cancelled “%(event)s” and emailed everyone registered."))),
    "event.speaker_add": Action(_l("Adding a speaker"), _about(_l(
        "%(actor)s added %(detail)s as a speaker at “%(event)s”."))),
    "event.speaker_update": Action(_l("Changing a speaker"), _about(_l(
        "%(actor)s changed the details of the speaker %(detail)s at “%(event)s”."))),
    "event.speaker_delete": Action(_l("Removing a speaker"), _about(_l(
        "%(actor)s removed the speaker %(detail)s from “%(event)s”."))),
    "event.speaker_move": Action(_l("Reordering the speakers"), _about(_l(
        "%(actor)s moved the speaker %(detail)s in the order of “%(event)s”."))),
    "event.ticket_add": Action(_l("Adding a ticket"), _about(_l(
        "%(actor)s added the ticket “%(detail)s” to “%(event)s”."))),
    "event.ticket_update": Action(_l("Changing a ticket"), _about(_l(
        "%(actor)s changed the ticket “%(detail)s” of “%(event)s”."))),
    "event.ticket_delete": Action(_l("Deleting a ticket"), _about(_l(
        "%(actor)s deleted the ticket “%(detail)s” of “%(event)s”."))),
    "event.appeal_save": Action(_l("Saving an appeal"), _about(_l(
        "%(actor)s saved the appeal “%(detail)s” shown with “%(event)s”."))),
    "event.appeal_detach": Action(_l("Detaching an appeal"), _about(_l(
        "%(actor)s stopped showing the appeal with “%(event)s”."))),
    "organizer.create": Action(_l("Adding an organizer"), _about(_l(
        "%(actor)s added %(organizer)s as %(role)s."), role=_role)),
    "organizer.end_sessions": Action(_l("Ending an organizer's sessions"), _about(_l(
        "%(actor)s ended all sessions of %(organizer)s."))),
    "organizer.password": Action(_l("Setting an organizer's password"), _about(_l(
        "%(actor)s set a new password for %(organizer)s."))),
    "organizer.role": Action(_l("Changing an organizer's role"), _about(_l(
        "%(actor)s made %(organizer)s %(role)s."), role=_role)),
    "organizer.deactivate": Action(_l("Deactivating an organizer"), _about(_l(
        "%(actor)s deactivated %(organizer)s: they can no longer log in."))),
    "signature.erase": Action(_l("Erasing a signature's data"), _erase_signature),
    "signature.anonymise": Action(_l("Anonymising a signature"), _about(_l(
        "%(actor)s anonymised a signature: the retention period had passed."))),
    "signature.hide": Action(_l("Hiding a signature"), _about(_l(
        "%(actor)s hid a signature on “%(statement)s”."))),
    "signature.show": Action(_l("Showing a hidden signature"), _about(_l(
        "%(actor)s showed a hidden signature on “%(statement)s” again."))),
    "signature.edit": Action(_l("Correcting a signatory"), _correct_signature),
    "signature.delete": Action(_l("Deleting a signature"), _about(_l(
        "%(actor)s deleted a signature on “%(statement)s”."))),
    "signature.feature": Action(_l("Curating a signatory"), _about(_l(
        "%(actor)s added a signatory of “%(statement)s” to the curated list."))),
    "signature.unfeature": Action(_l("Uncurating a signatory"), _about(_l(
        "%(actor)s took a signatory of “%(statement)s” off the curated list."))),
    "signature.move": Action(_l("Reordering the curated signatories"), _move_signature),
    "signatures.add_paper": Action(_l("Adding paper signatures"), _add_paper),
    "endorsement.submit": Action(_l("An organisation endorsing"), _about(_l(
        "%(detail)s endorsed “%(statement)s” on the public form, waiting for approval."))),
    "endorsement.add": Action(_l("Entering an endorsement"), _about(_l(
        "%(actor)s entered the endorsement of “%(statement)s” by %(detail)s."))),
    "endorsement.approve": Action(_l("Approving an endorsement"), _about(_l(
        "%(actor)s approved the endorsement of “%(statement)s” by %(detail)s."))),
    "endorsement.remove": Action(_l("Removing an endorsement"), _about(_l(
        "%(actor)s removed the endorsement of “%(statement)s” by %(detail)s."))),
    "endorsement.erase_contact": Action(_l("Erasing an endorsement's contact"), _about(_l(
        "%(actor)s erased the contact address of endorsement no. %(reference)s (%(detail)s)."))),
    "endorsements.export": Action(_l("Exporting endorsements"), _about(_l(
        "%(actor)s exported the endorsing organisations of “%(statement)s”."))),
    "statement.import": Action(_l("Importing a statement"), _import_statement),
    "statement.create": Action(_l("Creating a statement"), _about(_l(
        "%(actor)s created the statement “%(statement)s”."))),
    "statement.edit": Action(_l("Changing a statement"), _edit_statement),
    "statement.publish": Action(_l("Publishing a statement"), _about(_l(
        "%(actor)s published “%(statement)s”."))),
    "statement.close": Action(_l("Closing signing"), _about(_l(
        "%(actor)s closed signing on “%(statement)s”."))),
    "statement.translate": Action(_l("Translating a statement"), _about(_l(
        "%(actor)s added the translation (%(detail)s) of “%(statement)s”."))),
    "statement.translation_revise": Action(_l("Revising a translation"), _about(_l(
        "%(actor)s replaced the text of the translation (%(detail)s) of “%(statement)s”."))),
    "statement.translation_delete": Action(_l("Deleting a translation"), _about(_l(
        "%(actor)s deleted the translation (%(detail)s) of “%(statement)s”."))),
    "statement.reopen": Action(_l("Reopening signing"), _about(_l(
        "%(actor)s reopened signing on “%(statement)s”."))),
    "post.create": Action(_l("Writing a news post"), _about(_l(
        "%(actor)s wrote the news post “%(detail)s”."))),
    "post.import": Action(_l("Importing a news post"), _about(_l(
        "%(actor)s imported the news post “%(detail)s”."))),
    "post.update": Action(_l("Changing a news post"), _about(_l(
        "%(actor)s changed the news post “%(detail)s”."))),
    "post.publish": Action(_l("Publishing a news post"), _about(_l(
        "%(actor)s published the news post “%(detail)s”."))),
    "post.unpublish": Action(_l("Taking a news post back to draft"), _about(_l(
        "%(actor)s took the news post “%(detail)s” back to draft."))),
    "post.delete": Action(_l("Deleting a news post"), _about(_l(
        "%(actor)s deleted the news post “%(detail)s”."))),
    "privacy.export": Action(_l("Exporting a person's data"), _person(_l(
        "%(actor)s downloaded everything held on one person: %(held)s."))),
    "privacy.erase": Action(_l("Erasing a person's data"), _person(_l(
        "%(actor)s erased everything held on one person: %(held)s."))),
    "privacy.anonymise": Action(_l("Applying the retention period"), _anonymise),
    "api_key.create": Action(_l("Creating an API key"), _about(_l(
        "%(actor)s created the API key no. %(reference)s (%(detail)s)."))),
    "api_key.revoke": Action(_l("Revoking an API key"), _about(_l(
        "%(actor)s revoked the API key no. %(reference)s, “%(detail)s”."))),
    "webhook.add": Action(_l("Adding a webhook"), _about(_l(
        "%(actor)s added the webhook no. %(reference)s to %(detail)s."))),
    "webhook.remove": Action(_l("Removing a webhook"), _about(_l(
        "%(actor)s removed the webhook no. %(reference)s to %(detail)s."))),
    "webhook.enable": Action(_l("Switching a webhook back on"), _about(_l(
        "%(actor)s switched the webhook no. %(reference)s to %(detail)s back on."))),
    "webhook.disable": Action(_l("A failing webhook switched off"), _about(_l(
        "The webhook no. %(reference)s was switched off: %(detail)s."))),
    "webhook.resend": Action(_l("Sending a webhook delivery again"), _about(_l(
        "%(actor)s had the webhook delivery no. %(reference)s sent again."))),
    "supporter.unsubscribe": Action(_l("A supporter unsubscribing"), _about(_l(
        "A supporter (no. %(reference)s) unsubscribed from updates."))),
    "supporter.erase": Action(_l("Erasing a supporter record"), _about(_l(
        "%(actor)s erased supporter record no. %(reference)s, on request."))),
    "update.send": Action(_l("Sending an update"), _update(_l(
        "%(actor)s sent (or scheduled) update no. %(reference)s to %(audience)s."))),
    "update.test": Action(_l("Testing an update"), _update(_l(
        "%(actor)s sent themselves a test of update no. %(reference)s to %(audience)s."))),
    "update.stop": Action(_l("Stopping an update"), _update(_l(
        "%(actor)s stopped update no. %(reference)s to %(audience)s while it was being sent."))),
}


def _actor(entry: AuditEntry, names: dict) -> str:
    """The organizer's name while the account exists; else who the log recorded."""
    if entry.organizer_id in names["organizer-id"]:
        return names["organizer-id"][entry.organizer_id]
    if entry.actor.startswith("cli:"):
        return _("Someone at the command line (%(user)s)", user=entry.actor[4:])
    return {
        "cli": _("Someone at the command line"),
        "signatory": _("A signatory"),
        "registrant": _("A registrant"),
        "supporter": _("A supporter"),
    }.get(entry.actor, entry.actor)


def _wanted(entries: list[AuditEntry]) -> dict[str, set]:
    wanted = defaultdict(set)
    for entry in entries:
        if entry.organizer_id is not None:
            wanted["organizer-id"].add(entry.organizer_id)
        for text in (entry.target, entry.detail):
            found = _DETAIL_TARGET.match(text or "") or _REFERENCE.match(text or "")
            if found and found.group(1) in ("organizer", "statement", "event"):
                wanted[found.group(1)].add(found.group(2))
    return wanted


def _names(entries: list[AuditEntry]) -> dict[str, dict]:
    names = {kind: {} for kind in ("organizer-id", "organizer", "statement", "event")}
    for kind, keys in _wanted(entries).items():
        for _receiver, found in names_wanted.send(kind, keys=frozenset(keys)):
            names[kind].update(found)
    return names


def sentence(entry: AuditEntry, names: dict) -> str:
    e = Entry(entry, _actor(entry, names), names)
    action = ACTIONS.get(entry.action)
    said = action.describe(e) if action else None
    if said:
        return said
    # An action recorded in a shape this table does not read (an older release's).
    return _("%(actor)s: %(action)s %(target)s %(detail)s", actor=e.actor, action=entry.action,
             target=entry.target, detail=entry.detail).strip()


@dataclass(frozen=True)
class Described:
    entry: AuditEntry
    sentence: str


def describe(entries: list[AuditEntry]) -> list[Described]:
    """Each entry with its sentence, the names in them looked up once for all."""
    names = _names(entries)
    return [Described(entry, sentence(entry, names)) for entry in entries]


def action_label(action: str) -> str:
    """What the filter of the log calls an action; one it does not know, as recorded."""
    known = ACTIONS.get(action)
    return str(known.label) if known else action
