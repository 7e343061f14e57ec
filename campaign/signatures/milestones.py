"""Milestones: the figures a statement's count is cheered at, and the organizers' email.

A statement's milestones are the figures its organizers chose (and its goal), then past the
last of them the round figures of `progress.next_milestone`; with none chosen, the round
figures alone. The first time the count reaches one, every active organizer is emailed.

Once: the check runs after the signature's transaction has committed (so two signatures
crossing a figure at the same moment both see the other's), and the crossing is recorded
by an upsert on the unique (statement, figure) row that only sets `reached_at` when it is
still empty; only the transaction that set it writes the email, in the same commit.
"""
from flask_babel import format_decimal, gettext as _
from sqlalchemy import bindparam, delete, select, text

from campaign.common.time import utcnow
from campaign.common.urls import absolute_url
from campaign.extensions import db
from campaign.mail.service import enqueue
from campaign.organizers.models import Organizer
from campaign.signatures import counts
from campaign.signatures.models import Milestone
from campaign.signatures.progress import (
    chosen_figures, last_passed, milestone_rows, next_figure,
)
from campaign.statements.models import Statement

#: The most milestones organizers may choose for one statement.
MAX_CHOSEN = 20
#: The highest figure a milestone may have.
MAX_FIGURE = 1_000_000_000

_REACH = text(
    "INSERT INTO statement_milestones (statement_id, figure, chosen, reached_at) "
    "VALUES (:statement_id, :figure, false, :now) "
    "ON CONFLICT (statement_id, figure) DO UPDATE SET reached_at = excluded.reached_at "
    "WHERE statement_milestones.reached_at IS NULL "
    "RETURNING figure"
).bindparams(bindparam("now", type_=Milestone.__table__.c.reached_at.type))


def announce_crossed(statement: Statement) -> int | None:
    """After a commit that added to the count: record and announce a milestone just reached.

    Returns the figure when this call announced it. Several figures passed at once (an
    import) are one announcement, of the highest.
    """
    rows = milestone_rows(statement.id)
    figure = last_passed(counts.totals(statement.id).counted, chosen_figures(statement, rows))
    if figure is None or any(reached and passed >= figure for passed, _chosen, reached in rows):
        db.session.rollback()
        return None
    won = db.session.scalar(_REACH, {"statement_id": statement.id, "figure": figure,
                                     "now": utcnow()})
    if won is not None:
        _email_organizers(statement, figure)
    db.session.commit()
    return won


def _email_organizers(statement: Statement, figure: int) -> None:
    statement_url = absolute_url("signatures.statement_page", slug=statement.slug)
    for organizer in db.session.scalars(select(Organizer).where(Organizer.active.is_(True))):
        enqueue(
            "milestone_reached", organizer.email,
            _("%(title)s: %(figure)s signatures", title=statement.title,
              figure=format_decimal(figure)),
            "milestone_reached",
            name=organizer.name, statement_title=statement.title, figure=figure,
            statement_url=statement_url,
            next_figure=next_figure(figure, chosen_figures(statement)),
        )


def set_chosen(statement: Statement, figures: list[int]) -> None:
    """Replace the organizers' figures (reached ones stay recorded); in the caller's transaction."""
    db.session.execute(delete(Milestone).where(
        Milestone.statement_id == statement.id, Milestone.chosen.is_(True),
        Milestone.reached_at.is_(None), Milestone.figure.not_in(figures),
    ))
    existing = {
        milestone.figure: milestone for milestone in db.session.scalars(
            select(Milestone).where(Milestone.statement_id == statement.id))
    }
    for figure in figures:
        if figure in existing:
            existing[figure].chosen = True
        else:
            db.session.add(Milestone(statement_id=statement.id, figure=figure, chosen=True))
    for figure, milestone in existing.items():
        if figure not in figures and milestone.reached_at is not None:
            milestone.chosen = False
