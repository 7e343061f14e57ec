"""The OSDI 1.x shapes (HAL+JSON, the specification's field names) of what the API serves and
the webhooks send: people, petitions, signatures, events, attendances, and paged collections.

OSDI: https://opensupporter.github.io/osdi-docs/ . Fields this app has and OSDI has not
(a signature's status, an attendance's ticket) are added beside them, as OSDI allows.
"""
from datetime import datetime

from campaign.api.records import Page, Person
from campaign.common.site_name import campaign_name
from campaign.common.urls import absolute_url
from campaign.events.models import Event, Registration, RegistrationStatus
from campaign.events.service import figures
from campaign.signatures import counts
from campaign.signatures.models import Signature
from campaign.statements.models import Statement

#: The system part of every identifier ("campaign:signature-12").
SYSTEM = "campaign"
CURIES = [{"name": "osdi", "href": "https://opensupporter.github.io/osdi-docs/{rel}",
           "templated": True}]
#: OSDI's attendance status for each registration status; everyone registered for a cancelled
#: event is "declined" (the registration keeps its own status for the event's return).
ATTENDANCE_STATUS = {
    RegistrationStatus.confirmed: "accepted",
    RegistrationStatus.waitlisted: "tentative",
    RegistrationStatus.cancelled: "declined",
    #: A place held while they pay online: not taken until they have paid.
    RegistrationStatus.awaiting_payment: "tentative",
}


def date(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _link(endpoint: str, **values) -> dict:
    return {"href": absolute_url(endpoint, **values)}


def identifier(kind: str, key) -> str:
    return f"{SYSTEM}:{kind}-{key}"


def entry_point() -> dict:
    return {
        "motd": campaign_name(),
        "vendor_name": "Campaign",
        "product_name": "Campaign statements and events",
        "osdi_version": "1.0",
        "max_pagesize": 100,
        "namespace": SYSTEM,
        "_links": {
            "self": _link("api.v1.entry_point"),
            "curies": CURIES,
            "osdi:people": _link("api.v1.people"),
            "osdi:petitions": _link("api.v1.petitions"),
            "osdi:signatures": _link("api.v1.signatures"),
            "osdi:events": _link("api.v1.events"),
            "osdi:attendances": _link("api.v1.attendances"),
            "docs": _link("api.v1.openapi"),
        },
    }


def collection(name: str, items: list[dict], page: Page, endpoint: str,
               filter_text: str | None = None, **route_values) -> dict:
    """A page of `items` under `_embedded["osdi:<name>"]`, with links to the pages beside it."""
    query = page.query
    kept = {"filter": filter_text} if filter_text else {}

    def at(number: int) -> dict:
        return _link(endpoint, **route_values, page=number, per_page=query.per_page, **kept)

    links = {"self": at(query.page), "curies": CURIES,
             f"osdi:{name}": [item["_links"]["self"] for item in items]}
    if query.page < page.pages:
        links["next"] = at(query.page + 1)
    if query.page > 1:
        links["prev"] = at(min(query.page - 1, max(page.pages, 1)))
    return {
        "total_pages": page.pages,
        "per_page": query.per_page,
        "page": query.page,
        "total_records": page.total,
        "_links": links,
        "_embedded": {f"osdi:{name}": items},
    }


def person(record: Person) -> dict:
    """OSDI's person; the address's `status` says whether it gets the campaign's email updates
    ("unsubscribed" for one that never asked for them: a partner must not mail it)."""
    status = "subscribed" if record.subscribed else "unsubscribed"
    given, _space, family = record.name.rpartition(" ")
    return {
        "identifiers": [identifier("person", record.key)],
        "given_name": given or family,
        "family_name": family if given else "",
        "email_addresses": ([{"address": record.email, "primary": True, "status": status}]
                            if record.email else []),
        "postal_addresses": ([{"country": record.country, "primary": True}]
                             if record.country else []),
        "custom_fields": {"full_name": record.name, "affiliation": record.affiliation},
        "created_date": date(record.created),
        "modified_date": date(record.modified),
        "_links": {"self": _link("api.v1.person", key=record.key)},
    }


def _action(kind: str, record: Statement | Event, children: str, helper: str,
            **fields) -> dict:
    """What people act on (a petition, an event): its `fields` in OSDI's common frame, linked
    to the records made under it (`children`) and to OSDI's record helper for them."""
    route = {f"{kind}_id": record.id}
    return {
        "identifiers": [identifier(kind, record.id)],
        "origin_system": SYSTEM,
        **fields,
        "created_date": date(record.created_at),
        "modified_date": date(record.updated_at),
        "_links": {
            "self": _link(f"api.v1.{kind}", **route),
            f"osdi:{children}": _link(f"api.v1.{kind}_{children}", **route),
            f"osdi:{helper}": _link(f"api.v1.{kind}_{children}", **route),
        },
    }


def _act(kind: str, record: Signature | Registration, parent: str, parent_id: int,
         **fields) -> dict:
    """One person's act on it (a signature, an attendance): its `fields` in OSDI's common
    frame, with where the person came from, linked to what was acted on and to the person."""
    links = {
        "self": _link(f"api.v1.{kind}", **{f"{kind}_id": record.id}),
        f"osdi:{parent}": _link(f"api.v1.{parent}", **{f"{parent}_id": parent_id}),
    }
    if record.email_index:
        links["osdi:person"] = _link("api.v1.person", key=record.email_index)
    return {
        "identifiers": [identifier(kind, record.id)],
        "origin_system": SYSTEM,
        **fields,
        "referrer_data": {"source": record.source, "website": record.referrer_domain},
        "created_date": date(record.created_at),
        "modified_date": date(record.updated_at),
        "_links": links,
    }


def petition(statement: Statement) -> dict:
    demands = "\n".join(
        f"{demand.position}. {demand.heading + ': ' if demand.heading else ''}{demand.body}"
        for demand in statement.demands
    )
    return _action(
        "petition", statement, "signatures", "record_signature_helper",
        name=statement.slug,
        title=statement.title,
        description=statement.preamble,
        petition_text=demands,
        status=statement.status.value,
        total_signatures=counts.totals(statement.id).counted,
        browser_url=absolute_url("signatures.statement_page", slug=statement.slug),
    )


def signature(record: Signature) -> dict:
    return _act("signature", record, "petition", record.statement_id,
                status=record.status.value, comments=record.comment)


def event(record: Event) -> dict:
    return _action(
        "event", record, "attendances", "record_attendance_helper",
        name=record.slug,
        title=record.title,
        description=record.description,
        status="cancelled" if record.is_cancelled else "confirmed",
        start_date=date(record.starts_at),
        end_date=date(record.ends_at),
        location={"venue": record.venue,
                  "address_lines": [record.address] if record.address else []},
        capacity=record.capacity,
        total_accepted=figures(record).confirmed,
        browser_url=absolute_url("events.event_page", slug=record.slug),
    )


def attendance(record: Registration) -> dict:
    return _act(
        "attendance", record, "event", record.event_id,
        status="declined" if record.event.is_cancelled else ATTENDANCE_STATUS[record.status],
        ticket={"title": record.ticket_type.name, "amount_minor": record.amount_minor,
                "currency": record.currency},
        reference=record.reference,
    )
