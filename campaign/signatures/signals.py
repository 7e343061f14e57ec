"""What the signatures domain tells the floors above, inside the transaction of the change."""
from blinker import Namespace

#: Sent with the Signature after its status changed (`before`: the old status, None for a
#: new row), before the change is committed: a receiver's writes commit or roll back with it.
status_changed = Namespace().signal("signature-status-changed")
#: Sent with the statement and `email`, `name`, `wants_updates` when a signatory is told
#: about their signature: by the mail sender for a new one (`emails.tell_new_signatories`),
#: in the request for a repeat. Supporters keep their record of the person.
signed = Namespace().signal("signed")
