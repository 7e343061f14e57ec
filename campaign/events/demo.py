"""The demo's launch meeting, modelled on the seed post: a meeting in Parliament hosted by an MP,
two speakers, registration only, free with a supporter ticket for a humanitarian appeal.

Facts kept from the seed (host, speakers and what they do, the date, the appeal and the centre
it supports); the wording is the project's own. The year is the next 24 March still to come,
so the demo always has an upcoming event; times, places and prices are the demo's own choices.
"""
from datetime import date, datetime

from flask import current_app

from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.events import service
from campaign.events.models import EventStatus
from campaign.events.translations import save_event_translation

EVENT_SLUG = "free-and-united-ukraine-launch"
TIMEZONE = "Europe/London"

DESCRIPTION = """\
Ian Lavery MP hosts this meeting in Parliament on behalf of the Ukraine Solidarity Campaign.
Two left-wing political leaders of Ukrainian heritage, one from the United States and one from
the United Kingdom, speak in person.

At the meeting we launch the charter of demands for stronger UK and international solidarity
with Ukraine and with its workers' movement.

Admission is free. If you can, choose the supporter ticket: what you pledge goes to the
appeal below.
"""

SPEAKERS = (
    ("Tanya Vyhovsky", "State Senator, Vermont, USA",
     "A member of the Vermont Progressive Party, she works with Bernie Sanders, "
     "who lives in her district."),
    ("Mick Antoniw", "Member of the Senedd for Pontypridd",
     "Counsel General for Wales from 2021 to 2024, and a member of the Ukraine Solidarity "
     "Campaign's steering committee."),
)

APPEAL = service.AppealDetails(
    name="“Step To Victory” Humanitarian Headquarters appeal",
    description=(
        "The campaign's new appeal supports the “Step To Victory” Humanitarian Headquarters, "
        "a social centre in Pershotravensk / Shakhtarske, in the Dnipropetrovsk region of Ukraine."
    ),
    currency="GBP",
)

TICKETS = (
    service.TicketDetails(name="Free ticket",
                          description="Free admission for everyone who registers."),
    service.TicketDetails(
        name="Supporter ticket", price_minor=1000, min_price_minor=500,
        description="Pay what you can, paid at the door: it all goes to the appeal.",
    ),
)

#: The meeting's words in Ukrainian, for the campaign's Ukrainian readers.
UKRAINIAN_TITLE = "Вільна і єдина Україна: презентація хартії в парламенті"
UKRAINIAN_VENUE = "Будівля парламенту"
UKRAINIAN_DESCRIPTION = """\
Депутат Ієн Лейвері від імені Кампанії солідарності з Україною проводить це зібрання в
парламенті. Виступають особисто двоє лівих політиків українського походження: одна зі
Сполучених Штатів, другий із Великої Британії.

На зібранні ми представляємо хартію вимог щодо сильнішої солідарності Великої Британії та
всього світу з Україною і з її робітничим рухом.

Вхід вільний. Якщо маєте змогу, виберіть квиток прихильника: ваш внесок піде на збір,
описаний нижче.
"""

#: The demo's own figure: the seed gives no room size.
CAPACITY = 80


def next_launch_day(today: date) -> date:
    """The next 24 March, the seed's date, from `today` on."""
    this_year = date(today.year, 3, 24)
    return this_year if this_year >= today else date(today.year + 1, 3, 24)


def load_launch_meeting(content) -> list[str]:
    """A `flask demo` loader: the published launch meeting of the demo statement."""
    existing = service.event_by_slug(EVENT_SLUG)
    if existing is not None:
        return [f"Launch meeting already there: {_page(existing)}"]
    day = next_launch_day(utcnow().date())
    event = service.create_event(service.EventDetails(
        campaign_id=content.campaign.id,
        statement_id=content.statement.id if content.statement else None,
        title="A free and united Ukraine: launch meeting in Parliament",
        slug=EVENT_SLUG,
        description=DESCRIPTION,
        host="Ian Lavery MP",
        timezone=TIMEZONE,
        starts_local=datetime(day.year, day.month, day.day, 18, 0),
        ends_local=datetime(day.year, day.month, day.day, 20, 0),
        venue="Houses of Parliament",
        address="Westminster, London SW1A 0AA",
        registration_required=True,
        capacity=CAPACITY,
    ))
    for name, role, bio in SPEAKERS:
        service.add_speaker(event, name, role, bio)
    for ticket in TICKETS:
        service.add_ticket(event, ticket)
    service.save_appeal(event, APPEAL)
    service.set_status(event, EventStatus.published)
    if "uk" in current_app.config["LANGUAGES"]:
        save_event_translation(event, "uk", UKRAINIAN_TITLE, UKRAINIAN_DESCRIPTION,
                               UKRAINIAN_VENUE)
    return [
        f"Launch meeting “{event.title}”, {day.isoformat()}, hosted by {event.host}: "
        f"{len(SPEAKERS)} speakers, {len(TICKETS)} tickets, and the {APPEAL.name}.",
        f"  {_page(event)}",
    ]


def _page(event) -> str:
    return absolute_url("events.event_page", slug=event.slug)
