"""Owner-only page for API keys: make one (shown once), see when each was last used, revoke."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.api.forms import SCOPE_LABELS, ApiKeyForm
from campaign.api.keys import ApiKeyError, create_key, get_key, keys_page, revoke_key
from campaign.api.models import ApiScope
from campaign.common.forms import show_error
from campaign.dashboard.shared import confirmation, private
from campaign.dashboard.views import bp
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.web import page_number

KEYS_PER_PAGE = 50


def _page(form: ApiKeyForm, new_secret: str = "", status: int = 200):
    """No cache keeps it: it may show a new key."""
    return private(render_template(
        "dashboard/api_keys.html", form=form, new_secret=new_secret, scope_labels=SCOPE_LABELS,
        page=keys_page(page_number(), KEYS_PER_PAGE)), status)


@bp.get("/api-keys")
@require_role(Role.owner)
def api_keys():
    return _page(ApiKeyForm())


@bp.post("/api-keys")
@require_role(Role.owner)
def api_key_create():
    form = ApiKeyForm()
    if form.validate_on_submit():
        try:
            made = create_key(form.name.data, ApiScope(form.scope.data), actor=current_user)
        except ApiKeyError as error:
            show_error(form, error)
        else:
            flash(_("The key is made. Copy it now: it is not shown again."))
            return _page(ApiKeyForm(formdata=None), new_secret=made.secret)
    return _page(form, status=400)


@bp.route("/api-keys/<int:key_id>/revoke", methods=["GET", "POST"])
@require_role(Role.owner)
def api_key_revoke(key_id: int):
    """GET asks first; the POST of that page revokes."""
    key = get_key(key_id)
    if key is None:
        abort(404)
    if request.method == "GET":
        return confirmation(
            _("Revoke the API key “%(name)s”?", name=key.name),
            [_("Whatever uses it stops working at once and cannot be given the key back; "
               "make a new key for it instead.")],
            url_for("dashboard.api_key_revoke", key_id=key.id), _("Revoke"),
            url_for("dashboard.api_keys"))
    revoke_key(key, actor=current_user)
    flash(_("The key “%(name)s” is revoked.", name=key.name))
    return redirect(url_for("dashboard.api_keys"), 303)
