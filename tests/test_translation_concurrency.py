"""Two editors saving the same new translation at the same moment leave one translation:
the database's unique (statement, language) decides, and the other editor is told to try
again, never shown an error page. Marked for PostgreSQL, where the requests truly overlap;
it passes on SQLite too."""
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.organizers.models import Role
from campaign.statements.models import StatementTranslation
from tests.conftest import PASSWORD
from tests.test_languages import UKRAINIAN_FILE
from tests.test_registration_concurrency import all_at_once


@pytest.fixture
def settings(settings):
    settings.update(WTF_CSRF_ENABLED=False, DB_POOL_SIZE=10, DB_MAX_OVERFLOW=5)
    return settings


def test_two_editors_adding_the_same_translation_at_once_leave_one(app, make_statement,
                                                                  make_organizer):
    statement = make_statement()
    editors = [make_organizer(Role.editor) for _ in range(4)]
    page = f"/dashboard/statements/{statement.id}/translations"

    def save_as(editor):
        def request(client):
            client.post("/login", data={"email": editor.email, "password": PASSWORD})
            return client.post(page, data={"language": "uk", "text": UKRAINIAN_FILE})
        return request

    codes = all_at_once(app, [save_as(editor) for editor in editors])
    assert set(codes) <= {303, 400} and 303 in codes, codes
    db.session.expire_all()
    [translation] = db.session.scalars(select(StatementTranslation)).all()
    assert translation.revision == codes.count(303)
