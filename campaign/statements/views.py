"""Public pages of the statements domain: a statement's earlier texts, and what changed.

The statement page itself (/s/<slug>, with its signing form) lives in signatures.views,
the home page in home.views.
"""
from flask import Blueprint, render_template

from campaign.statements.changes import revision_history
from campaign.statements.service import public_statement

bp = Blueprint("statements", __name__)


@bp.get("/s/<slug>/revisions")
def revisions(slug: str):
    statement = public_statement(slug)
    return render_template("statements/revisions.html", statement=statement,
                           versions=revision_history(statement))
