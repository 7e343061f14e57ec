"""Public pages of the statements domain: the home page and a statement's earlier texts.

The statement page itself (/s/<slug>, with its signing form) lives in signatures.views.
"""
from flask import Blueprint, render_template

from campaign.common.page_copies import shared_page
from campaign.events.service import upcoming_events
from campaign.extensions import db
from campaign.signatures import counts
from campaign.statements.service import public_statement, public_statements
from campaign.web import page_number, public_cache

bp = Blueprint("statements", __name__)

STATEMENTS_PER_PAGE = 20


@bp.get("/")
@public_cache
@shared_page
def index():
    page = db.paginate(public_statements(), page=page_number(),
                       per_page=STATEMENTS_PER_PAGE, error_out=False)
    totals = counts.totals_for([statement.id for statement in page.items])
    return render_template("statements/index.html", page=page, totals=totals,
                           upcoming_events=upcoming_events())


@bp.get("/s/<slug>/revisions")
def revisions(slug: str):
    statement = public_statement(slug)
    return render_template("statements/revisions.html", statement=statement,
                           revisions=list(reversed(statement.revisions)))
