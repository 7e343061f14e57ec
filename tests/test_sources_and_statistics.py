"""Where support comes from: the code of a tracked link and the referring site travel with the
form into the signature or registration, the statistics, the export and the public figures."""
import csv
import io
import json
import re
import uuid
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from campaign.audit.models import AuditEntry
from campaign.events.models import Registration
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.signatures import breakdown, counts
from campaign.signatures.emails import tell_new_signatories
from campaign.signatures.models import Breakdown, Signature, SignatureStatus
from campaign.signatures.service import confirm, delete, hide
from campaign.stats.models import TrackedLink
from tests.pages import table_page, without_cell_labels


def hidden_value(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no {name} field"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def sign_through(client, statement, query: str = "", referrer: str = "", **fields):
    """Open the statement page by a link, then sign with the hidden fields it carries."""
    page = table_page(client, f"/s/{statement.slug}{query}")
    data = {"name": "Olena Kovalenko", "email": f"{uuid.uuid4().hex[:10]}@example.org",
            "country": "UA", "consent": "y", "source": hidden_value(page, "source"),
            "referrer": referrer}
    data.update(fields)
    response = client.submit(f"/s/{statement.slug}/sign", data, page=f"/s/{statement.slug}")
    tell_new_signatories()  # the mail sender, after the answer
    return response


def only_signature(statement) -> Signature:
    return db.session.scalars(select(Signature).where(Signature.statement_id == statement.id)).one()


def exported_rows(client, statement) -> list[dict]:
    text = table_page(client, f"/dashboard/statements/{statement.id}/signatures.csv")
    return list(csv.DictReader(io.StringIO(text)))


def full_recount(statement_id: int) -> dict:
    """Every breakdown counted from the signatures themselves, as (signed, counted, opted in to
    updates) per key."""
    figures: dict = {}
    for signature in db.session.scalars(
            select(Signature).where(Signature.statement_id == statement_id)):
        counted = int(signature.status is SignatureStatus.confirmed)
        for name, key in breakdown.keys_of(signature).items():
            signed_before, counted_before, opted_before = figures.get((name, key), (0, 0, 0))
            figures[(name, key)] = (signed_before + 1, counted_before + counted,
                                    opted_before + signature.wants_updates)
    return figures


def kept_counters(statement_id: int) -> dict:
    return {(kind.value, key): tuple(value) for kind in Breakdown
            for key, value in breakdown.sums(statement_id, kind).items() if any(value)}


# Sources ---------------------------------------------------------------------------------


def test_a_signature_through_a_tracked_link_carries_its_code_into_the_statistics_and_export(
    client, logged_in, make_statement
):
    statement = make_statement(requires_confirmation=False)
    logged_in(Role.editor)
    made = client.submit(f"/dashboard/statements/{statement.id}/links",
                         {"code": "Unite-Leeds", "partner": "Unite, Leeds branch"},
                         page=f"/dashboard/statements/{statement.id}/statistics")
    assert made.status_code == 303
    link = db.session.scalars(select(TrackedLink)).one()
    assert link.code == "unite-leeds"
    stats_page = client.get(f"/dashboard/statements/{statement.id}/statistics")
    assert f"http://localhost/s/{statement.slug}?source=unite-leeds" in stats_page.get_data(
        as_text=True)
    qr = client.get(f"/dashboard/links/{link.id}/qr.png")
    assert qr.status_code == 200 and qr.data.startswith(b"\x89PNG")

    visitor = client.application.test_client()
    response = sign_through(visitor, statement, "?source=unite-leeds",
                            referrer="https://unite.example.org/branches/leeds?utm=x#top")
    assert response.status_code == 302

    signature = only_signature(statement)
    assert (signature.source, signature.referrer_domain) == ("unite-leeds", "unite.example.org")
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    links_table = html[html.index('id="links-title"'):]
    row = re.search(r'<th scope="row">unite-leeds</th>(.*?)</tr>', links_table, re.S).group(1)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1"]
    [exported] = exported_rows(client, statement)
    assert (exported["source"], exported["referrer_domain"]) == ("unite-leeds", "unite.example.org")
    assert list(exported)[-2:] == ["source", "referrer_domain"]


def test_utm_source_or_campaign_stands_in_for_a_missing_source(client, make_statement):
    statement = make_statement()
    page = table_page(client, f"/s/{statement.slug}?utm_campaign=Spring-Leaflet")
    assert hidden_value(page, "source") == "spring-leaflet"
    page = client.get(f"/s/{statement.slug}?utm_source=newsletter&utm_campaign=x").get_data(
        as_text=True)
    assert hidden_value(page, "source") == "newsletter"


@pytest.mark.parametrize("code", ["<script>", "=cmd|'/c calc'!A1", "a" * 65, "bad\x00code",
                                  "ünïcode"])
def test_a_malformed_code_in_a_link_is_ignored(client, make_statement, code):
    statement = make_statement()
    response = client.get(f"/s/{statement.slug}", query_string={"source": code})
    assert response.status_code == 200
    assert hidden_value(response.get_data(as_text=True), "source") == ""


@pytest.mark.parametrize("field, value, message", [
    ("source", "<b>partner</b>", "source code can only have letters"),
    ("source", "x" * 65, "source code can only have letters"),
    ("source", "=1+1", "source code can only have letters"),
    ("referrer", "javascript:alert(1)", "is not a web address"),
    ("referrer", "https://exa mple.org/", "is not a web address"),
    ("referrer", "https://" + "a" * 2100 + ".org", "is not a web address"),
])
def test_a_tampered_hidden_field_is_refused_with_a_message(client, make_statement, field, value,
                                                           message):
    statement = make_statement()
    response = sign_through(client, statement, **{field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_only_the_referring_domain_is_kept_and_this_site_is_no_referrer(client, make_statement):
    statement = make_statement()
    sign_through(client, statement, referrer="https://News.Example.COM/article/123?who=me")
    assert only_signature(statement).referrer_domain == "news.example.com"

    other = make_statement()
    sign_through(client, other, referrer=f"http://localhost/s/{statement.slug}")
    assert only_signature(other).referrer_domain == ""


def test_no_cookie_is_set_for_the_source(make_statement, app):
    statement = make_statement()
    response = app.test_client().get(f"/s/{statement.slug}?source=unite-leeds")
    assert "source" not in response.headers.get("Set-Cookie", "")


def test_a_registration_through_a_tracked_link_keeps_its_code(client, make_event, logged_in):
    event = make_event()
    page = table_page(client, f"/e/{event.slug}?source=leaflet-2027")
    response = client.submit(f"/e/{event.slug}", {
        "name": "Oksana Holota", "email": "oksana@example.org", "consent": "y",
        "ticket": str(event.ticket_types[0].id), "source": hidden_value(page, "source"),
        "referrer": "https://partner.example.net/events",
    }, page=f"/e/{event.slug}")
    assert response.status_code == 200
    registration = db.session.scalars(select(Registration)).one()
    assert (registration.source, registration.referrer_domain) == (
        "leaflet-2027", "partner.example.net")

    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/events/{event.id}/statistics")
    assert "<title id=\"per-day-title\">Registrations per day</title>" in html
    assert re.search(r"<th scope=\"row\">leaflet-2027</th><td>1</td><td>1</td>", html)
    assert re.search(r"<th scope=\"row\">Free ticket</th><td>1</td>", html)


# Tracked links in the dashboard ------------------------------------------------------------


def test_a_code_is_made_once_per_statement_and_bad_codes_are_refused(client, logged_in,
                                                                     make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    url = f"/dashboard/statements/{statement.id}/links"
    page = f"/dashboard/statements/{statement.id}/statistics"
    assert client.submit(url, {"code": "unite"}, page=page).status_code == 303
    again = client.submit(url, {"code": "UNITE"}, page=page)
    assert again.status_code == 400
    assert "There is already a link with the code unite." in again.get_data(as_text=True)
    for bad in ("<script>", "", "a b", "x" * 65, "=SUM(A1)", "nul\x00"):
        response = client.submit(url, {"code": bad}, page=page)
        assert response.status_code == 400, bad
        assert "There is a problem" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) == 1


def test_deleting_a_tracked_link_asks_first_and_is_audited(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.editor)
    client.submit(f"/dashboard/statements/{statement.id}/links", {"code": "unite"},
                  page=f"/dashboard/statements/{statement.id}/statistics")
    link = db.session.scalars(select(TrackedLink)).one()
    question = client.get(f"/dashboard/links/{link.id}/delete")
    assert "Delete the tracked link unite?" in question.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) == 1
    done = client.submit(f"/dashboard/links/{link.id}/delete", {}, page="/dashboard")
    assert done.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(TrackedLink)) == 0
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "stats.link_create" in actions and "stats.link_delete" in actions
    assert client.get("/dashboard/links/999999/delete").status_code == 404
    assert client.get("/dashboard/links/99999999999999999999/qr.png").status_code == 404


def test_a_viewer_sees_the_statistics_but_cannot_make_links(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.viewer)
    assert client.get(f"/dashboard/statements/{statement.id}/statistics").status_code == 200
    refused = client.submit(f"/dashboard/statements/{statement.id}/links", {"code": "x"},
                            page=f"/dashboard/statements/{statement.id}/statistics")
    assert refused.status_code == 403
    assert client.get(f"/dashboard/statements/{statement.id}/links").status_code == 405


# Breakdowns and charts ------------------------------------------------------------------------


def test_the_statistics_page_draws_accessible_charts_with_their_numbers(
    client, logged_in, make_statement
):
    statement = make_statement(requires_confirmation=False, signature_goal=50)
    for country, source in (("UA", "unite"), ("UA", ""), ("GB", "unite")):
        sign_through(client, statement, f"?source={source}" if source else "", country=country)
    logged_in(Role.viewer)
    response = client.get(f"/dashboard/statements/{statement.id}/statistics")
    html = without_cell_labels(response.get_data(as_text=True))
    assert response.status_code == 200
    for chart_id, title in (("per-day", "Signatures counted per day"),
                            ("per-hour", "Signatures counted per hour, the last two days"),
                            ("cumulative", "Signatures counted so far"),
                            ("by-country", "Signatures counted by country")):
        assert f'<title id="{chart_id}-title">{title}</title>' in html
        assert f'aria-labelledby="{chart_id}-title {chart_id}-desc"' in html
    assert re.search(r'<th scope="row">Ukraine</th><td>2</td>', html)
    assert re.search(r'<th scope="row">United Kingdom</th><td>1</td>', html)
    assert re.search(r'<th scope="row">unite</th><td>2</td><td>2</td><td>100%</td>', html)
    assert 'class="chart__goal"' in html
    assert "style=" not in html[html.index("<svg"):html.rindex("</svg>")]
    assert "<script" not in html.replace('<script src="/static/js/site.js" defer></script>', "")


def test_counters_follow_every_change_and_match_a_full_recount(client, make_statement):
    statement = make_statement(requires_confirmation=True)
    for country in ("UA", "UA", "GB", "PL"):
        sign_through(client, statement, "?source=unite", country=country)
    signatures = db.session.scalars(select(Signature).order_by(Signature.id)).all()
    assert kept_counters(statement.id)[("source", "unite")] == (4, 0, 0)
    confirm(signatures[0])
    confirm(signatures[1])
    hide(signatures[1])
    delete(signatures[2])
    assert kept_counters(statement.id) == full_recount(statement.id)
    assert kept_counters(statement.id)[("country", "UA")] == (2, 1, 0)
    assert kept_counters(statement.id)[("source", "unite")] == (3, 1, 0)


def test_reconcile_recomputes_the_counters(runner, make_statement, make_signature):
    statement = make_statement()
    make_signature(statement, country="FR", source="paper")
    make_signature(statement, country="FR", status=SignatureStatus.pending)
    assert kept_counters(statement.id) == {}
    result = runner.invoke(args=["signatures", "reconcile", statement.slug])
    assert result.exit_code == 0, result.output
    assert kept_counters(statement.id) == full_recount(statement.id)
    assert kept_counters(statement.id)[("country", "FR")] == (2, 1, 0)
    assert kept_counters(statement.id)[("source", "paper")] == (1, 1, 0)


def test_the_statistics_read_counters_not_signatures(client, logged_in, make_statement):
    from sqlalchemy import event as sql_event

    statement = make_statement(requires_confirmation=False)
    sign_through(client, statement)
    logged_in(Role.viewer)
    seen = []

    def keep(connection, cursor, statement_text, parameters, context, executemany):
        seen.append(statement_text.lower())

    sql_event.listen(db.engine, "before_cursor_execute", keep)
    try:
        client.get(f"/dashboard/statements/{statement.id}/statistics")
        client.get(f"/s/{statement.slug}/stats.json")
    finally:
        sql_event.remove(db.engine, "before_cursor_execute", keep)
    assert not [sql for sql in seen if "from signatures" in sql and "created_at >=" not in sql]


def test_counters_match_a_full_recount_after_concurrent_signing(app, on_postgresql,
                                                                make_statement):
    if not on_postgresql:
        pytest.skip("real concurrency needs PostgreSQL")
    import threading

    statement = make_statement(requires_confirmation=False)
    statement_id, failures = statement.id, []
    slug_only = SimpleNamespace(slug=statement.slug)

    def signer(number):
        client = app.test_client()
        with app.app_context():
            try:
                for round_ in range(10):
                    response = sign_through(client, slug_only, f"?source=code-{round_ % 3}",
                                            country=("UA", "GB", "PL")[number % 3],
                                            email_updates="y" if round_ % 2 else "")
                    if response.status_code != 302:
                        failures.append(response.status_code)
            except Exception as error:  # a thread's exception would otherwise go unseen
                failures.append(repr(error))

    threads = [threading.Thread(target=signer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    db.session.expire_all()
    recount = full_recount(statement_id)
    assert sum(signed for (name, _key), (signed, *_rest) in recount.items()
               if name == "day") == 80
    assert sum(opted_in for (name, _key), (*_rest, opted_in) in recount.items()
               if name == "day") == 40
    assert kept_counters(statement_id) == recount
    counts.reconcile(statement_id)
    assert kept_counters(statement_id) == recount


def test_a_pending_signature_holds_a_count_shard_so_reconcile_waits_for_it(
        app, on_postgresql, make_statement):
    """A signature awaiting confirmation counts nothing, yet its "signed" counters move, so
    its transaction still writes a zero to a count shard (`counts.count_stored`): a reconcile
    started meanwhile waits for it instead of recounting its row and keeping its counters too.
    """
    if not on_postgresql:
        pytest.skip("real concurrency needs PostgreSQL")
    import threading

    from sqlalchemy import event as sql_event

    statement = make_statement(requires_confirmation=True)
    statement_id, slug_only = statement.id, SimpleNamespace(slug=statement.slug)
    signer_paused, let_signer_commit, failures = threading.Event(), threading.Event(), []

    def pause_the_signer(conn, cursor, statement_sql, parameters, context, executemany):
        # The counters' own INSERT, or (PostgreSQL) the signature's, which writes them too.
        if threading.current_thread() is signer and "signature_stat_shards" in statement_sql \
                and statement_sql.startswith(("INSERT", "WITH")):
            signer_paused.set()
            let_signer_commit.wait(timeout=2)  # holding a shard, reconcile waits: go on

    def release_the_signer(conn, cursor, statement_sql, parameters, context, executemany):
        if threading.current_thread() is threading.main_thread() and \
                statement_sql.startswith("DELETE FROM signature_stat_shards"):
            let_signer_commit.set()
            signer.join(timeout=10)

    def sign():
        with app.app_context():
            try:
                response = sign_through(app.test_client(), slug_only, "?source=unite")
                if response.status_code != 302:
                    failures.append(response.status_code)
            except Exception as error:  # a thread's exception would otherwise go unseen
                failures.append(repr(error))

    signer = threading.Thread(target=sign)
    sql_event.listen(db.engine, "after_cursor_execute", pause_the_signer)
    sql_event.listen(db.engine, "after_cursor_execute", release_the_signer)
    try:
        signer.start()
        assert signer_paused.wait(timeout=10)
        counts.reconcile(statement_id)
        signer.join(timeout=10)
    finally:
        sql_event.remove(db.engine, "after_cursor_execute", pause_the_signer)
        sql_event.remove(db.engine, "after_cursor_execute", release_the_signer)
    assert failures == []
    db.session.expire_all()
    assert kept_counters(statement_id) == full_recount(statement_id)
    assert kept_counters(statement_id)[("source", "unite")] == (1, 0, 0)
    assert counts.totals(statement_id) == counts.Totals(0, 0)


# Public figures ---------------------------------------------------------------------------------


def test_where_signatories_are_from_is_public_only_when_switched_on(
    client, logged_in, make_statement
):
    statement = make_statement(requires_confirmation=False)
    for country in ("UA", "UA", "GB"):
        sign_through(client, statement, country=country, email=f"{uuid.uuid4().hex}@example.org")
    assert "Where signatories are from" not in client.get(f"/s/{statement.slug}").get_data(
        as_text=True)
    assert client.get(f"/s/{statement.slug}/stats.json").status_code == 404

    logged_in(Role.editor)
    saved = client.submit(f"/dashboard/statements/{statement.id}/statistics/settings",
                          {"public": "y", "milestones": ""},
                          page=f"/dashboard/statements/{statement.id}/statistics")
    assert saved.status_code == 303
    client.get("/logout")
    visitor = client.application.test_client()
    html = table_page(visitor, f"/s/{statement.slug}")
    section = html[html.index("Where signatories are from"):]
    assert re.search(r"Ukraine</span> <span class=\"where-from__count\">2<", section)
    assert section.index("Ukraine") < section.index("United Kingdom")

    response = visitor.get(f"/s/{statement.slug}/stats.json")
    figures = response.get_json()
    assert figures["signatures"] == 3
    assert figures["by_country"] == [{"country": "UA", "signatures": 2},
                                     {"country": "GB", "signatures": 1}]
    assert [day["signatures"] for day in figures["by_day"]] == [3]
    assert "@" not in response.get_data(as_text=True)
    assert "Olena" not in response.get_data(as_text=True)


def test_the_command_line_prints_the_same_figures(runner, client, make_statement):
    statement = make_statement(requires_confirmation=False)
    sign_through(client, statement, "?source=unite", country="UA")
    sign_through(client, statement, country="GB")
    text = runner.invoke(args=["signatures", "stats", statement.slug])
    assert text.exit_code == 0, text.output
    assert "Signatures counted: 2; made: 2; confirmation rate: 100%" in text.output
    assert re.search(r"unite\s+1, 1", text.output)
    as_json = runner.invoke(args=["signatures", "stats", statement.slug, "--json"])
    figures = json.loads(as_json.output)
    assert figures["signatures"] == 2
    assert {"source": "unite", "signed": 1, "signatures": 1, "opted_in": 0} in figures["by_source"]
    unknown = runner.invoke(args=["signatures", "stats", "no-such-statement"])
    assert unknown.exit_code != 0 and "no statement" in unknown.output


def test_a_person_gets_their_source_in_a_copy_and_erasure_wipes_the_site_they_came_from(
    client, make_statement
):
    from campaign.privacy.duties import erase_person, export_person

    statement = make_statement(requires_confirmation=False)
    sign_through(client, statement, "?source=unite", referrer="https://blog.olena.example/",
                 email="olena@example.org")
    [copy] = export_person("olena@example.org", actor="cli")["signatures"]
    assert (copy["source"], copy["referrer_domain"]) == ("unite", "blog.olena.example")

    erase_person("olena@example.org", actor="cli")
    signature = only_signature(statement)
    assert signature.referrer_domain == "" and signature.source == "unite"
    assert kept_counters(statement.id) == full_recount(statement.id)
    assert kept_counters(statement.id)[("source", "unite")] == (1, 0, 0)


def _flask_db(app, *args):
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def test_the_signatures_already_stored_are_counted_by_the_migration(test_settings, tmp_path):
    from campaign import create_app
    from campaign.statements.models import Campaign, Statement
    from tests.conftest import empty_database

    with empty_database(tmp_path, prefix="campaign_stats_migration") as url:
        app = create_app({**test_settings, "SQLALCHEMY_DATABASE_URI": url})
        _flask_db(app, "upgrade")
        with app.app_context():
            statement = Statement(campaign=Campaign(name="Solidarity", slug="solidarity"),
                                  slug="free-ukraine", title="A free Ukraine")
            db.session.add_all([
                Signature(statement=statement, name="Ian Ford", country="GB", source="unite",
                          status=SignatureStatus.confirmed),
                Signature(statement=statement, name="Olena", country="UA",
                          status=SignatureStatus.pending),
            ])
            db.session.commit()
            statement_id = statement.id
            db.engine.dispose()
        # Written through today's models, then taken back to before the counters: the
        # signatures stay, as they were when the revision first ran.
        _flask_db(app, "downgrade", "3e690c2b5dfc-1")
        _flask_db(app, "upgrade")
        with app.app_context():
            assert kept_counters(statement_id) == full_recount(statement_id)
            assert kept_counters(statement_id)[("source", "unite")] == (1, 1, 0)
            db.engine.dispose()


# The update opt-in rate -----------------------------------------------------------------------


def _figure(html: str, term: str) -> str:
    """The figure a <dt> names in the page's list of figures."""
    match = re.search(rf"<dt>{re.escape(term)}</dt><dd>(.*?)</dd>", html, re.S)
    assert match, f"no figure {term}"
    return match.group(1).strip()


def _three_sign_and_two_ask_for_updates(statement):
    """Olena (through unite's link) and Oksana tick "Email me updates"; Ian does not."""
    visitor = _visitor()
    for name, source, updates in (("Olena", "unite", "y"), ("Ian", "unite", ""),
                                  ("Oksana", "", "y")):
        fields = {"name": name, "email": f"{name.lower()}@example.org"}
        if updates:
            fields["email_updates"] = updates
        response = sign_through(visitor, statement, f"?source={source}" if source else "",
                                **fields)
        assert response.status_code == 302


def _visitor():
    """A browser of its own, not the organizer's."""
    from flask import current_app

    return current_app.test_client()


def test_the_statistics_show_how_many_signers_asked_for_updates(client, logged_in,
                                                                  make_statement):
    statement = make_statement(requires_confirmation=True)
    _three_sign_and_two_ask_for_updates(statement)

    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    assert _figure(html, "Confirmation rate") == "0%"
    assert _figure(html, "Update opt-in rate") == "67% (2 of 3)"
    sources = html[html.index('id="sources-title"'):html.index('id="links-title"')]
    assert "<th scope=\"col\">Update opt-in rate</th>" in sources
    assert re.search(r'<th scope="row">unite</th><td>2</td><td>0</td><td>0%</td>'
                     r'<td>50% \(1 of 2\)</td>', sources)
    assert re.search(r'<th scope="row">No source</th><td>1</td><td>0</td><td>0%</td>'
                     r'<td>100% \(1 of 1\)</td>', sources)


def test_nobody_signed_yet_shows_no_rate(client, logged_in, make_statement):
    statement = make_statement()
    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    assert _figure(html, "Update opt-in rate") == "–"


def test_the_command_line_prints_the_update_opt_in_rate(runner, make_statement):
    statement = make_statement(requires_confirmation=False)
    _three_sign_and_two_ask_for_updates(statement)

    text = runner.invoke(args=["signatures", "stats", statement.slug])
    assert text.exit_code == 0, text.output
    assert "Update opt-in rate: 67% (2 of 3 asked for updates)" in text.output
    assert re.search(r"unite\s+2, 2, 1", text.output)
    figures = json.loads(runner.invoke(args=["signatures", "stats", statement.slug,
                                             "--json"]).output)
    assert (figures["signed"], figures["opted_in"], figures["opt_in_rate"]) == (3, 2, 0.6667)
    assert {"source": "unite", "signed": 2, "signatures": 2, "opted_in": 1} in figures[
        "by_source"]


def test_reconcile_after_the_counters_are_lost_gives_the_same_rate(
    client, logged_in, runner, make_statement
):
    from sqlalchemy import delete as delete_rows

    from campaign.signatures.models import SignatureStatShard

    statement = make_statement(requires_confirmation=False)
    _three_sign_and_two_ask_for_updates(statement)
    kept = kept_counters(statement.id)
    assert kept == full_recount(statement.id)
    assert kept[("source", "unite")] == (2, 2, 1)

    db.session.execute(delete_rows(SignatureStatShard)
                       .where(SignatureStatShard.statement_id == statement.id))
    db.session.commit()
    assert kept_counters(statement.id) == {}
    result = runner.invoke(args=["signatures", "reconcile", statement.slug])
    assert result.exit_code == 0, result.output

    assert kept_counters(statement.id) == kept
    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    assert _figure(html, "Update opt-in rate") == "67% (2 of 3)"


def test_a_deleted_signature_takes_its_opt_in_out_of_the_rate(client, logged_in,
                                                              make_statement):
    statement = make_statement(requires_confirmation=False)
    _three_sign_and_two_ask_for_updates(statement)
    olena = db.session.scalars(select(Signature).where(Signature.name == "Olena")).one()
    assert olena.wants_updates
    delete(olena)
    assert kept_counters(statement.id) == full_recount(statement.id)

    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    assert _figure(html, "Update opt-in rate") == "50% (1 of 2)"


def test_the_public_figures_leave_the_update_opt_in_rate_out(client, logged_in,
                                                             make_statement):
    statement = make_statement(requires_confirmation=False)
    _three_sign_and_two_ask_for_updates(statement)
    logged_in(Role.editor)
    client.submit(f"/dashboard/statements/{statement.id}/statistics/settings",
                  {"public": "y", "milestones": ""},
                  page=f"/dashboard/statements/{statement.id}/statistics")
    client.get("/logout")

    response = _visitor().get(f"/s/{statement.slug}/stats.json")
    assert response.status_code == 200
    assert response.get_json()["signatures"] == 3
    assert set(response.get_json()) == {"statement", "signatures", "by_country", "by_day"}
    assert "opt" not in response.get_data(as_text=True)
    page = _visitor().get(f"/s/{statement.slug}").get_data(as_text=True)
    assert "opt-in" not in page


def test_the_event_statistics_show_how_many_registrants_asked_for_updates(
    client, logged_in, make_event
):
    event = make_event(tickets=({"name": "Free ticket"}, {"name": "Supporter"}))
    free, supporter = event.ticket_types
    visitor = _visitor()
    for name, ticket, updates in (("Olena", free, "y"), ("Ian", free, ""),
                                  ("Oksana", supporter, "y")):
        fields = {"name": name, "email": f"{name.lower()}@example.org", "consent": "y",
                  "ticket": str(ticket.id)}
        if updates:
            fields["email_updates"] = updates
        assert visitor.submit(f"/e/{event.slug}", fields, page=f"/e/{event.slug}"
                              ).status_code == 200
    assert sorted(db.session.scalars(select(Registration.wants_updates))) == [False, True, True]

    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/events/{event.id}/statistics")
    assert _figure(html, "Registrations") == "3"
    assert _figure(html, "Update opt-in rate") == "67% (2 of 3)"
    assert re.search(r'<th scope="row">No source</th><td>3</td><td>3</td>'
                     r'<td>67% \(2 of 3\)</td>', html)


def test_the_migration_learns_each_choice_from_the_supporters_records(test_settings, tmp_path):
    from datetime import timedelta

    from campaign import create_app
    from campaign.common.time import utcnow
    from campaign.statements.models import Campaign, Statement, StatementStatus
    from campaign.supporters.models import Supporter
    from tests.conftest import CampaignClient, empty_database

    with empty_database(tmp_path, prefix="campaign_opt_in_migration") as url:
        app = create_app({**test_settings, "SQLALCHEMY_DATABASE_URI": url})
        app.test_client_class = CampaignClient
        _flask_db(app, "upgrade")
        with app.app_context():
            campaign = Campaign(name="Solidarity", slug="solidarity")
            statement, later = (
                Statement(campaign=campaign, slug=slug, title="A free Ukraine",
                          status=StatementStatus.published, requires_confirmation=False)
                for slug in ("free-ukraine", "later"))
            db.session.add_all([statement, later])
            db.session.commit()
            statement_id = statement.id
            _three_sign_and_two_ask_for_updates(statement)
            # Olena signs another statement a day later without asking again: she asked once.
            sign_through(app.test_client(), later, name="Olena", email="olena@example.org")
            db.session.execute(
                Signature.__table__.update().where(Signature.statement_id == later.id)
                .values(created_at=utcnow() + timedelta(days=1)))
            db.session.commit()
            assert db.session.scalar(select(func.count()).select_from(Supporter)) == 3
            before = kept_counters(statement_id)
            assert before[("source", "unite")] == (2, 2, 1)
            db.engine.dispose()

        _flask_db(app, "downgrade", "fa0d88fb5242-1")
        _flask_db(app, "upgrade")
        with app.app_context():
            chosen = dict(db.session.execute(select(Signature.name, Signature.wants_updates)
                                             .where(Signature.statement_id == statement_id)).all())
            assert chosen == {"Olena": True, "Ian": False, "Oksana": True}
            assert db.session.scalars(select(Signature.wants_updates)
                                      .where(Signature.statement_id != statement_id)).all() == [
                False]
            assert kept_counters(statement_id) == before == full_recount(statement_id)
            db.engine.dispose()


def test_the_running_total_of_a_statement_signed_on_one_day_shows_as_a_point(
    client, logged_in, make_statement
):
    """A line through one day's total has no length: its end is drawn as a point."""
    statement = make_statement(requires_confirmation=False)
    for _ in range(3):
        sign_through(client, statement, "")
    logged_in(Role.viewer)
    html = client.get(f"/dashboard/statements/{statement.id}/statistics").get_data(as_text=True)
    so_far = html[html.index('id="cumulative-title"'):]
    so_far = so_far[:so_far.index("</svg>")]
    assert re.search(r'<circle class="chart__end" cx="[\d.]+" cy="[\d.]+" r="5"><title>'
                     r'\d{4}-\d\d-\d\d: 3</title></circle>', so_far)


def test_a_signer_who_signs_again_asking_for_updates_counts_as_asking(client, logged_in,
                                                                       make_statement):
    """Ian signed without the box, then again with it: he asked, once, however often he repeats."""
    statement = make_statement(requires_confirmation=True)
    _three_sign_and_two_ask_for_updates(statement)
    for _repeat in range(2):
        response = sign_through(_visitor(), statement, "?source=unite", name="Ian",
                                email="ian@example.org", email_updates="y")
        assert response.status_code == 302

    logged_in(Role.viewer)
    html = table_page(client, f"/dashboard/statements/{statement.id}/statistics")
    assert _figure(html, "Update opt-in rate") == "100% (3 of 3)"
    sources = html[html.index('id="sources-title"'):html.index('id="links-title"')]
    assert re.search(r'<th scope="row">unite</th><td>2</td><td>0</td><td>0%</td>'
                     r'<td>100% \(2 of 2\)</td>', sources)
