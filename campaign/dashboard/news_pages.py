"""Organizer pages for news posts: the list, the editor, publishing, deleting, importing a file.

Reading needs a viewer; every change needs an editor. A post's page answers GET
(`post_edit`, viewers may look) and POST (`post_update`, editors save) on one URL.
"""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from campaign.common.errors import DomainError
from campaign.common.forms import show_error
from campaign.dashboard.shared import confirmation
from campaign.dashboard.views import bp
from campaign.news import service
from campaign.news.forms import PostForm, PostImportForm
from campaign.news.importer import decode_post_file, parse_post_file
from campaign.organizers.access import require_role
from campaign.organizers.models import Role
from campaign.web import page_number

POSTS_PER_PAGE = 50


@bp.get("/news")
@require_role(Role.viewer)
def news():
    return render_template("dashboard/news.html",
                           page=service.posts_page(page_number(), POSTS_PER_PAGE),
                           can_edit=current_user.can(Role.editor))


@bp.route("/news/new", methods=["GET", "POST"])
@require_role(Role.editor)
def post_new():
    form = PostForm()
    if form.validate_on_submit():
        try:
            post = service.create_post(form.post_text())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The post is saved as a draft. Publish it when it is ready."))
            return redirect(url_for("dashboard.post_edit", post_id=post.id), 303)
    status = 400 if form.errors else 200
    return render_template("dashboard/news_new.html", form=form), status


def _post_page(post, form: PostForm, status: int = 200):
    return render_template("dashboard/news_post.html", post=post, form=form,
                           can_edit=current_user.can(Role.editor)), status


@bp.get("/news/<int:post_id>")
@require_role(Role.viewer)
def post_edit(post_id: int):
    post = service.get_post(post_id)
    return _post_page(post, PostForm.for_post(post))


@bp.post("/news/<int:post_id>")
@require_role(Role.editor)
def post_update(post_id: int):
    post = service.get_post(post_id)
    form = PostForm()
    if form.validate_on_submit():
        try:
            service.update_post(post, form.post_text())
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Saved."))
            return redirect(url_for("dashboard.post_edit", post_id=post.id), 303)
    return _post_page(post, form, status=400)


@bp.post("/news/<int:post_id>/<any(publish, unpublish):action>")
@require_role(Role.editor)
def post_status(post_id: int, action: str):
    post = service.get_post(post_id)
    try:
        service.change_status(post, action)
    except service.PostError as error:
        flash(error.message)
    else:
        flash({
            "publish": _("The post is published."),
            "unpublish": _("The post is a draft again: it is no longer on the public pages."),
        }[action])
    return redirect(url_for("dashboard.post_edit", post_id=post.id), 303)


@bp.route("/news/<int:post_id>/delete", methods=["GET", "POST"])
@require_role(Role.editor)
def post_delete(post_id: int):
    """GET asks first; the POST of that page deletes."""
    post = service.get_post(post_id)
    if request.method == "GET":
        consequences = [_("“%(title)s” will be deleted, and its page and place in the feed go "
                          "with it.", title=post.title)]
        if post.is_published:
            consequences.append(_("Links to it already shared will find nothing."))
        return confirmation(
            _("Delete this post?"), consequences,
            url_for("dashboard.post_delete", post_id=post.id), _("Delete the post"),
            url_for("dashboard.post_edit", post_id=post.id))
    title = post.title
    service.delete_post(post)
    flash(_("“%(title)s” is deleted.", title=title))
    return redirect(url_for("dashboard.news"), 303)


@bp.route("/news/import", methods=["GET", "POST"])
@require_role(Role.editor)
def post_import():
    form = PostImportForm()
    if form.validate_on_submit():
        try:
            text = parse_post_file(decode_post_file(form.file.data.read()))
            post = service.create_post(text, publish=form.publish.data, imported=True)
        except DomainError as error:
            show_error(form, DomainError(error.message, field="file"))
        else:
            flash(_("Imported “%(title)s”.", title=post.title))
            return redirect(url_for("dashboard.post_edit", post_id=post.id), 303)
    status = 400 if form.errors else 200
    return render_template("dashboard/news_import.html", form=form), status
