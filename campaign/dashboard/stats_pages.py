"""Organizer pages for where support comes from: statistics of a statement and an event,
their tracked links (a copyable link and a QR code each), the public switch and milestones.

Reading needs a viewer; every change needs an editor and is a POST with CSRF.
"""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.forms import show_error
from campaign.common.qr import qr_png
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.events.service import event_by_id
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.signatures.progress import chosen_figures
from campaign.statements.service import get_statement
from campaign.stats import charts, service
from campaign.stats.forms import StatisticsSettingsForm, TrackedLinkForm


def _event_or_404(event_id: int):
    event = event_by_id(event_id)
    if event is None:
        abort(404)
    return event


def _statement_page(statement, link_form=None, settings_form=None, status: int = 200):
    figures = service.statement_figures(statement)
    if settings_form is None:
        settings_form = StatisticsSettingsForm(formdata=None, public=service.shows_publicly(
            statement), milestones=", ".join(str(figure) for figure in chosen_figures(statement)
                                             if figure != statement.signature_goal))
    return render_template(
        "stats/statement.html",
        statement=statement,
        figures=figures,
        per_day=charts.bar_chart([(row.key, row.counted) for row in figures.days]),
        per_hour=charts.bar_chart([(row.label, row.counted) for row in figures.hours]),
        cumulative=charts.line_chart(figures.cumulative, figures.goal),
        by_country=charts.bar_chart([(row.label, row.counted) for row in figures.countries[:20]]),
        links=service.links_of(statement=statement),
        link_form=link_form or TrackedLinkForm(formdata=None),
        settings_form=settings_form,
        can_edit=current_user.can(Role.editor),
    ), status


@bp.get("/statements/<int:statement_id>/statistics")
@require_role(Role.viewer)
def statement_statistics(statement_id: int):
    return _statement_page(get_statement(statement_id))


@bp.post("/statements/<int:statement_id>/statistics/settings")
@require_role(Role.editor)
def statement_statistics_settings(statement_id: int):
    statement = get_statement(statement_id)
    form = StatisticsSettingsForm()
    if not form.validate():
        return _statement_page(statement, settings_form=form, status=400)
    service.save_settings(statement, form.public.data, form.figures)
    flash(_("The statistics settings are saved."))
    return redirect(url_for(".statement_statistics", statement_id=statement.id), 303)


@bp.post("/statements/<int:statement_id>/links")
@require_role(Role.editor)
def statement_link_create(statement_id: int):
    statement = get_statement(statement_id)
    form = TrackedLinkForm()
    if form.validate():
        try:
            link = service.create_link(form.code.data, form.partner.data or "", statement=statement)
        except service.StatsError as error:
            show_error(form, error)
        else:
            flash(_("The tracked link %(code)s is ready to share.", code=link.code))
            return redirect(url_for(".statement_statistics", statement_id=statement.id)
                            + "#links", 303)
    return _statement_page(statement, link_form=form, status=400)


def _event_page(event, link_form=None, status: int = 200):
    figures = service.event_figures(event)
    return render_template(
        "stats/event.html",
        event=event,
        figures=figures,
        per_day=charts.bar_chart([(row.key, row.signed) for row in figures.days]),
        by_ticket=charts.bar_chart([(row.label, row.signed) for row in figures.tickets]),
        links=service.links_of(event=event),
        link_form=link_form or TrackedLinkForm(formdata=None),
        can_edit=current_user.can(Role.editor),
    ), status


@bp.get("/events/<int:event_id>/statistics")
@require_role(Role.viewer)
def event_statistics(event_id: int):
    return _event_page(_event_or_404(event_id))


@bp.post("/events/<int:event_id>/links")
@require_role(Role.editor)
def event_link_create(event_id: int):
    event = _event_or_404(event_id)
    form = TrackedLinkForm()
    if form.validate():
        try:
            link = service.create_link(form.code.data, form.partner.data or "", event=event)
        except service.StatsError as error:
            show_error(form, error)
        else:
            flash(_("The tracked link %(code)s is ready to share.", code=link.code))
            return redirect(url_for(".event_statistics", event_id=event.id) + "#links", 303)
    return _event_page(event, link_form=form, status=400)


def _listed_on(link) -> str:
    """The statistics page the link is listed on."""
    if link.statement_id is not None:
        return url_for(".statement_statistics", statement_id=link.statement_id) + "#links"
    return url_for(".event_statistics", event_id=link.event_id) + "#links"


@bp.route("/links/<int:link_id>/delete", methods=["GET", "POST"])
@require_role(Role.editor)
def link_delete(link_id: int):
    link = service.get_link(link_id)
    back = _listed_on(link)
    if request.method == "GET":
        return confirmation(
            _("Delete the tracked link %(code)s?", code=link.code),
            [_("The link stops being listed here; people who still follow it are counted under "
               "its code as before, and what came through it keeps its code.")],
            url_for(".link_delete", link_id=link.id), _("Delete the link"), back,
        )
    code = link.code
    service.delete_link(link)
    flash(_("The tracked link %(code)s is deleted.", code=code))
    return redirect(back, 303)


@bp.get("/links/<int:link_id>/qr.png")
@require_role(Role.viewer)
def link_qr(link_id: int):
    """The link as a QR code, to print on a leaflet."""
    link = service.get_link(link_id)
    return Response(qr_png(service.link_url(link), scale=10), mimetype="image/png", headers={
        "Content-Disposition": f'inline; filename="{link.code}.png"',
        "Cache-Control": "private, max-age=300",
    })
