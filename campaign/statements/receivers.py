"""What statements tell other floors: their titles, for the audit log's sentences."""
from campaign.audit.describe import names_wanted
from campaign.statements.service import titles_by_slug


@names_wanted.connect_via("statement")
def _statement_titles(_kind, keys: frozenset) -> dict[str, str]:
    return titles_by_slug(keys)
