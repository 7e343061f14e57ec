from flask import Blueprint, current_app, render_template

bp = Blueprint("privacy", __name__)


@bp.get("/privacy")
def notice():
    """The privacy notice, written from the settings so it always states the real terms."""
    config = current_app.config
    return render_template(
        "privacy/notice.html",
        controller=config["PRIVACY_CONTROLLER"],
        contact=config["PRIVACY_CONTACT"],
        retention_days=config["RETENTION_DAYS"],
        ip_retention_days=config["IP_HASH_RETENTION_DAYS"],
        mail_retention_days=config["OUTBOX_RETENTION_DAYS"],
        consent_version=config["CONSENT_VERSION"],
    )
