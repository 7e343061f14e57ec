"""Updates are handed to the outbox a batch at a time, at the start of each mail batch."""
from flask import current_app

from campaign.mail.sender import delivery_round
from campaign.updates.service import hand_over, start_due_updates


@delivery_round.connect
def _hand_over_a_batch(_app) -> int:
    start_due_updates()
    return hand_over(current_app.config["MAIL_BATCH_SIZE"])
