"""What the events domain tells the floors above, inside the transaction of the change."""
from blinker import Namespace

#: Sent with the Registration after its status changed (`before`: the old status, None for a
#: new registration), flushed but not committed: a receiver's writes commit or roll back with it.
registration_changed = Namespace().signal("registration-status-changed")
