import hmac
from functools import cache

from flask import current_app
from flask_babel import gettext as _
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from campaign.common.errors import DomainError
from campaign.extensions import db
from campaign.organizers.devices import Device
from campaign.organizers.models import Organizer, Role
from campaign.organizers.throttle import give_turn_back, take_turn, throttle_key
from campaign.audit.service import record

MIN_PASSWORD_LENGTH = 10


@cache
def _unknown_user_hash() -> str:
    """Checked against when the email is unknown, so a wrong address costs the same time as a
    wrong password. Made on first use, not at import: scrypt costs every process that starts
    (a worker, each command) a third of a second and 32 MB of peak memory."""
    return generate_password_hash("not-a-real-password")


class OrganizerError(DomainError):
    pass


def create_organizer(email: str, name: str, password: str, role: Role) -> Organizer:
    organizer = Organizer(
        email=_account(email),
        name=name.strip(),
        password_hash=_password_hash(password),
        role=role,
    )
    db.session.add(organizer)
    record("organizer.create", f"organizer:{organizer.email}", role.name)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise OrganizerError(
            _("An organizer with the email %(email)s already exists.", email=email)
        ) from error
    return organizer


def log_in(email: str, password: str, device: Device | None) -> Organizer | None:
    """The organizer these credentials are right for, else None; counted by `throttle`.

    Raises LoginSlowedDown while failed logins on the account make this browser wait:
    `device` is the browser's device cookie, which counts only for its own organizer.
    """
    account = _account(email)
    organizer = organizer_with_email(account)
    known = device is not None and organizer is not None and device.organizer_id == organizer.id
    turn = throttle_key(account, device.device_id if known else None)
    take_turn(turn)
    if organizer is None:
        check_password_hash(_unknown_user_hash(), password or "")
        return None
    if not organizer.active or not check_password_hash(organizer.password_hash, password or ""):
        return None
    give_turn_back(turn)
    return organizer


def organizers_page(page: int, per_page: int) -> Pagination:
    """A page of every organizer account, active ones first."""
    return db.paginate(
        select(Organizer).order_by(Organizer.active.desc(), Organizer.name, Organizer.id),
        page=page, per_page=per_page, error_out=False,
    )


def names_by_id(ids) -> dict[int, str]:
    """{id: name} of the organizers among `ids` (for the audit log's sentences)."""
    return dict(db.session.execute(
        select(Organizer.id, Organizer.name).where(Organizer.id.in_(ids))).all())


def names_by_email(emails) -> dict[str, str]:
    """{email: name} of the organizers among `emails` (for the audit log's sentences)."""
    return dict(db.session.execute(
        select(Organizer.email, Organizer.name).where(Organizer.email.in_(emails))).all())


def get_organizer(organizer_id: int) -> Organizer:
    return db.get_or_404(Organizer, organizer_id)


def organizer_with_email(email: str) -> Organizer | None:
    return db.session.scalar(select(Organizer).where(Organizer.email == _account(email)))


def organizer_for_session(alternative_id: str) -> Organizer | None:
    """The active organizer a session or remember cookie names (`Organizer.get_id`), if its
    token is still theirs."""
    organizer_id, _colon, token = alternative_id.partition(":")
    organizer = db.session.get(Organizer, int(organizer_id)) if organizer_id.isdigit() else None
    if organizer is None or not organizer.active:
        return None
    return organizer if hmac.compare_digest(organizer.session_token, token) else None


def log_out(organizer: Organizer) -> None:
    """Logging out in one browser ends the organizer's sessions in every browser."""
    organizer.end_sessions()
    db.session.commit()


def end_sessions(organizer: Organizer, actor: Organizer) -> None:
    """An owner logs an organizer out everywhere, e.g. after a lost laptop."""
    organizer.end_sessions()
    record("organizer.end_sessions", f"organizer:{organizer.email}", actor=actor)
    db.session.commit()


def change_password(organizer: Organizer, password: str, actor) -> None:
    """A new password; whoever was logged in with the old one must log in again."""
    organizer.password_hash = _password_hash(password)
    organizer.end_sessions()
    record("organizer.password", f"organizer:{organizer.email}", actor=actor)
    db.session.commit()


def change_role(organizer: Organizer, role: Role, actor: Organizer) -> None:
    """A new role takes effect at once: the organizer logs in again to get it."""
    if organizer.id == actor.id:
        raise OrganizerError(_("You cannot change your own role."))
    organizer.role = role
    organizer.end_sessions()
    record("organizer.role", f"organizer:{organizer.email}", role.name, actor=actor)
    db.session.commit()


def deactivate_organizer(organizer: Organizer, actor: Organizer) -> None:
    """Stop an account from logging in; an owner cannot lock themselves out."""
    if organizer.id == actor.id:
        raise OrganizerError(_("You cannot deactivate your own account."))
    organizer.active = False
    organizer.end_sessions()
    record("organizer.deactivate", f"organizer:{organizer.email}", actor=actor)
    db.session.commit()


def set_language(organizer: Organizer, language: str) -> None:
    """The language the dashboard speaks to this organizer: one of LANGUAGES."""
    if language not in current_app.config["LANGUAGES"]:
        raise OrganizerError(_("Choose a language from the list."), field="language")
    organizer.language = language
    db.session.commit()


def _account(email: str) -> str:
    """How an organizer's email is stored: lower-cased, so it is unique whatever the case."""
    return (email or "").strip().lower()


def _password_hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OrganizerError(
            _("The password must be at least %(min)d characters.", min=MIN_PASSWORD_LENGTH)
        )
    return generate_password_hash(password)
