"""The rules for news posts: writing, checking, publishing, and what the public pages, the
feed, the statement and event pages and an email update read of them.

Functions raise `PostError` (a message fit to show a person, and the field it concerns);
the dashboard, `news import` and the demo all go through them.
"""
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import abort
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from campaign.audit.service import record
from campaign.common.dates import format_date
from campaign.common.errors import DomainError
from campaign.common.text import has_control_characters, text_problem
from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.events.models import Event, EventStatus
from campaign.extensions import db
from campaign.news.importer import PostText
from campaign.news.models import Post, PostStatus, post_events, post_statements
from campaign.statements.models import Campaign, Statement, StatementStatus
from campaign.statements.service import SLUG_MAX_LENGTH, default_campaign, slugify

TITLE_MAX_LENGTH = 300
SUMMARY_MAX_LENGTH = 1_000
BODY_MAX_LENGTH = 100_000
SOURCE_TITLE_MAX_LENGTH = 300
PUBLISHER_MAX_LENGTH = 200
URL_MAX_LENGTH = 2_000
MOST_TAKEAWAYS = 20
TAKEAWAY_MAX_LENGTH = 500
MOST_QUOTATIONS = 20
QUOTATION_MAX_LENGTH = 1_000
SPEAKER_MAX_LENGTH = 200
#: How many of the newest linked posts a statement or event page shows.
LINKED_POSTS_SHOWN = 3
#: How many posts the Atom feed carries.
FEED_SIZE = 20
#: How often a new post tries the next free slug made from its title when another takes it.
_SLUG_ATTEMPTS = 5
#: Slugs made from a title are cut at a word boundary near this length.
_DERIVED_SLUG_LENGTH = 80


class PostError(DomainError):
    """A rule refused the change to a post."""


# Checking --------------------------------------------------------------------------------


def _line(value: str, field: str, most: int, required: str | None = None) -> str:
    """One line of text: trimmed, bounded, nothing hidden or out of order in it."""
    value = (value or "").strip()
    if not value:
        if required:
            raise PostError(required, field=field)
        return value
    if len(value) > most:
        raise PostError(_("Use at most %(most)d characters here.", most=most), field=field)
    if has_control_characters(value):
        raise PostError(_("Remove the control characters from this field."), field=field)
    problem = text_problem(value)
    if problem is not None:
        raise PostError(problem.message, field=field)
    return value


def _text(value: str, field: str, most: int) -> str:
    """Several lines of Markdown: bounded, no control characters but line breaks and tabs."""
    value = (value or "").strip()
    if len(value) > most:
        raise PostError(_("Use at most %(most)d characters here.", most=most), field=field)
    if has_control_characters(value, multiline=True):
        raise PostError(_("Remove the control characters from this field."), field=field)
    return value


def _link(value: str) -> str:
    value = _line(value, "source_url", URL_MAX_LENGTH)
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
            raise PostError(_("Give the source's link as a web address starting with https://."),
                            field="source_url")
    return value


def check(text: PostText) -> PostText:
    """The post's values tidied, or a `PostError` naming the first field that is wrong."""
    checked = PostText(
        title=_line(text.title, "title", TITLE_MAX_LENGTH, _("Enter a title.")),
        slug=_line(text.slug, "slug", SLUG_MAX_LENGTH),
        summary=_text(text.summary, "summary", SUMMARY_MAX_LENGTH),
        body=_text(text.body, "body", BODY_MAX_LENGTH),
        source_title=_line(text.source_title, "source_title", SOURCE_TITLE_MAX_LENGTH),
        source_publisher=_line(text.source_publisher, "source_publisher", PUBLISHER_MAX_LENGTH),
        source_date=text.source_date,
        source_url=_link(text.source_url),
        statements=text.statements,
        events=text.events,
    )
    if len(text.takeaways) > MOST_TAKEAWAYS:
        raise PostError(_("Give at most %(most)d key takeaways.", most=MOST_TAKEAWAYS),
                        field="takeaways")
    checked.takeaways = [_line(item, "takeaways", TAKEAWAY_MAX_LENGTH) for item in text.takeaways]
    if len(text.quotations) > MOST_QUOTATIONS:
        raise PostError(_("Give at most %(most)d quotations.", most=MOST_QUOTATIONS),
                        field="quotations")
    checked.quotations = [
        {"text": _line(quote["text"], "quotations", QUOTATION_MAX_LENGTH),
         "speaker": _line(quote["speaker"], "quotations", SPEAKER_MAX_LENGTH)}
        for quote in text.quotations
    ]
    return checked


