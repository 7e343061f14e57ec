"""Milestones: organizers choose them (or the round figures serve), the statement page thanks
everyone and names the next goal, and the organizers are emailed once per milestone."""
import threading
import uuid

import pytest
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.service import message_bodies
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Milestone


def milestone_mails() -> list[OutboxMessage]:
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "milestone_reached")).all()


def sign_once(client, statement):
    return sign_slug(client, statement.slug)


def sign_slug(client, slug: str):
    """Sign, then do what the mail sender does next: it announces the new signature."""
    response = client.submit(f"/s/{slug}/sign", {
        "name": "Lesya Ukrainka", "email": f"{uuid.uuid4().hex[:12]}@example.org",
        "country": "UA", "consent": "y",
    }, page=f"/s/{slug}")
    tell_new_signatories()
    return response


def already_counted(statement, number: int) -> None:
    """A statement that already has `number` signatures counted."""
    counts.adjust(statement.id, number, number)
    db.session.commit()


def test_organizers_choose_milestones_and_are_emailed_once_when_one_is_reached(
    client, logged_in, make_organizer, make_statement
):
    statement = make_statement(requires_confirmation=False)
    other_organizer = make_organizer(Role.viewer)
    make_organizer(Role.editor, active=False)
    editor = logged_in(Role.editor)
    saved = client.submit(f"/dashboard/statements/{statement.id}/statistics/settings",
                          {"milestones": "2, 1,000"},
                          page=f"/dashboard/statements/{statement.id}/statistics")
    assert saved.status_code == 303
    assert sorted(db.session.scalars(select(Milestone.figure))) == [2, 1000]

    visitor = client.application.test_client()
    sign_once(visitor, statement)
    assert milestone_mails() == []
    sign_once(visitor, statement)
    mails = milestone_mails()
    assert sorted(mail.to for mail in mails) == sorted([editor.email, other_organizer.email])
    assert "has reached 2 signatures" in message_bodies(mails[0])[0]
    assert "next goal: 1,000" in message_bodies(mails[0])[0]
    sign_once(visitor, statement)
    assert len(milestone_mails()) == 2

    page = visitor.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "2 signatures: thank you. Next goal: 1,000" in page


def test_without_chosen_milestones_the_next_round_figure_is_the_milestone(
    client, make_organizer, make_statement
):
    make_organizer(Role.owner)
    statement = make_statement(requires_confirmation=False)
    already_counted(statement, 99)
    sign_once(client, statement)
    [mail] = milestone_mails()
    assert "has reached 100 signatures" in message_bodies(mail)[0]
    assert "next goal: 250" in message_bodies(mail)[0]


def test_the_statement_page_thanks_everyone_and_names_the_next_goal(client, make_statement):
    statement = make_statement()
    already_counted(statement, 10_000)
    page = client.get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "10,000 signatures: thank you. Next goal: 25,000" in page


def test_a_confirmation_that_crosses_a_milestone_emails_the_organizers(
    client, make_organizer, make_statement, emailed_link
):
    make_organizer(Role.owner)
    statement = make_statement(requires_confirmation=True)
    already_counted(statement, 99)
    client.submit(f"/s/{statement.slug}/sign", {
        "name": "Lesya Ukrainka", "email": "lesya@example.org", "country": "UA", "consent": "y",
    }, page=f"/s/{statement.slug}")
    assert milestone_mails() == []
    link = emailed_link("lesya@example.org", "confirm")
    client.submit(link, {}, page=link)
    assert len(milestone_mails()) == 1


@pytest.mark.parametrize("typed", ["ten thousand", "<b>5</b>", "=1+1", "0", "-5", "1.5",
                                   "99999999999", "1\x00", ", ".join(str(n) for n in range(1, 30))])
def test_milestones_that_are_not_whole_numbers_are_refused(client, logged_in, make_statement,
                                                           typed):
    statement = make_statement()
    logged_in(Role.editor)
    response = client.submit(f"/dashboard/statements/{statement.id}/statistics/settings",
                             {"milestones": typed},
                             page=f"/dashboard/statements/{statement.id}/statistics")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Milestone)) == 0


def test_milestone_mail_goes_once_when_two_signatures_cross_it_at_the_same_moment(
    app, on_postgresql, make_organizer, make_statement
):
    if not on_postgresql:
        pytest.skip("real concurrency needs PostgreSQL")
    make_organizer(Role.owner)
    statements = [make_statement(requires_confirmation=False) for _ in range(6)]
    for statement in statements:
        already_counted(statement, 98)
    failures = []

    def signer(slug, start):
        client = app.test_client()
        with app.app_context():
            try:
                start.wait()
                if sign_slug(client, slug).status_code != 302:
                    failures.append("refused")
            except Exception as error:  # a thread's exception would otherwise go unseen
                failures.append(repr(error))

    for statement in statements:
        start = threading.Barrier(2)
        threads = [threading.Thread(target=signer, args=(statement.slug, start))
                   for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert failures == []
    assert all(counts.totals(statement.id).counted == 100 for statement in statements)
    subjects = sorted(mail.subject for mail in milestone_mails())
    assert subjects == sorted(f"{statement.title}: 100 signatures" for statement in statements)
