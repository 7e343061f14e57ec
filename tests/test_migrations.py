"""The schema only ever comes from the migrations: up to head, in step with the models, and back."""
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from campaign import create_app
from campaign.extensions import db
from tests.conftest import empty_database


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own on the same server as the run's, with nothing in it."""
    with empty_database(tmp_path, prefix="campaign_migrations") as url:
        yield url


def _run(app, *args) -> None:
    """`flask db ARGS`, which exits non-zero on failure (`check`: when models and migrations differ)."""
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)


def _tables(app) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names - {"alembic_version"}


def test_an_empty_database_migrates_to_head_matches_the_models_and_goes_back(
    test_settings, empty_database_url
):
    app = create_app({**test_settings, "SQLALCHEMY_DATABASE_URI": empty_database_url})
    model_tables = {table.name for table in db.metadata.sorted_tables}

    _run(app, "upgrade")
    assert _tables(app) == model_tables
    _run(app, "check")

    _run(app, "downgrade", "base")
    assert _tables(app) == set()

    _run(app, "upgrade")
    assert _tables(app) == model_tables


def test_there_is_one_head_so_every_deployment_migrates_the_same_way(app):
    config = app.extensions["migrate"].migrate.get_config()
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
