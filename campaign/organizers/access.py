"""Role checks for dashboard routes; every route declares the role it needs."""
from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from campaign.organizers.models import Role


def require_role(role: Role):
    """Log-in required, then at least `role`; the route remembers it for the URL-map test."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        guarded = login_required(wrapper)
        guarded.required_role = role
        return guarded

    return decorator
