from functools import wraps

from flask import Blueprint, current_app, jsonify

from campaign.api import v1
from campaign.api.service import endorsement, signatory, statement_detail, statement_summary
from campaign.endorsements.service import approved_endorsements
from campaign.extensions import csrf, db
from campaign.signatures import counts
from campaign.signatures.listing import public_listing
from campaign.statements.service import public_statement, public_statements
from campaign.web import page_number

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)
bp.register_blueprint(v1.bp)

MAX_PAGE_SIZE = 100


def public_json(view):
    """Readable from any partner site, and cacheable for a few seconds by proxies."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = jsonify(view(*args, **kwargs))
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cache-Control"] = "public, max-age=5, stale-while-revalidate=30"
        return response

    return wrapper


@bp.get("/statements")
@public_json
def statements():
    page = db.paginate(public_statements(), page=page_number(), per_page=MAX_PAGE_SIZE)
    totals = counts.totals_for([statement.id for statement in page.items])
    return {
        "statements": [
            statement_summary(statement, totals.get(statement.id, counts.Totals()))
            for statement in page.items
        ],
        "page": page.page,
        "pages": page.pages,
    }


@bp.get("/statements/<slug>")
@public_json
def statement(slug):
    return statement_detail(public_statement(slug))


@bp.get("/statements/<slug>/signatories")
@public_json
def signatories(slug):
    statement = public_statement(slug)
    listing = public_listing(statement, page_number(), current_app.config["SIGNATURES_PER_PAGE"])
    return {
        "signature_count": listing.totals.counted,
        "not_listed": listing.totals.unlisted,
        "curated": [signatory(s) for s in listing.curated],
        "signatories": [signatory(s) for s in listing.others],
        "page": listing.page,
        "pages": listing.pages,
    }


@bp.get("/statements/<slug>/endorsements")
@public_json
def endorsements(slug):
    """Every approved endorsing organisation, by name."""
    statement = public_statement(slug)
    listed = approved_endorsements(statement.id)
    return {"endorsement_count": len(listed), "endorsements": [endorsement(e) for e in listed]}
