"""How far a statement has come: its count toward the organizers' goal (or, without one, the
next milestone: a figure the organizers chose, else the next round figure), the last
milestone it passed, and how many signed in the last day."""
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.signatures.counts import Totals
from campaign.signatures.models import Milestone, Signature, SignatureStatus
from campaign.statements.models import Statement

#: The first milestone; after it each power of ten gives 1, 2.5 and 5 times itself.
FIRST_MILESTONE = 100
#: "Signed in the last day" counts the signatures made since this long ago.
RECENT = timedelta(hours=24)


def next_milestone(count: int) -> int:
    """The first round figure above `count`: 100, 250, 500, 1,000, 2,500, 5,000, 10,000, ..."""
    scale = FIRST_MILESTONE
    while True:
        for figure in (scale, scale * 5 // 2, scale * 5):
            if figure > count:
                return figure
        scale *= 10


def milestone_rows(statement_id: int) -> list[tuple[int, bool, bool]]:
    """(figure, chosen by the organizers, reached) of a statement's milestones: a few rows."""
    return [(figure, chosen, reached_at is not None) for figure, chosen, reached_at
            in db.session.execute(select(Milestone.figure, Milestone.chosen, Milestone.reached_at)
                                  .where(Milestone.statement_id == statement_id))]


def chosen_figures(statement: Statement, rows: list | None = None) -> list[int]:
    """The organizers' figures and the statement's goal, smallest first."""
    rows = milestone_rows(statement.id) if rows is None else rows
    figures = {figure for figure, chosen, _reached in rows if chosen}
    if statement.signature_goal:
        figures.add(statement.signature_goal)
    return sorted(figures)


def next_figure(count: int, chosen: list[int]) -> int:
    """The first milestone above `count`."""
    above = [figure for figure in chosen if figure > count]
    if above:
        return above[0]
    return next_milestone(max([count, *chosen]))


def last_passed(count: int, chosen: list[int]) -> int | None:
    """The highest milestone at or below `count`, None before the first."""
    passed = None
    figure = next_figure(0, chosen)
    while figure <= count:
        passed = figure
        figure = next_figure(figure, chosen)
    return passed


@dataclass(frozen=True)
class Progress:
    """What the progress bar shows: `counted` of `target`."""

    counted: int
    #: The organizers' goal until it is reached, then the next milestone.
    target: int
    #: The organizers' goal, when they set one.
    goal: int | None
    #: Signatures counted that were made in the last 24 hours.
    last_day: int
    #: The highest milestone the count has reached (None before the first).
    passed: int | None = None

    @property
    def thanks_for_a_milestone(self) -> bool:
        """Past a milestone that is not the goal: "10,000 signatures: thank you"."""
        return self.passed is not None and self.passed != self.goal \
            and not self.is_toward_the_goal

    @property
    def is_toward_the_goal(self) -> bool:
        return self.target == self.goal

    @property
    def passed_the_goal(self) -> bool:
        return self.goal is not None and self.counted >= self.goal


def progress_of(statement: Statement, totals: Totals) -> Progress:
    goal = statement.signature_goal
    chosen = chosen_figures(statement)
    target = goal if goal and totals.counted < goal else next_figure(totals.counted, chosen)
    return Progress(totals.counted, target, goal, signed_since(statement, utcnow() - RECENT),
                    passed=last_passed(totals.counted, chosen))


def signed_since(statement: Statement, since) -> int:
    """Confirmed signatures of the statement made since `since`.

    Counted in the (statement, status, created_at) index over that range only, never over all
    of a statement's signatures; the busy page it is shown on is a shared copy a few seconds old.
    """
    return db.session.scalar(
        select(func.count()).select_from(Signature).where(
            Signature.statement_id == statement.id,
            Signature.status == SignatureStatus.confirmed,
            Signature.created_at >= since,
        )
    )
