"""What the statistics add to the public statement page: "Where signatories are from"."""
from campaign.signatures.page_sections import statement_page
from campaign.stats.service import shows_publicly, where_from


@statement_page.connect
def _where_signatories_are_from(statement) -> dict:
    return {"where_from": where_from(statement) if shows_publicly(statement) else []}
