"""Every dashboard route needs the role this file says it needs, and the roles hold.

The table below is the expectation, kept here rather than read from the routes: lowering
a route's declared role, or adding a route without a row, fails these tests.
"""
import hashlib

import pytest
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from campaign.audit.models import AuditEntry
from campaign.events.models import Registration
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.news.models import Post
from campaign.organizers.models import Organizer, Role
from campaign.stats.models import TrackedLink
from campaign.statements.service import DemandText
from campaign.statements.translations import save_translation
from tests.conftest import PASSWORD

EXPECTED_ROLES = {
    "dashboard.index": Role.viewer,
    "dashboard.statement_edit": Role.viewer,
    "dashboard.signatures": Role.viewer,
    "dashboard.signatures_export": Role.viewer,
    "dashboard.abuse": Role.viewer,
    "dashboard.events": Role.viewer,
    "dashboard.event_edit": Role.viewer,
    "dashboard.event_speakers": Role.viewer,
    "dashboard.speaker_edit": Role.viewer,
    "dashboard.event_tickets": Role.viewer,
    "dashboard.ticket_edit": Role.viewer,
    "dashboard.event_appeal": Role.viewer,
    "dashboard.event_registrations": Role.viewer,
    "dashboard.registrations_export": Role.viewer,
    "dashboard.event_payments": Role.viewer,
    "dashboard.event_payments_export": Role.viewer,
    "dashboard.appeal_payments": Role.viewer,
    "dashboard.appeal_payments_export": Role.viewer,
    "dashboard.appeal_giving": Role.viewer,
    "dashboard.appeal_giving_save": Role.editor,
    "dashboard.payment_retry_refund": Role.editor,
    "dashboard.event_checkin": Role.viewer,
    "dashboard.event_door_list": Role.viewer,
    "dashboard.outbox": Role.viewer,
    "dashboard.news": Role.viewer,
    "dashboard.post_edit": Role.viewer,
    "dashboard.post_new": Role.editor,
    "dashboard.post_update": Role.editor,
    "dashboard.post_status": Role.editor,
    "dashboard.post_delete": Role.editor,
    "dashboard.post_import": Role.editor,
    "dashboard.updates": Role.viewer,
    "dashboard.update_detail": Role.viewer,
    "dashboard.statement_statistics": Role.viewer,
    "dashboard.event_statistics": Role.viewer,
    "dashboard.link_qr": Role.viewer,
    "dashboard.statement_statistics_settings": Role.editor,
    "dashboard.statement_link_create": Role.editor,
    "dashboard.event_link_create": Role.editor,
    "dashboard.link_delete": Role.editor,
    "dashboard.statement_new": Role.editor,
    "dashboard.statement_import": Role.editor,
    "dashboard.paper_signatures": Role.editor,
    "dashboard.endorsements": Role.viewer,
    "dashboard.endorsements_export": Role.viewer,
    "dashboard.endorsement_logo": Role.viewer,
    "dashboard.endorsement_new": Role.editor,
    "dashboard.endorsement_approve": Role.editor,
    "dashboard.endorsement_remove": Role.editor,
    "dashboard.statement_update": Role.editor,
    "dashboard.statement_status": Role.editor,
    "dashboard.demand_add": Role.editor,
    "dashboard.demand_edit": Role.editor,
    "dashboard.demand_delete": Role.editor,
    "dashboard.demand_move": Role.editor,
    "dashboard.signature_action": Role.editor,
    "dashboard.signature_edit": Role.editor,
    "dashboard.signature_delete": Role.editor,
    "dashboard.abuse_hide": Role.editor,
    "dashboard.abuse_hide_confirm": Role.editor,
    "dashboard.abuse_undo": Role.editor,
    "dashboard.abuse_held_one": Role.editor,
    "dashboard.abuse_held_approve": Role.editor,
    "dashboard.abuse_held_hide": Role.editor,
    "dashboard.event_new": Role.editor,
    "dashboard.event_update": Role.editor,
    "dashboard.event_status": Role.editor,
    "dashboard.event_cancel": Role.editor,
    "dashboard.speaker_add": Role.editor,
    "dashboard.speaker_update": Role.editor,
    "dashboard.speaker_delete": Role.editor,
    "dashboard.speaker_move": Role.editor,
    "dashboard.ticket_add": Role.editor,
    "dashboard.ticket_update": Role.editor,
    "dashboard.ticket_delete": Role.editor,
    "dashboard.appeal_save": Role.editor,
    "dashboard.appeal_detach": Role.editor,
    "dashboard.registration_action": Role.editor,
    "dashboard.registration_check_in": Role.editor,
    "dashboard.registration_check_in_undo": Role.editor,
    "dashboard.registration_paid_at_door": Role.editor,
    "dashboard.retry_mail": Role.editor,
    "dashboard.update_new": Role.editor,
    "dashboard.update_test": Role.editor,
    "dashboard.update_send": Role.editor,
    "dashboard.update_stop": Role.editor,
    "dashboard.mail_message": Role.owner,
    "dashboard.organizers": Role.owner,
    "dashboard.organizer_create": Role.owner,
    "dashboard.organizer_role": Role.owner,
    "dashboard.organizer_end_sessions": Role.owner,
    "dashboard.organizer_deactivate": Role.owner,
    "dashboard.privacy": Role.owner,
    "dashboard.privacy_export": Role.owner,
    "dashboard.privacy_erase": Role.owner,
    "dashboard.audit": Role.owner,
    "dashboard.settings": Role.owner,
    "dashboard.language": Role.viewer,
    "dashboard.translations": Role.viewer,
    "dashboard.translation_save": Role.editor,
    "dashboard.translation_delete": Role.editor,
    "dashboard.settings_save": Role.owner,
    "dashboard.settings_logo_remove": Role.owner,
    "dashboard.api_keys": Role.owner,
    "dashboard.api_key_create": Role.owner,
    "dashboard.api_key_revoke": Role.owner,
    "dashboard.webhooks": Role.owner,
    "dashboard.webhook_add": Role.owner,
    "dashboard.webhook": Role.owner,
    "dashboard.webhook_resend": Role.owner,
    "dashboard.webhook_enable": Role.owner,
    "dashboard.webhook_remove": Role.owner,
}
_RANK = {Role.viewer: 0, Role.editor: 1, Role.owner: 2}


