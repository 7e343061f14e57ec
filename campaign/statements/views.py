"""Public pages of the statements domain: a statement's earlier texts.

The statement page itself (/s/<slug>, with its signing form) lives in signatures.views,
the home page in home.views.
"""
from flask import Blueprint, render_template

from campaign.statements.service import public_statement

bp = Blueprint("statements", __name__)


@bp.get("/s/<slug>/revisions")
def revisions(slug: str):
    statement = public_statement(slug)
    return render_template("statements/revisions.html", statement=statement,
                           revisions=list(reversed(statement.revisions)))
