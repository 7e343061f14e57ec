"""What the events domain tells the floors above, inside the transaction of the change."""
from blinker import Namespace

#: Sent with the Registration after its status changed (`before`: the old status, None for a
#: new registration), flushed but not committed: a receiver's writes commit or roll back with it.
registration_changed = Namespace().signal("registration-status-changed")

#: Sent with the Event an organizer cancelled and `registration_ids`: the registrations that
#: cancelling it ended (everyone not cancelled before), which keep their own status (publishing
#: the event again gives them back); in the transaction of the change, like the one above.
event_cancelled = Namespace().signal("event-cancelled")
