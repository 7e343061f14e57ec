"""The demo's site identity, modelled on the seed campaign: its name, a tagline in the
project's own words and the blue of Ukraine's flag (dark enough for white text on it)."""
from campaign.home.service import Identity, has_saved_settings, save_settings

TAGLINE = ("Labour-movement solidarity with the people of Ukraine, their unions and their "
           "fight for a free, united country.")
ACCENT_COLOUR = "#0057b7"


def load_site_identity(content) -> list[str]:
    """A `flask demo` loader: the site's name, tagline and accent colour, unless an owner
    has already saved settings."""
    if has_saved_settings():
        return ["Site settings already saved: left as they are."]
    save_settings(Identity(name=content.campaign.name, tagline=TAGLINE,
                           accent_colour=ACCENT_COLOUR))
    return [f"Site identity: “{content.campaign.name}”, tagline and accent colour {ACCENT_COLOUR}."]
