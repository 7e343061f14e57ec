from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from campaign.extensions import db

bp = Blueprint("system", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers, and Redis too when configured."""
    checks = {"database": _database_ok()}
    if current_app.config["REDIS_URL"]:
        checks["redis"] = _redis_ok(current_app.config["REDIS_URL"])
    ready = all(checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), (200 if ready else 503)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


def _redis_ok(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False
