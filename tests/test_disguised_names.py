"""People protecting the signatory list: a name must show as what it is. Names of nothing
but invisible characters, text turned round by direction controls, and letters buried
under piled-up marks are refused wherever names come in: the signing form, the event
registration form, an organizer's correction and the statement importer."""
import pytest
from sqlalchemy import func, select

from campaign.events.models import Registration
from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.signatures.models import Signature
from campaign.statements.models import Statement

INVISIBLE = "This has only invisible characters: type it with ones that show."
DIRECTION = "Remove the hidden characters that change the direction of the text."
STACKED = "Remove the extra marks: no more than 3 may sit on one letter."
NO_LETTER = "Enter a name with at least one letter."

# The piled-up marks have no precomposed letter, so NFC cannot fold them into one.
DISGUISED_NAMES = [
    pytest.param("\u200b\u200c\u200d", INVISIBLE, id="zero-width only"),
    pytest.param("\u2060\ufe0f\u3164", INVISIBLE, id="joiner, selector and a Hangul filler"),
    pytest.param("Anna \u202eavoN", DIRECTION, id="right-to-left override"),
    pytest.param("\u2067Ivan\u2069", DIRECTION, id="right-to-left isolate"),
    pytest.param("\u200fOlena", DIRECTION, id="right-to-left mark"),
    pytest.param("Za\u0346\u034a\u0350\u0351lgo", STACKED, id="four marks on one letter"),
    pytest.param("Za\u0346\u034a\u200b\u0350\u0351lgo", STACKED, id="marks split by a zero-width space"),
]


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


NAMES_WITHOUT_A_LETTER = [
    pytest.param("...", NO_LETTER, id="punctuation only"),
    pytest.param("12345", NO_LETTER, id="digits only"),
]


@pytest.mark.parametrize("name, message", DISGUISED_NAMES + NAMES_WITHOUT_A_LETTER)
def test_a_name_that_shows_as_something_else_is_refused_when_signing(
    make_statement, sign, name, message
):
    statement = make_statement()

    response = sign(statement, name=name)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Signature) == 0


@pytest.mark.parametrize("affiliation, message", [
    ("\u200b", INVISIBLE),
    ("Acme \u202eLtd", DIRECTION),
    ("--", "Enter an affiliation with at least one letter, or leave it empty."),
])
def test_an_affiliation_that_shows_as_something_else_is_refused(
    make_statement, sign, affiliation, message
):
    statement = make_statement()

    response = sign(statement, affiliation=affiliation)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Signature) == 0


@pytest.mark.parametrize("name, affiliation", [
    ("Олена Коваленко", "Київський університет"),
    ("Nguye\u0302\u0303n Thị Ánh", "Hội Phụ nữ"),  # typed decomposed: four marks in all, two a letter
    ("محمد عبد الله", "نقابة المعلمين"),
    ("स्त्री शक्ति", "भारतीय मज़दूर संघ"),
    ("བསྒྲུབས་པ", ""),
    ("李小龍", "Unite the Union ❤️"),
    ("Zoë O’Brien-Ünal", "Jeunes Écologistes, 3ᵉ section"),
])
def test_names_in_any_script_with_their_accents_are_kept(make_statement, sign, name, affiliation):
    statement = make_statement()

    response = sign(statement, name=name, affiliation=affiliation)

    assert response.status_code == 302
    assert _count(Signature) == 1


@pytest.mark.parametrize("name, message", DISGUISED_NAMES + NAMES_WITHOUT_A_LETTER)
def test_a_name_that_shows_as_something_else_is_refused_when_registering(
    make_event, register, name, message
):
    event = make_event()

    response = register(event, name=name)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Registration) == 0


@pytest.mark.parametrize("name, message", [
    pytest.param("\u200b", INVISIBLE, id="zero-width only"),
    pytest.param("Anna \u202eavoN", DIRECTION, id="right-to-left override"),
    pytest.param("Za\u0346\u034a\u0350\u0351lgo", STACKED, id="four marks on one letter"),
    pytest.param("-", NO_LETTER, id="a dash"),
])
def test_an_organizer_cannot_correct_a_name_into_one_that_shows_as_something_else(
    client, logged_in, make_statement, make_signature, name, message
):
    signature = make_signature(make_statement(), name="Olena Kovalenko")
    logged_in(Role.editor)
    url = f"/dashboard/signatures/{signature.id}/edit"

    response = client.submit(url, {"name": name, "affiliation": ""}, page=url)

    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert signature.name == "Olena Kovalenko"


@pytest.mark.parametrize("line, message", [
    ("\u200b\u200b, Ferry Users", INVISIBLE),
    ("Anna \u202eavoN, Ferry Users", DIRECTION),
    ("Ada Brennan, \u202eFerry Users", DIRECTION),
    ("Za\u0346\u034a\u0350\u0351lgo, Ferry Users", STACKED),
    ("…, Ferry Users", NO_LETTER),
    ("Ada Brennan, 1234", "Enter an affiliation with at least one letter, or leave it empty."),
])
def test_an_imported_signatory_line_that_shows_as_something_else_is_refused(
    runner, tmp_path, line, message
):
    path = tmp_path / "charter.txt"
    path.write_text(f"Keep the Ferry\n1. Run it every day.\nSigned:\nBob Okafor, Union\n{line}\n",
                    encoding="utf-8")

    result = runner.invoke(args=["statements", "import", str(path)])

    assert result.exit_code == 1
    assert f"Line 5: {message}" in result.output
    assert _count(Statement) == 0 and _count(Signature) == 0
