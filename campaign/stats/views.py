"""`/s/<slug>/stats.json`: a statement's public figures, where its organizers switched them on."""
from flask import Blueprint, abort, jsonify

from campaign.statements.service import public_statement
from campaign.stats import service
from campaign.web import public_cache

bp = Blueprint("stats", __name__)


@bp.get("/s/<slug>/stats.json")
@public_cache
def statement_stats(slug: str):
    """Signatures counted in total, by country and by day; no one's details. 404 while off."""
    statement = public_statement(slug)
    if not service.shows_publicly(statement):
        abort(404)
    return jsonify(service.public_figures(statement))
