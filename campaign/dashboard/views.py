"""The organizer dashboard: one blueprint, its pages grouped by domain in sibling modules.

Views only: every rule lives in the domains' services.
"""
from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from campaign.dashboard import statements_pages  # noqa: E402,F401
