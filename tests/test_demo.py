"""A new install loads the demo: the charter, its signatories and an owner who can log in."""
from sqlalchemy import func, select

from campaign.extensions import db
from campaign.organizers.models import Organizer, Role
from campaign.signatures import counts
from campaign.signatures.models import Signature
from campaign.statements.models import Campaign, Statement, StatementStatus

DEMANDS = [
    "Aid to Ukraine", "Economic Measures", "International Support", "Justice for War Crimes",
    "Reconstruction of Ukraine", "Opposition to Trumpist Reaction", "Reverse Foreign Aid Cuts",
]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_demo_loads_the_published_charter_with_its_signatories(runner, settings):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    statement = db.session.scalar(select(Statement))
    assert statement.title == "A FREE AND UNITED UKRAINE: AN ALTERNATIVE TO RUSSIAN OCCUPATION"
    assert statement.status is StatementStatus.published
    assert statement.campaign.name == "Ukraine Solidarity Campaign"
    assert [d.heading for d in statement.demands] == DEMANDS
    assert [d.position for d in statement.demands] == list(range(1, 8))

    signatures = db.session.scalars(
        select(Signature).order_by(Signature.featured_position)).all()
    assert len(signatures) == 18
    assert [s.featured_position for s in signatures] == list(range(1, 19))
    by_name = {s.name: s for s in signatures}
    assert by_name["John Moloney"].personal_capacity
    assert by_name["John Moloney"].affiliation == (
        "Asst General Secretary Public and Commercial Service Union")
    assert by_name["Oksana Holota"].personal_capacity
    assert by_name["Oksana Holota"].affiliation == (
        "KVPU, Confederation of Free Trade Unions of Ukraine")
    assert by_name["Pavlo Holota"].personal_capacity
    assert by_name["Mark Serwotka"].affiliation == "General Secretary, PCSU (2005-2024)"
    assert by_name["Tanya Vyhovsky"].affiliation == "Progressive/Democrat Senator, Vermont, USA"
    assert not by_name["Peter Tatchell"].personal_capacity
    assert counts.totals(statement.id).counted == 18
    assert "/s/free-and-united-ukraine" in result.output


def test_the_demo_organizer_logs_in_with_the_printed_password(runner, client):
    result = runner.invoke(args=["demo"])
    password = result.output.split("with the password ")[1].split()[0]
    organizer = db.session.scalar(select(Organizer))
    assert (organizer.email, organizer.role) == ("organizer@example.org", Role.owner)
    assert "/login" in result.output
    response = client.submit("/login", {"email": "organizer@example.org", "password": password})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200


def test_the_demo_password_can_be_set_in_the_environment(app, runner, client, monkeypatch):
    from campaign.config import load_settings

    monkeypatch.setenv("DEMO_PASSWORD", "a demo password of my own")
    app.config["DEMO_PASSWORD"] = load_settings()["DEMO_PASSWORD"]
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "a demo password of my own" in result.output
    response = client.submit("/login", {"email": "organizer@example.org",
                                        "password": "a demo password of my own"})
    assert response.status_code == 302


def test_a_short_demo_password_is_refused_before_anything_is_loaded(app, runner):
    app.config["DEMO_PASSWORD"] = "short"
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    assert _count(Statement) == 0


def test_if_empty_does_nothing_when_a_statement_exists(runner, make_statement):
    make_statement()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "no demo content loaded" in result.output
    assert _count(Statement) == 1 and _count(Organizer) == 0


def test_a_second_quick_start_says_how_to_log_in_and_get_a_new_password(runner, app, client):
    runner.invoke(args=["demo", "--if-empty"])
    again = runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0
    assert "no demo content loaded" in again.output
    assert "Log in at http://localhost/login as organizer@example.org" in again.output
    assert "flask --app app organizers password organizer@example.org" in again.output

    new_password = runner.invoke(args=["organizers", "password", "organizer@example.org",
                                       "--password-stdin"], input="a brand new password\n")
    assert new_password.exit_code == 0, new_password.output
    response = client.submit("/login", {"email": "organizer@example.org",
                                        "password": "a brand new password"})
    assert response.status_code == 302


def test_if_empty_without_the_demo_account_says_how_to_add_one(runner, make_statement):
    make_statement()
    result = runner.invoke(args=["demo", "--if-empty"])
    assert "flask --app app organizers create EMAIL --name NAME --role owner" in result.output


def test_if_empty_loads_into_an_empty_database(runner):
    result = runner.invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert _count(Statement) == 1


def test_running_the_demo_twice_is_refused_clearly_and_changes_nothing(runner):
    runner.invoke(args=["demo"])
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 1
    assert "already uses the web address" in again.output
    assert _count(Statement) == 1 and _count(Signature) == 18 and _count(Campaign) == 1
