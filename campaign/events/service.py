"""The rules for events in one place: the public pages, the dashboard, the CLI, the demo and
other domains import them from here. Each group lives in its own module of `campaign.events`:

- errors: what the rules raise;
- times: time zones, and times as people read them;
- details: events, their status and the lookups that list them, and speakers;
- tickets: tickets, the appeal and what was pledged to it;
- places: the places left and where someone waits (and the per-event lock that guards places);
- waitlist: an organizer's moves on and off the waiting list;
- registration: registering, cancelling and erasing a registrant;
- emails: the registrant's emails and the signed links in them;
- checkin: the organizer's list, check-in, the door list and payments taken by hand.
"""
from campaign.events.checkin import (
    check_in, door_list, find_for_checkin, is_paid_by_hand, is_settled, registrations_page,
    set_paid, undo_check_in,
)
from campaign.events.details import (
    EventDetails, add_speaker, all_events, campaigns, create_event, delete_speaker, details_of,
    event_by_id, event_by_slug, event_part, move_speaker, published_event, set_status, statements,
    titles_by_slug, update_event, update_speaker, upcoming_events, upcoming_launch_event,
)
from campaign.events.emails import (
    email_registrant, registration_from_token, registration_links, registration_token,
)
from campaign.events.errors import EventError, EventNotFound, NoPlaceLeft, RegistrationClosed
from campaign.events.places import figures, tickets_full, waitlist_place
from campaign.events.registration import (
    ERASED_NAME, RegistrationState, cancel_registration, confirm_payment, erase_registration,
    offered_methods, pays_online, register, registration_closed_message, registration_state,
    release_hold,
)
from campaign.events.tickets import (
    AppealDetails, TicketDetails, add_ticket, appeal_pledges, delete_ticket, detach_appeal,
    has_paid_tickets, is_pay_what_you_can, largest_appeal_target, largest_ticket_price,
    save_appeal, update_ticket,
)
from campaign.events.times import (
    format_event_span, format_event_time, local_to_utc, timezone_names, utc_to_local,
)
from campaign.events.waitlist import confirm_from_waitlist, move_to_waitlist

__all__ = [
    # errors.py
    "EventError", "EventNotFound", "NoPlaceLeft", "RegistrationClosed",
    # times.py
    "format_event_span", "format_event_time", "local_to_utc", "timezone_names", "utc_to_local",
    # details.py
    "EventDetails", "add_speaker", "all_events", "campaigns", "create_event", "delete_speaker",
    "details_of", "event_by_id", "event_by_slug", "event_part", "move_speaker", "published_event",
    "set_status", "statements", "titles_by_slug", "update_event", "update_speaker",
    "upcoming_events", "upcoming_launch_event",
    # tickets.py
    "AppealDetails", "TicketDetails", "add_ticket", "appeal_pledges", "delete_ticket",
    "detach_appeal", "has_paid_tickets", "is_pay_what_you_can", "largest_appeal_target",
    "largest_ticket_price", "save_appeal", "update_ticket",
    # places.py
    "figures", "tickets_full", "waitlist_place",
    # waitlist.py
    "confirm_from_waitlist", "move_to_waitlist",
    # registration.py
    "ERASED_NAME", "RegistrationState", "cancel_registration", "confirm_payment",
    "erase_registration", "offered_methods", "pays_online", "register", "registration_closed_message",
    "registration_state", "release_hold",
    # emails.py
    "email_registrant", "registration_from_token", "registration_links", "registration_token",
    # checkin.py
    "check_in", "door_list", "find_for_checkin", "is_paid_by_hand", "is_settled",
    "registrations_page", "set_paid", "undo_check_in",
]
