from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from campaign.extensions import db

bp = Blueprint("system", __name__)

#: Seconds a readiness probe waits for Redis before calling it unavailable.
REDIS_PROBE_TIMEOUT = 2


@bp.get("/healthz")
def healthz():
    """The process is up; says nothing about its dependencies."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to serve while the database answers.

    Redis, when configured, is reported but does not decide: without it each worker counts
    rate limits on its own (the in-memory fallback) and signing goes on, whereas a 503 here
    would take every instance out of the load balancer at once.
    """
    checks = {"database": _database_ok()}
    body = {}
    redis_url = _redis_url(current_app.config)
    if redis_url:
        checks["redis"] = _redis_ok(redis_url)
        _log_redis_change(checks["redis"])
        if not checks["redis"]:
            body["message"] = (
                "Redis is unavailable: rate limits are counted by each worker on its own "
                "until it answers again."
            )
    if not checks["database"]:
        status = "unavailable"
    else:
        status = "ok" if all(checks.values()) else "degraded"
    return jsonify(status=status, checks=checks, **body), (200 if checks["database"] else 503)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


def _redis_url(config) -> str:
    """The Redis the rate limits count in (RATELIMIT_STORAGE_URI, by default REDIS_URL)."""
    storage = config["RATELIMIT_STORAGE_URI"]
    return storage if storage.startswith("redis") else config["REDIS_URL"]


def _redis_ok(url: str) -> bool:
    import redis

    try:
        with redis.Redis.from_url(url, socket_timeout=REDIS_PROBE_TIMEOUT,
                                  socket_connect_timeout=REDIS_PROBE_TIMEOUT) as client:
            return bool(client.ping())
    except (redis.RedisError, ValueError):
        return False


def _log_redis_change(reachable: bool) -> None:
    """Say when Redis goes away and when it is back, once each rather than on every probe."""
    was_reachable = current_app.extensions.get("campaign.redis_reachable", True)
    current_app.extensions["campaign.redis_reachable"] = reachable
    if was_reachable and not reachable:
        current_app.logger.warning(
            "Redis is unavailable; still ready, with rate limits counted per worker"
        )
    elif reachable and not was_reachable:
        current_app.logger.info("Redis answers again")
