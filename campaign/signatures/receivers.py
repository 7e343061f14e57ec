"""What signatures do on other floors' signals."""
from campaign.mail.sender import delivery_round
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.service import send_requested_links


@delivery_round.connect
def _tell_new_signatories(_app) -> int:
    return tell_new_signatories()


@delivery_round.connect
def _send_requested_links(_app) -> None:
    send_requested_links()