def _dashboard_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/dashboard")]


@pytest.fixture
def scene(make_statement, make_signature, make_event, make_organizer, register):
    """One of everything a dashboard URL can name, so each URL reaches a real row."""
    statement = make_statement()
    event = make_event(
        tickets=({"name": "Free"}, {"name": "Supporter", "price_minor": 1000}),
        speakers=({"name": "Yuliya Yurchenko", "bio": "Author"},),
        appeal={"name": "Miners' appeal", "target_minor": 100_000, "currency": "GBP"},
    )
    register(event, email="oksana@example.org")
    save_translation(statement, "uk", "Вільна Україна", "", [DemandText("Допомога", ""),
                                                             DemandText("Мир", "")], "")
    return {
        "statement_id": statement.id,
        "demand_id": statement.demands[0].id,
        "signature_id": make_signature(statement).id,
        "event_id": event.id,
        "speaker_id": event.speakers[0].id,
        "ticket_id": event.ticket_types[0].id,
        "registration_id": db.session.scalar(
            select(Registration.id).where(Registration.event_id == event.id)),
        "message_id": db.session.scalars(select(OutboxMessage.id)).first(),
        "batch_id": 1,
        "organizer_id": make_organizer(Role.viewer).id,
        **_api_and_webhooks(),
        "post_id": _a_post(statement).id,
        "appeal_id": event.appeal_id,
        "payment_id": 1,
        "endorsement_id": _endorsement(statement).id,
        "update_id": _an_update(statement).id,
        "link_id": _tracked_link(statement.id),
        "language": "uk",
    }


