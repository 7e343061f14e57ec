"""The organizer dashboard: one blueprint, its pages grouped by domain in sibling modules.

Views only: every rule lives in the domains' services.
"""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from campaign.dashboard import menu  # noqa: E402,F401
from campaign.dashboard import statements_pages  # noqa: E402,F401
from campaign.dashboard import organizers_pages  # noqa: E402,F401
from campaign.dashboard import mail_pages  # noqa: E402,F401
from campaign.dashboard import signatures_pages  # noqa: E402,F401
from campaign.dashboard import abuse_pages  # noqa: E402,F401
from campaign.dashboard import privacy_pages  # noqa: E402,F401
from campaign.dashboard import events_pages  # noqa: E402,F401
from campaign.dashboard import settings_pages  # noqa: E402,F401
from campaign.dashboard import api_pages  # noqa: E402,F401
from campaign.dashboard import webhooks_pages  # noqa: E402,F401
from campaign.dashboard import news_pages  # noqa: E402,F401
from campaign.dashboard import payments_pages  # noqa: E402,F401
from campaign.dashboard import paper_pages  # noqa: E402,F401
from campaign.dashboard import endorsements_pages  # noqa: E402,F401
from campaign.dashboard import updates_pages  # noqa: E402,F401
from campaign.dashboard import stats_pages  # noqa: E402,F401
from campaign.dashboard import translations_pages  # noqa: E402,F401
