"""Editors saving posts at the same moment never get two posts on one web address, nor a 500.

Each editor is a thread with its own client and database connection, released together.
Marked for PostgreSQL, where the requests truly run side by side; they pass on SQLite too.
"""
import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.news.models import Post
from campaign.organizers.models import Role
from tests.conftest import PASSWORD
from tests.test_registration_concurrency import all_at_once


@pytest.fixture
def settings(settings):
    settings.update(WTF_CSRF_ENABLED=False, DB_POOL_SIZE=20, DB_MAX_OVERFLOW=5)
    return settings


def _write(email: str, **fields):
    def request(client):
        client.post("/login", data={"email": email, "password": PASSWORD})
        return client.post("/dashboard/news/new", data={"title": "The same title", **fields})
    return request


@pytest.mark.postgresql
def test_editors_typing_the_same_web_address_at_once_get_one_post_and_a_clear_refusal(
        app, make_organizer):
    editors = [make_organizer(Role.editor).email for _ in range(6)]
    codes = all_at_once(app, [_write(email, slug="same-address") for email in editors])
    assert sorted(codes) == [303] + [400] * 5
    db.session.expire_all()
    assert db.session.scalars(select(Post.slug)).all() == ["same-address"]


@pytest.mark.postgresql
def test_editors_saving_the_same_title_at_once_each_get_their_own_address(app, make_organizer):
    editors = [make_organizer(Role.editor).email for _ in range(4)]
    codes = all_at_once(app, [_write(email) for email in editors])
    assert codes == [303] * 4
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Post.slug)).all()) == [
        "the-same-title", "the-same-title-2", "the-same-title-3", "the-same-title-4"]