# Writing ---------------------------------------------------------------------------------


def _chosen_slug(text: PostText, post: Post) -> str:
    """The slug typed (tidied); else the one the post has (links shared keep working); else
    one made from the title, made unique with a number."""
    except_id = post.id
    if not text.slug and post.slug:
        return post.slug
    if text.slug:
        slug = slugify(text.slug)
        if not slug:
            raise PostError(_("Use letters, numbers and hyphens in the web address."), field="slug")
        if _slug_in_use(slug, except_id):
            raise _slug_taken(slug)
        return slug
    base = slugify(text.title, _DERIVED_SLUG_LENGTH)
    if not base:
        raise PostError(_("A web address cannot be made from this title: type one in."),
                        field="slug")
    slug, number = base, 1
    while _slug_in_use(slug, except_id):
        number += 1
        slug = f"{base}-{number}"
    return slug


def _slug_taken(slug: str) -> PostError:
    return PostError(_("Another post already uses the web address “%(slug)s”. Choose another.",
                       slug=slug), field="slug")


def _slug_in_use(slug: str, except_id: int | None) -> bool:
    return bool(db.session.scalar(
        select(exists().where(Post.slug == slug, Post.id != (except_id or 0)))))


def _linked(model, slugs: list[str], field: str) -> list:
    if not slugs:
        return []
    found = {row.slug: row for row in db.session.scalars(select(model).where(model.slug.in_(slugs)))}
    missing = [slug for slug in slugs if slug not in found]
    if missing:
        message = (_("No statement has the web address “%(slug)s”.", slug=missing[0])
                   if model is Statement else
                   _("No event has the web address “%(slug)s”.", slug=missing[0]))
        raise PostError(message, field=field)
    return list(dict.fromkeys(found[slug] for slug in slugs))


def _apply(post: Post, text: PostText) -> None:
    """Set the checked values; nothing is written until the caller commits (no autoflush, so
    a slug taken meanwhile is caught there, as an IntegrityError)."""
    checked = check(text)
    with db.session.no_autoflush:
        statements = _linked(Statement, checked.statements, "statements")
        events = _linked(Event, checked.events, "events")
        post.slug = _chosen_slug(checked, post)
    for name in ("title", "summary", "body", "takeaways", "quotations", "source_title",
                 "source_publisher", "source_date", "source_url"):
        setattr(post, name, getattr(checked, name))
    post.statements, post.events = statements, events


def create_post(text: PostText, publish: bool = False, campaign: Campaign | None = None,
                imported: bool = False, actor=None) -> Post:
    """A new post (a draft unless `publish`), linked to the statements and events named;
    `imported` when it comes from a file (`news import`).

    The unique slug is the database's to guarantee: when another post takes the one made from
    the title at the same moment, the next free one is tried; a slug typed is refused."""
    for attempt in range(1, _SLUG_ATTEMPTS + 1):
        post = Post(campaign=campaign or default_campaign())
        _apply(post, text)
        if publish:
            _publish(post)
        try:
            db.session.add(post)
            record("post.import" if imported else "post.create", target=f"post:{post.slug}",
                   detail=post.title, actor=actor)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            if text.slug or attempt == _SLUG_ATTEMPTS:
                raise _slug_taken(post.slug) from None
        else:
            return post


def update_post(post: Post, text: PostText) -> None:
    _apply(post, text)
    slug = post.slug
    try:
        record("post.update", target=f"post:{slug}", detail=post.title)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise _slug_taken(slug) from None


def _publish(post: Post) -> None:
    post.status = PostStatus.published
    post.published_at = post.published_at or utcnow()


_STATUS_ACTIONS = {"publish": "post.publish", "unpublish": "post.unpublish"}


def change_status(post: Post, action: str) -> None:
    """"publish" a draft or "unpublish" a post back to draft (it leaves the public pages)."""
    if action == "publish":
        if not post.is_draft:
            raise PostError(_("This post is already published."))
        _publish(post)
    else:
        if post.is_draft:
            raise PostError(_("This post is already a draft."))
        post.status = PostStatus.draft
    record(_STATUS_ACTIONS[action], target=f"post:{post.slug}", detail=post.title)
    db.session.commit()


