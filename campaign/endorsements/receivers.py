"""What endorsements add to the statement page: the approved organisations and their count."""
from campaign.endorsements.forms import KIND_LABELS
from campaign.endorsements.service import SHOWN_ON_PAGE, approved_count, approved_endorsements
from campaign.signatures.page_sections import statement_page


@statement_page.connect
def _endorsing_organisations(statement) -> dict:
    return {
        "endorsements": approved_endorsements(statement.id, limit=SHOWN_ON_PAGE),
        "endorsement_count": approved_count(statement.id),
        "endorsement_kinds": KIND_LABELS,
    }