def _api_and_webhooks() -> dict:
    from campaign.api.keys import create_key
    from campaign.api.models import ApiScope
    from campaign.webhooks.models import WebhookDelivery
    from campaign.webhooks.service import add_endpoint

    endpoint, _secret = add_endpoint("https://crm.example.org/hooks", ["signature.confirmed"])
    delivery = WebhookDelivery(endpoint_id=endpoint.id, event="signature.confirmed",
                               resource="signature:1")
    db.session.add(delivery)
    db.session.commit()
    return {"key_id": create_key("CRM", ApiScope.read).key.id, "endpoint_id": endpoint.id,
            "delivery_id": delivery.id}


def _a_post(statement) -> Post:
    post = Post(campaign_id=statement.campaign_id, slug="a-briefing", title="A briefing")
    db.session.add(post)
    db.session.commit()
    return post


def _endorsement(statement):
    import io

    from PIL import Image

    from campaign.common.logo import logo_from_upload
    from campaign.endorsements.models import Endorsement, OrganisationKind

    picture = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(picture, format="PNG")
    logo = logo_from_upload(picture.getvalue())
    endorsement = Endorsement(statement_id=statement.id, name="Unite the Union",
                              kind=OrganisationKind.trade_union, logo_png=logo.png,
                              logo_digest=logo.digest)
    db.session.add(endorsement)
    db.session.commit()
    return endorsement


def _an_update(statement):
    from campaign.updates.service import create_update, parse_audience

    return create_update(parse_audience(f"statement:{statement.slug}"), "News", "Body")


def _tracked_link(statement_id: int) -> int:
    link = TrackedLink(statement_id=statement_id, code="unite-leeds")
    db.session.add(link)
    db.session.commit()
    return link.id


def _requests(app, scene, endpoints):
    """(method, url) for every method of every dashboard route of `endpoints`, with real ids."""
    for rule in _dashboard_rules(app):
        if rule.endpoint not in endpoints:
            continue
        values = {}
        for name, converter in rule._converters.items():
            values[name] = (sorted(converter.items)[0] if isinstance(converter, AnyConverter)
                            else scene[name])
        url = rule.build(values, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def _database_fingerprint() -> str:
    """A digest of every row of every table: any change anywhere changes it."""
    digest = hashlib.sha256()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def _endpoints_above(role: Role) -> set[str]:
    return {endpoint for endpoint, needed in EXPECTED_ROLES.items() if _RANK[needed] > _RANK[role]}


def test_every_dashboard_route_is_in_the_table_and_declares_its_role(app):
    declared = {rule.endpoint: getattr(app.view_functions[rule.endpoint], "required_role", None)
                for rule in _dashboard_rules(app)}
    assert set(declared) == set(EXPECTED_ROLES)
    assert declared == EXPECTED_ROLES


def test_anonymous_visitors_are_sent_to_the_login_page_from_every_route(client, app, scene):
    token = client.csrf_token("/login")
    for method, url in _requests(app, scene, set(EXPECTED_ROLES)):
        data = {"csrf_token": token} if method != "GET" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.headers["Location"].startswith("/login"), (method, url)


@pytest.mark.parametrize("role", [Role.viewer, Role.editor])
def test_an_organizer_is_refused_every_route_above_their_role_and_nothing_changes(
        client, app, logged_in, scene, role):
    logged_in(role)
    token = client.csrf_token("/dashboard")
    before = _database_fingerprint()
    checked = 0
    for method, url in _requests(app, scene, _endpoints_above(role)):
        data = {"csrf_token": token} if method != "GET" else None
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, (role.name, method, url, response.status_code)
        checked += 1
    assert checked >= len(_endpoints_above(role))
    db.session.expire_all()
    assert _database_fingerprint() == before


#: The only thing a viewer may change: their own dashboard language, nothing of the campaign's.
VIEWERS_OWN_SETTINGS = {"/dashboard/language"}


def test_a_viewer_reads_every_page_meant_for_viewers(client, app, logged_in, scene):
    logged_in(Role.viewer)
    viewer_pages = {endpoint for endpoint, role in EXPECTED_ROLES.items() if role is Role.viewer}
    for method, url in _requests(app, scene, viewer_pages):
        assert method == "GET" or url in VIEWERS_OWN_SETTINGS, (method, url)
        assert client.get(url).status_code == 200, url


# The organizers page ----------------------------------------------------------------


def test_an_owner_adds_an_organizer_who_can_then_log_in(client, app, logged_in):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", {
        "name": "Taras Editor", "email": "Taras@Example.org", "role": "editor",
        "password": "a long enough password",
    }, page="/dashboard/organizers")
    assert response.status_code == 303
    page = client.get("/dashboard/organizers").get_data(as_text=True)
    assert "taras@example.org" in page and "Editor: also changes" in page
    added = db.session.scalar(select(Organizer).where(Organizer.email == "taras@example.org"))
    assert added.role is Role.editor
    assert db.session.scalar(
        select(AuditEntry.target).where(AuditEntry.action == "organizer.create")
    ) == "organizer:taras@example.org"

    other = app.test_client()
    response = other.submit("/login", {"email": "taras@example.org",
                                       "password": "a long enough password"})
    assert response.status_code == 302


