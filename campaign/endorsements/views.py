"""The public endorsement form of a statement, its thank-you page, and approved logos."""
from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for

from campaign.common.forms import show_error
from campaign.common.limits import public_form_limits
from campaign.common.logo import LogoError
from campaign.endorsements import service
from campaign.endorsements.forms import EndorsementForm
from campaign.statements.service import is_open_for_signing, public_statement

bp = Blueprint("endorsements", __name__)

#: A logo's address changes with its content.
LONG_CACHE = "public, max-age=31536000, immutable"


@bp.route("/s/<slug>/endorse", methods=["GET", "POST"])
@public_form_limits("ENDORSE_RATE_LIMIT", kind="statement")
def endorse(slug: str):
    statement = public_statement(slug)
    form = EndorsementForm()
    if not is_open_for_signing(statement):
        return render_template("endorsements/endorse.html", statement=statement, form=form,
                               is_open=False), (409 if request.method == "POST" else 200)
    if form.validate_on_submit():
        if form.is_from_a_bot:
            return redirect(url_for(".thanks", slug=slug), 303)
        try:
            service.submit_endorsement(statement, form.details())
        except (service.EndorsementError, LogoError) as error:
            show_error(form, error)
        else:
            return redirect(url_for(".thanks", slug=slug), 303)
    html = render_template("endorsements/endorse.html", statement=statement, form=form,
                           is_open=True)
    return html, (400 if form.errors else 200)


@bp.get("/s/<slug>/endorse/thanks")
def thanks(slug: str):
    return render_template("endorsements/thanks.html", statement=public_statement(slug))


@bp.get("/endorsements/<int:endorsement_id>/logo/<digest>.png")
def logo(endorsement_id: int, digest: str):
    """An approved endorsement's logo, re-encoded when it was uploaded."""
    png = service.public_logo(endorsement_id, digest)
    if png is None:
        abort(404)
    response = make_response(png)
    response.mimetype = "image/png"
    response.headers["Cache-Control"] = LONG_CACHE
    return response
