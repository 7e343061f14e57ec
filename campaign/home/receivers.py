"""What home tells lower floors: the name set on the settings page."""
from campaign.common.site_name import name_wanted
from campaign.home.service import site_settings


@name_wanted.connect
def _set_name(_app) -> str:
    return site_settings().name
