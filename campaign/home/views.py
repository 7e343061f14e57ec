"""The home page: it brings together statements, their counts and upcoming events."""
from flask import Blueprint, render_template

from campaign.common.page_copies import shared_page
from campaign.events.service import upcoming_events
from campaign.extensions import db
from campaign.signatures import counts
from campaign.statements.service import public_statements
from campaign.web import page_number, public_cache

bp = Blueprint("home", __name__)

STATEMENTS_PER_PAGE = 20


@bp.get("/")
@public_cache
@shared_page
def index():
    page = db.paginate(public_statements(), page=page_number(),
                       per_page=STATEMENTS_PER_PAGE, error_out=False)
    totals = counts.totals_for([statement.id for statement in page.items])
    return render_template("home/index.html", page=page, totals=totals,
                           upcoming_events=upcoming_events())
