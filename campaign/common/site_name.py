"""The site's name as people read it, on pages, in emails and in the API: the name an owner
set on the settings page, else the CAMPAIGN_NAME setting.

The settings belong to `home`, a floor above, which answers `name_wanted`. What it answers
is kept per worker for PAGE_CACHE_SECONDS, so a signature's email reads nothing for it;
saving the settings drops this worker's copy (`forget`), the other workers' copies run out.
"""
import time

from blinker import Namespace
from flask import current_app

#: Sent with the app; a receiver returns the name set on the settings page ("" for none).
name_wanted = Namespace().signal("site-name-wanted")

_KEPT = "campaign.site_name"


def campaign_name(set_name: str | None = None) -> str:
    """`set_name` (when not given, the one set on the settings page), else CAMPAIGN_NAME."""
    if set_name is None:
        set_name = _set_name()
    return set_name or current_app.config["CAMPAIGN_NAME"]


def last_known() -> str:
    """The set name as this worker last read it, reading nothing ("" if never read)."""
    kept = current_app.extensions.get(_KEPT)
    return kept[1] if kept else ""


def forget() -> None:
    """Drop this worker's copy: the settings changed."""
    current_app.extensions.pop(_KEPT, None)


def _set_name() -> str:
    kept = current_app.extensions.get(_KEPT)
    if kept is None or time.monotonic() - kept[0] > current_app.config["PAGE_CACHE_SECONDS"]:
        app = current_app._get_current_object()
        answers = [name for _receiver, name in name_wanted.send(app) if name]
        kept = (time.monotonic(), answers[0] if answers else "")
        current_app.extensions[_KEPT] = kept
    return kept[1]
