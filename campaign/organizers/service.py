from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from campaign.common.errors import DomainError
from campaign.extensions import db
from campaign.organizers.models import Organizer, Role
from campaign.audit.service import record

MIN_PASSWORD_LENGTH = 10
# Checked against when the email is unknown, so a wrong address costs the same time as a wrong password.
_UNKNOWN_USER_HASH = generate_password_hash("not-a-real-password")


class OrganizerError(DomainError):
    pass


def create_organizer(email: str, name: str, password: str, role: Role) -> Organizer:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise OrganizerError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    organizer = Organizer(
        email=email.strip().lower(),
        name=name.strip(),
        password_hash=generate_password_hash(password),
        role=role,
    )
    db.session.add(organizer)
    record("organizer.create", f"organizer:{organizer.email}", role.name)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise OrganizerError(f"An organizer with the email {email} already exists.") from error
    return organizer


def authenticate(email: str, password: str) -> Organizer | None:
    organizer = db.session.scalar(
        select(Organizer).where(Organizer.email == (email or "").strip().lower())
    )
    if organizer is None:
        check_password_hash(_UNKNOWN_USER_HASH, password or "")
        return None
    if not organizer.active or not check_password_hash(organizer.password_hash, password or ""):
        return None
    return organizer


def organizers_page(page: int, per_page: int) -> Pagination:
    """A page of every organizer account, active ones first."""
    return db.paginate(
        select(Organizer).order_by(Organizer.active.desc(), Organizer.name, Organizer.id),
        page=page, per_page=per_page, error_out=False,
    )


def get_organizer(organizer_id: int) -> Organizer:
    return db.get_or_404(Organizer, organizer_id)


def deactivate_organizer(organizer: Organizer, actor: Organizer) -> None:
    """Stop an account from logging in; an owner cannot lock themselves out."""
    if organizer.id == actor.id:
        raise OrganizerError("You cannot deactivate your own account.")
    organizer.active = False
    record("organizer.deactivate", f"organizer:{organizer.email}", actor=actor)
    db.session.commit()
