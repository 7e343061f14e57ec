"""Signature counts: sharded, never a COUNT(*) per page view, exact after reconciliation."""
import threading
import uuid

import pytest
from sqlalchemy import event, func, select

from campaign.extensions import db
from campaign.signatures import counts
from campaign.signatures.models import Signature, SignatureStatus
from campaign.signatures.models import SignatureCountShard


def _sign(client, slug: str, public=True):
    data = {"name": "Lesya Ukrainka", "email": f"{uuid.uuid4().hex[:12]}@example.org",
            "country": "UA", "consent": "y"}
    if public:
        data["show_publicly"] = "y"
    return client.submit(f"/s/{slug}/sign", data, page=f"/s/{slug}")


def test_counts_after_a_burst_of_signing_equal_the_exact_counts(client, make_statement):
    statement = make_statement()
    statuses = [_sign(client, statement.slug, public=n % 3 != 0).status_code for n in range(30)]
    assert set(statuses) == {302}
    assert counts.totals(statement.id) == counts.Totals(counted=30, listed=20)
    before, after = counts.reconcile(statement.id)
    assert before == after == counts.exact_totals(statement.id) == counts.Totals(30, 20)


def test_signing_spreads_over_several_count_rows(client, make_statement):
    statement = make_statement()
    for _ in range(40):
        _sign(client, statement.slug)
    shards = db.session.scalar(
        select(func.count()).where(SignatureCountShard.statement_id == statement.id)
    )
    assert shards > 1


def test_reconciling_reports_drift_and_repairs_it(make_statement, make_signature):
    statement = make_statement()
    for n in range(5):
        make_signature(statement, show_publicly=n < 2)
    make_signature(statement, status=SignatureStatus.pending)
    counts.adjust(statement.id, counted=7, listed=1)  # counts that went wrong somehow
    db.session.commit()

    before, after = counts.reconcile(statement.id)

    assert before == counts.Totals(7, 1)
    assert after == counts.Totals(5, 2)
    assert counts.totals(statement.id) == counts.Totals(5, 2)


def test_the_public_page_reads_the_count_without_counting_signatures(
    client, make_statement, make_signature
):
    statement = make_statement()
    for _ in range(3):
        make_signature(statement)
    counts.reconcile(statement.id)
    statements = []

    def remember(conn, cursor, sql, parameters, context, executemany):
        statements.append(" ".join(sql.lower().split()))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        page = client.get(f"/s/{statement.slug}")
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)
    assert page.status_code == 200
    assert "3" in page.get_data(as_text=True)
    # The curated rows are counted through their index, and the last day's signatures over
    # that day's range of the (statement, status, created_at) index (test_statement_page.py).
    counting_all = [
        sql for sql in statements
        if "count(" in sql and "from signatures" in sql and "featured" not in sql
        and "signatures.created_at >=" not in sql
    ]
    assert counting_all == []
    assert any("signature_count_shards" in sql for sql in statements)


def test_counts_stay_exact_while_many_sign_at_once_and_reconcile_runs(
    app, on_postgresql, make_statement
):
    if not on_postgresql:
        pytest.skip("real concurrency needs PostgreSQL")
    statement = make_statement()
    slug, statement_id = statement.slug, statement.id
    failures = []

    def signer():
        client = app.test_client()
        with app.app_context():
            try:
                for _ in range(15):
                    status = _sign(client, slug).status_code
                    if status != 302:
                        failures.append(status)
            except Exception as error:  # a thread's exception would otherwise go unseen
                failures.append(repr(error))

    reconciled = []

    def reconciler(stop):
        with app.app_context():
            try:
                while not stop.is_set():
                    counts.reconcile(statement_id)
                    reconciled.append(True)
            except Exception as error:
                failures.append(repr(error))

    stop = threading.Event()
    signers = [threading.Thread(target=signer) for _ in range(8)]
    background = threading.Thread(target=reconciler, args=(stop,))
    background.start()
    for thread in signers:
        thread.start()
    for thread in signers:
        thread.join()
    stop.set()
    background.join()

    assert failures == []
    assert reconciled
    stored = db.session.scalar(
        select(func.count()).where(Signature.statement_id == statement_id)
    )
    assert stored == 120
    assert counts.totals(statement_id) == counts.exact_totals(statement_id) == counts.Totals(
        120, 120)

