"""Failed logins slow down further attempts on the same account, never lock it.

The limits per address and per (account, address) refuse outright (Flask-Limiter, in the
login view). Refusing an account outright would let anyone keep its owner out, so instead,
after LOGIN_SLOWDOWN_AFTER failures, each further attempt on the account must wait
LOGIN_SLOWDOWN_SECONDS, doubled with each further failure up to LOGIN_SLOWDOWN_MAX_SECONDS.
The time of the next allowed attempt is recorded here and earlier attempts are refused, so
no worker sleeps. As in OWASP's device cookies, failures are counted apart for each browser
that logged in to the account before (its device cookie) and for all other browsers
together: an attacker slows down only the browsers the owner has never used. Failures are
forgotten after LOGIN_SLOWDOWN_FORGET_HOURS without one.
"""
import math
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from campaign.common.errors import DomainError
from campaign.common.hashing import keyed_hash
from campaign.common.time import utcnow
from campaign.extensions import db
from campaign.organizers.models import LoginThrottle
from campaign.web import wait_in_words


class LoginSlowedDown(DomainError):
    """This browser must wait `seconds` before trying this account again."""

    def __init__(self, seconds: int):
        super().__init__(_("Too many failed logins for this account. Please try again %(when)s.",
                           when=wait_in_words(seconds)))
        self.seconds = seconds


def throttle_key(account: str, device_id: str | None) -> str:
    """Where attempts on `account` from a known browser (`device_id`) or any other are counted."""
    return keyed_hash("login-throttle", f"{account}\n{device_id or ''}")


def take_turn(key: str) -> None:
    """Count an attempt as failed before its password is checked, or raise LoginSlowedDown.

    Counted first, so attempts sent at once cannot all slip through one opening; a right
    password gives the turn back.
    """
    config = current_app.config
    now = utcnow()
    forget_before = now - timedelta(hours=config["LOGIN_SLOWDOWN_FORGET_HOURS"])
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_attempt_at < forget_before))
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, last_attempt_at=now, next_attempt_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    failures = db.session.scalar(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.next_attempt_at <= now)
        .values(failures=LoginThrottle.failures + 1, last_attempt_at=now)
        .returning(LoginThrottle.failures)
    )
    if failures is None:
        next_attempt_at = db.session.scalar(
            select(LoginThrottle.next_attempt_at).where(LoginThrottle.key == key)
        )
        db.session.commit()
        raise LoginSlowedDown(max(1, math.ceil((next_attempt_at - now).total_seconds())))
    db.session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key)
        .values(next_attempt_at=now + _wait_after(failures))
    )
    db.session.commit()


def give_turn_back(key: str) -> None:
    """The password was right: the attempt `take_turn` counted was no failure."""
    db.session.execute(
        update(LoginThrottle).where(LoginThrottle.key == key, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
    db.session.commit()


def _wait_after(failures: int) -> timedelta:
    config = current_app.config
    beyond = failures - config["LOGIN_SLOWDOWN_AFTER"]
    if beyond < 0:
        return timedelta(0)
    longest = config["LOGIN_SLOWDOWN_MAX_SECONDS"]
    return timedelta(seconds=min(config["LOGIN_SLOWDOWN_SECONDS"] * 2 ** min(beyond, 32), longest))