def delete_post(post: Post) -> None:
    record("post.delete", target=f"post:{post.slug}", detail=post.title)
    db.session.delete(post)
    db.session.commit()


def as_text(post: Post) -> PostText:
    """The post's values as the editor's form and `update_post` take them."""
    return PostText(
        title=post.title, summary=post.summary, slug=post.slug, body=post.body,
        takeaways=list(post.takeaways or []), quotations=list(post.quotations or []),
        source_title=post.source_title, source_publisher=post.source_publisher,
        source_date=post.source_date, source_url=post.source_url,
        statements=[statement.slug for statement in post.statements],
        events=[event.slug for event in post.events],
    )


# Reading ---------------------------------------------------------------------------------


def _published():
    return (select(Post).where(Post.status == PostStatus.published)
            .order_by(Post.published_at.desc(), Post.id.desc()))


def public_posts_page(page: int, per_page: int) -> Pagination:
    return db.paginate(_published(), page=page, per_page=per_page, error_out=False)


def posts_page(page: int, per_page: int) -> Pagination:
    """Every post, drafts first then the newest, for the dashboard."""
    query = select(Post).order_by(Post.status, Post.updated_at.desc(), Post.id.desc())
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def feed_posts() -> list[Post]:
    return list(db.session.scalars(_published().limit(FEED_SIZE)))


def post_by_slug(slug: str) -> Post:
    """Any post by its web address; 404 for an address that cannot be a slug or is unknown."""
    if not slug or len(slug) > SLUG_MAX_LENGTH or slugify(slug) != slug:
        abort(404)
    return db.first_or_404(select(Post).where(Post.slug == slug))


def post_with_slug(slug: str) -> Post | None:
    return db.session.scalar(select(Post).where(Post.slug == slug))


def get_post(post_id: int) -> Post:
    return db.get_or_404(Post, post_id)


def latest_for_statement(statement_id: int) -> list[Post]:
    return list(db.session.scalars(
        _published().join(post_statements).where(post_statements.c.statement_id == statement_id)
        .limit(LINKED_POSTS_SHOWN)))


def latest_for_event(event_id: int) -> list[Post]:
    return list(db.session.scalars(
        _published().join(post_events).where(post_events.c.event_id == event_id)
        .limit(LINKED_POSTS_SHOWN)))


def public_statements_of(post: Post) -> list[Statement]:
    """The linked statements a visitor may open (drafts are left out)."""
    return [statement for statement in post.statements
            if statement.status is not StatementStatus.draft]


def public_events_of(post: Post) -> list[Event]:
    return [event for event in post.events if event.status is not EventStatus.draft]


def statement_choices() -> list[tuple[str, str]]:
    """(slug, title) of every statement, for linking a post."""
    return [tuple(row) for row in db.session.execute(
        select(Statement.slug, Statement.title).order_by(Statement.created_at.desc()))]


def event_choices() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Event.slug, Event.title).order_by(Event.starts_at.desc()))]


def titles_by_slug(slugs) -> dict[str, str]:
    return dict(db.session.execute(select(Post.slug, Post.title).where(Post.slug.in_(slugs))).all())


# Email -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailContent:
    subject: str
    #: Markdown: the summary, the body, the takeaways, quotations and source, then the link.
    body: str


def email_content(post: Post) -> EmailContent:
    """The post as an email update: its title as the subject, its parts in Markdown."""
    parts = [post.summary, post.body]
    if post.takeaways:
        parts.append("## " + _("Key takeaways") + "\n\n"
                     + "\n".join(f"- {item}" for item in post.takeaways))
    if post.quotations:
        parts.append("## " + _("Quotations") + "\n\n" + "\n\n".join(
            f"> {quote['text']}\n>\n> — {quote['speaker']}" for quote in post.quotations))
    if post.has_source:
        parts.append(_("Source: %(citation)s", citation=citation(post)))
    parts.append(_("Read it online: %(url)s", url=absolute_url("news.post_page", slug=post.slug)))
    return EmailContent(subject=post.title, body="\n\n".join(part for part in parts if part))


def citation(post: Post) -> str:
    """“Title”, Publisher, 19 March 2025, https://... (the parts the post has)."""
    parts = [f"“{post.source_title}”" if post.source_title else "", post.source_publisher,
             format_date(post.source_day), post.source_url]
    return ", ".join(part for part in parts if part)