@pytest.mark.parametrize("data, message", [
    ({"name": "", "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Enter the organizer"),
    ({"name": "A", "email": "not-an-email", "role": "viewer", "password": "x" * 12},
     "Enter an email address like name@example.org."),
    ({"name": "A", "email": "a@example.org", "role": "emperor", "password": "x" * 12},
     "Not a valid choice"),
    ({"name": "A", "email": "a@example.org", "role": "viewer", "password": "short"},
     "The password must be 10 to 1000 characters."),
    ({"name": "A\x00", "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Remove the control characters"),
    ({"name": "x" * 10_000, "email": "a@example.org", "role": "viewer", "password": "x" * 12},
     "Field cannot be longer than 200 characters."),
])
def test_bad_organizer_details_are_refused_with_a_message(client, logged_in, data, message):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", data, page="/dashboard/organizers")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(Organizer).where(Organizer.email == "a@example.org")) is None


def test_an_email_already_in_use_is_refused(client, logged_in, make_organizer):
    make_organizer(Role.viewer, email="taken@example.org")
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers", {
        "name": "B", "email": "TAKEN@example.org", "role": "viewer", "password": "x" * 12,
    }, page="/dashboard/organizers")
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_a_deactivated_organizer_is_logged_out_and_cannot_log_in(app, client, logged_in,
                                                                 make_organizer, login):
    editor = make_organizer(Role.editor)
    editor_client = app.test_client()
    editor_client.submit("/login", {"email": editor.email, "password": PASSWORD})
    assert editor_client.get("/dashboard").status_code == 200

    logged_in(Role.owner)
    response = client.submit(f"/dashboard/organizers/{editor.id}/deactivate",
                             page="/dashboard/organizers")
    assert response.status_code == 303
    db.session.refresh(editor)
    assert editor.active is False
    assert editor_client.get("/dashboard").status_code == 302
    again = app.test_client().submit("/login", {"email": editor.email, "password": PASSWORD})
    assert again.status_code == 400


def test_an_owner_cannot_deactivate_themselves(client, logged_in):
    owner = logged_in(Role.owner)
    response = client.submit(f"/dashboard/organizers/{owner.id}/deactivate",
                             page="/dashboard/organizers", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.active is True


def test_deactivating_an_unknown_organizer_answers_404(client, logged_in):
    logged_in(Role.owner)
    response = client.submit("/dashboard/organizers/999999/deactivate",
                             page="/dashboard/organizers")
    assert response.status_code == 404
    assert client.get("/dashboard/organizers/999999/deactivate").status_code == 404
