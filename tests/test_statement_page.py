"""The statement page turns a reader into a signer: a count that shows momentum, a bar toward
the goal or the next round figure, the newest signatories beside the form, and a form that
asks its questions in a clear order."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import event

from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import SignatureStatus
from campaign.signatures.progress import RECENT, next_milestone, signed_since
from campaign.statements.models import StatementStatus


def page(client, statement) -> str:
    return client.get(f"/s/{statement.slug}").get_data(as_text=True)


def counted(statement, number: int) -> None:
    counts.adjust(statement.id, number, 0)
    db.session.commit()


@pytest.mark.parametrize("count, milestone", [
    (0, 100), (18, 100), (99, 100), (100, 250), (249, 250), (250, 500), (500, 1_000),
    (999, 1_000), (1_000, 2_500), (2_500, 5_000), (9_999, 10_000), (10_000, 25_000),
    (30_000, 50_000), (99_999, 100_000), (1_234_567, 2_500_000),
])
def test_the_next_milestone_is_the_first_round_figure_above_the_count(count, milestone):
    assert next_milestone(count) == milestone


def test_without_a_goal_the_bar_fills_toward_the_next_milestone(client, make_statement):
    statement = make_statement(signature_goal=None)
    counted(statement, 18)
    html = page(client, statement)
    assert '<label class="progress-label" for="goal-progress">Next milestone: 100</label>' in html
    assert re.search(r'<progress id="goal-progress" [^>]*max="100" value="18">18 of 100</progress>',
                     html)


def test_with_a_goal_the_bar_fills_toward_it_and_then_toward_the_next_milestone(
    client, make_statement
):
    statement = make_statement(signature_goal=10_000)
    counted(statement, 1_234)
    html = page(client, statement)
    assert "Our goal: 10,000" in html
    assert re.search(r'max="10000" value="1234">1,234 of 10,000</progress>', html)

    counted(statement, 10_000)
    html = page(client, statement)
    assert "Goal of 10,000 reached. Next milestone: 25,000" in html
    assert re.search(r'max="25000" value="11234">11,234 of 25,000</progress>', html)


def test_the_page_says_how_many_signed_in_the_last_day(client, make_statement, make_signature):
    statement = make_statement()
    now = utcnow()
    for hours_ago in (1, 5, 23):
        make_signature(statement, created_at=now - timedelta(hours=hours_ago))
    make_signature(statement, created_at=now - timedelta(hours=25))
    make_signature(statement, created_at=now, status=SignatureStatus.pending)
    make_signature(statement, created_at=now, status=SignatureStatus.withdrawn)
    other = make_statement()
    make_signature(other, created_at=now)

    assert "3 signed in the last 24 hours" in page(client, statement)


def test_nobody_signing_today_is_not_announced(client, make_statement, make_signature):
    statement = make_statement()
    make_signature(statement, created_at=utcnow() - timedelta(days=3))
    assert "in the last 24 hours" not in page(client, statement)


def test_the_last_day_is_counted_from_the_index_not_from_every_signature(
    app, make_statement, on_postgresql
):
    """The count reads the (statement, status, created_at) index over the last day's range."""
    statement = make_statement()
    seen = []

    def keep(connection, cursor, statement_text, parameters, context, executemany):
        seen.append((statement_text, parameters))

    event.listen(db.engine, "before_cursor_execute", keep)
    try:
        signed_since(statement, utcnow() - RECENT)
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    [(query, parameters)] = [(q, p) for q, p in seen if "count" in q.lower()]

    connection = db.session.connection()
    if on_postgresql:
        # On an empty table any index of the statement's ties: give the planner a statement
        # with a long history (signed days ago) and its statistics, as a real one has.
        connection.exec_driver_sql(
            "INSERT INTO signatures (statement_id, revision, name, affiliation, "
            "personal_capacity, country, show_publicly, featured, comment, status, "
            "consent_version, created_at) "
            "SELECT %(id)s, 1, 'Signatory ' || n, '', false, 'GB', true, false, '', "
            "'confirmed', '', now() - interval '3 days' FROM generate_series(1, 5000) AS n",
            {"id": statement.id})
        connection.exec_driver_sql("ANALYZE signatures")
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = connection.exec_driver_sql("EXPLAIN " + query, parameters).scalars().all()
    else:
        plan = [row[-1] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query,
                                                              parameters)]
    db.session.rollback()
    assert any("ix_signatures_statement_status_created" in line for line in plan), plan
    assert not any("Seq Scan" in line or line.startswith("SCAN signatures") for line in plan), plan


def test_the_newest_listed_signatories_are_named_beside_the_form(
    client, make_statement, make_signature
):
    statement = make_statement()
    now = utcnow()
    for number in range(1, 8):
        make_signature(statement, name=f"Signatory {number}", affiliation=f"Union {number}",
                       created_at=now - timedelta(minutes=60 - number))
    make_signature(statement, name="Not Listed", show_publicly=False, created_at=now)
    make_signature(statement, name="Not Confirmed", status=SignatureStatus.pending, created_at=now)
    html = page(client, statement)

    sign = html[html.index('id="sign"'):html.index('id="signatories-title"')]
    latest = re.findall(r'<span class="signatory__name">([^<]+)</span>', sign)
    assert latest == ["Signatory 7", "Signatory 6", "Signatory 5", "Signatory 4", "Signatory 3"]
    assert "Union 7" in sign
    assert "Not Listed" not in html and "Not Confirmed" not in html


def test_the_form_asks_how_the_signature_appears_as_one_question_left_unticked(
    client, make_statement
):
    html = page(client, make_statement())
    form = html[html.index('<form method="post"'):html.index("</form>")]
    fields = re.findall(r'<(?:input|select|textarea)[^>]*\bid="(\w+)"', form)
    assert fields == ["form_token", "source", "referrer", "name", "affiliation",
                      "personal_capacity", "show_publicly", "email", "country", "comment",
                      "email_updates", "consent", "website"]
    question = re.search(r'<fieldset class="fieldset">(.*?)</fieldset>', form, re.S).group(1)
    assert '<legend class="fieldset__legend">How should your signature appear?</legend>' in question
    for box in ("personal_capacity", "show_publicly"):
        assert f'id="{box}"' in question
        assert "checked" not in re.search(rf'<input[^>]*id="{box}"[^>]*>', form).group(0)


def test_a_comment_sent_back_with_a_mistake_is_shown_open(client, make_statement, sign):
    statement = make_statement()
    html = page(client, statement)
    assert '<details class="optional-field">' in html
    html = sign(statement, name="", comment="Слава Україні").get_data(as_text=True)
    assert '<details class="optional-field" open>' in html
    assert "Слава Україні</textarea>" in html


def test_a_phone_reader_can_jump_from_the_count_to_the_form(client, make_statement):
    statement = make_statement()
    html = page(client, statement)
    tally = html[html.index('<section class="tally"'):html.index('<section id="sign"')]
    assert '<a class="button" href="#sign">Sign</a>' in tally
    assert 'id="count"' in tally and "<progress" in tally

    statement.status = StatementStatus.closed
    db.session.commit()
    html = page(client, statement)
    assert 'href="#sign"' not in html
    assert "Signing has closed." in html
