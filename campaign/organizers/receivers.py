"""What organizers tell other floors: their names, for the audit log's sentences."""
from campaign.audit.describe import names_wanted
from campaign.organizers.service import names_by_email, names_by_id


@names_wanted.connect_via("organizer-id")
def _names_of_actors(_kind, keys: frozenset) -> dict[int, str]:
    return names_by_id(keys)


@names_wanted.connect_via("organizer")
def _names_of_organizers(_kind, keys: frozenset) -> dict[str, str]:
    return names_by_email(keys)
