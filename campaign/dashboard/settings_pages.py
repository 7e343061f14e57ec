"""Owner-only page for the site's identity: name, tagline, logo, accent colour and the
statement the home page features."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from campaign.common.errors import DomainError
from campaign.common.forms import show_error
from campaign.dashboard.views import bp
from campaign.home.forms import SettingsForm
from campaign.home.service import featurable_statements, remove_logo, save_settings, site_settings
from campaign.organizers.access import require_role
from campaign.organizers.models import Role


def _form() -> SettingsForm:
    return SettingsForm.for_site(site_settings(), featurable_statements())


def _page(form: SettingsForm, status: int = 200):
    return render_template("dashboard/settings.html", form=form,
                           default_name=current_app.config["CAMPAIGN_NAME"]), status


@bp.get("/settings")
@require_role(Role.owner)
def settings():
    return _page(_form())


@bp.post("/settings")
@require_role(Role.owner)
def settings_save():
    form = _form()
    if form.validate_on_submit():
        try:
            save_settings(form.identity(), form.logo_upload())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The settings are saved."))
            return redirect(url_for("dashboard.settings"), 303)
    return _page(form, status=400)


@bp.post("/settings/logo/remove")
@require_role(Role.owner)
def settings_logo_remove():
    remove_logo()
    flash(_("The logo is removed."))
    return redirect(url_for("dashboard.settings"), 303)
