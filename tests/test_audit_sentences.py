"""The audit log reads as sentences a person understands, with organizers' and statements'
names, and every action any code records has one."""
import ast
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.audit.describe import ACTIONS, describe
from campaign.audit.models import AuditEntry
from campaign.audit.service import record
from campaign.common.time import utcnow
from campaign.config import PROJECT_ROOT
from campaign.extensions import db
from campaign.organizers.models import Role

CODE = PROJECT_ROOT / "campaign"


def _module_dicts(tree: ast.Module) -> dict[str, ast.Dict]:
    return {target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name) and isinstance(node.value, ast.Dict)}


def _passed_as(function: ast.FunctionDef, name: str, tree: ast.Module) -> list[ast.expr] | None:
    """What the module's calls of `function` pass as its parameter `name`."""
    parameters = [argument.arg for argument in function.args.args]
    if name not in parameters:
        return None
    index, passed = parameters.index(name), []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == function.name:
            by_name = [keyword.value for keyword in call.keywords if keyword.arg == name]
            passed += by_name or call.args[index:index + 1]
    return passed or None


def _actions(argument: ast.expr, dicts: dict[str, ast.Dict], function=None,
             tree=None) -> list[str] | None:
    """The actions a `record(...)` first argument can be: a string, either string of a
    conditional, the values of a dict it looks up (inline, or named at module level), or
    what the module's callers pass for the parameter of the function it is in."""
    def each(arguments) -> list[str] | None:
        found = [_actions(element, dicts) for element in arguments]
        if not found or None in found:
            return None
        return [action for actions in found for action in actions]

    if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
        return [argument.value]
    if isinstance(argument, ast.IfExp):
        return each([argument.body, argument.orelse])
    if isinstance(argument, ast.Subscript):
        return _actions(argument.value, dicts)
    if isinstance(argument, ast.Dict):
        return each(argument.values)
    if isinstance(argument, ast.Name) and argument.id in dicts:
        return each(dicts[argument.id].values)
    if isinstance(argument, ast.Name) and function is not None:
        passed = _passed_as(function, argument.id, tree)
        return None if passed is None else each(passed)
    return None


def recorded_actions() -> dict[str, str]:
    """{action: "file:line"} of every record(...) call under campaign/."""
    found, unreadable = {}, []
    for path in sorted(CODE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        dicts = _module_dicts(tree)
        functions = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)]
        for function in [None, *functions]:
            calls = ast.walk(function) if function else (
                node for statement in tree.body if not isinstance(statement, ast.FunctionDef)
                for node in ast.walk(statement))
            for node in calls:
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record"
                        and node.args):
                    continue
                where = f"{path.relative_to(PROJECT_ROOT)}:{node.lineno}"
                actions = _actions(node.args[0], dicts, function, tree)
                if actions is None:
                    unreadable.append(where)
                    continue
                for action in actions:
                    found.setdefault(action, where)
    assert not unreadable, (
        "Write the audit action of these record(...) calls as a string (or strings of a "
        "conditional or a dict, or passed as one), so the log can be checked for a sentence: "
        + ", ".join(unreadable))
    return found


def test_every_action_the_code_records_has_a_sentence():
    recorded = recorded_actions()
    assert len(recorded) > 40, "the scan found the record(...) calls"
    missing = {action: where for action, where in recorded.items() if action not in ACTIONS}
    assert not missing, f"give these actions a sentence in campaign/audit/describe.py: {missing}"
    assert not set(ACTIONS) - set(recorded), "sentences for actions nothing records any more"


def test_a_computed_action_is_found_or_named():
    tree = ast.parse('STATUS = {1: "event.published", 2: "event.draft"}\n'
                     'record(STATUS[status], "x")\nrecord("a" if yes else "b")\n'
                     'record(f"event.{status}")\n'
                     'def moderate(signature, action):\n    record(action)\n'
                     'moderate(s, "signature.hide")\nmoderate(s, action="signature.show")\n')
    dicts = _module_dicts(tree)
    moderate = tree.body[4]
    calls = [node.value for node in tree.body[1:4]] + [moderate.body[0].value]
    assert [_actions(call.args[0], dicts, moderate, tree) for call in calls] == [
        ["event.published", "event.draft"], ["a", "b"], None, ["signature.hide", "signature.show"]]


#: (action, target, detail, actor) in the shapes the code records them.
SAMPLES = [
    ("abuse.hide_batch", "statement:{s}", "batch 3: 11 signatures sharing one address", None),
    ("abuse.undo_batch", "statement:{s}", "batch 3: 10 signatures put back", None),
    ("abuse.approve_held", "statement:{s}", "3 held signatures: signature:1, signature:2, "
     "signature:3", None),
    ("abuse.hide_held", "statement:{s}", "1 held signatures: signature:4", None),
    ("keys.rotate", "key:0a1b2c3d", "1200 rows re-encrypted", "cli:ops"),
    ("site.settings", "site", "name, tagline, accent colour", None),
    ("signatures.export", "statement:{s}", "which=all", None),
    ("signatures.export", "statement:{s}", "which=public", None),
    ("signatures.export", "statement:{s}", "which=curated", None),
    ("registrations.export", "event:{e}", "", "cli:ops"),
    ("stats.link_create", "statement:{s}", "unite-leeds", None),
    ("stats.link_create", "event:{e}", "unite-leeds", None),
    ("stats.link_delete", "statement:{s}", "unite-leeds", None),
    ("stats.link_delete", "event:{e}", "unite-leeds", None),
    ("stats.settings", "statement:{s}", "public on, milestones 1,000, 10,000", None),
    ("mail.retry", "outbox:12", "signature_confirm", None),
    ("registration.cancel", "registration:ABCD2345", "event:{e}", None),
    ("registration.cancel_self", "registration:ABCD2345", "event:{e}", "registrant"),
    ("registration.erase", "registration:ABCD2345", "erasure request", None),
    ("registration.erase", "registration:ABCD2345", "retention: closed more than 180 days ago",
     "cli"),
    ("registration.confirm", "registration:ABCD2345", "event:{e}", None),
    ("registration.waitlist", "registration:ABCD2345", "event:{e}", None),
    ("registration.check_in", "registration:ABCD2345", "", None),
    ("registration.check_in_undo", "registration:ABCD2345", "", None),
    ("registration.paid", "registration:ABCD2345", "event:{e}", None),
    ("registration.unpaid", "registration:ABCD2345", "event:{e}", None),
    ("registration.paid_online", "registration:ABCD2345", "event:{e}", "system"),
    ("registration.hold_expired", "registration:ABCD2345", "event:{e}", "system"),
    ("payment.received", "registration:ABCD2345", "event:{e}: £25.00", "system"),
    ("payment.received", "payment:4", "£10.00 Miners' appeal", "system"),
    ("payment.refunded", "registration:ABCD2345", "event:{e}: £25.00", "system"),
    ("payment.refund_failed", "payment:4", "£10.00 Miners' appeal", "system"),
    ("payments.export", "event:{e}", "", None),
    ("payments.export", "appeal:2", "", None),
    ("appeal.giving_save", "appeal:2", "Miners' appeal, /a/miners", None),
    ("event.create", "event:{e}", "", None),
    ("event.update", "event:{e}", "", None),
    ("event.published", "event:{e}", "", None),
    ("event.draft", "event:{e}", "", None),
    ("event.cancelled", "event:{e}", "", None),
    ("event.speaker_add", "event:{e}", "Yuliya Yurchenko", None),
    ("event.speaker_update", "event:{e}", "Yuliya Yurchenko", None),
    ("event.speaker_delete", "event:{e}", "Yuliya Yurchenko", None),
    ("event.speaker_move", "event:{e}", "Yuliya Yurchenko", None),
    ("event.ticket_add", "event:{e}", "Supporter", None),
    ("event.ticket_update", "event:{e}", "Supporter", None),
    ("event.ticket_delete", "event:{e}", "Supporter", None),
    ("event.appeal_save", "event:{e}", "Miners' appeal", None),
    ("event.appeal_detach", "event:{e}", "", None),
    ("organizer.create", "organizer:taras@example.org", "editor", None),
    ("organizer.end_sessions", "organizer:taras@example.org", "", None),
    ("organizer.password", "organizer:taras@example.org", "", "cli:ops"),
    ("organizer.role", "organizer:taras@example.org", "viewer", None),
    ("organizer.deactivate", "organizer:taras@example.org", "", None),
    ("signature.erase", "signature:7", "withdrawn by the signatory", "signatory"),
    ("signature.erase", "signature:7", "erasure request", None),
    ("signature.anonymise", "signature:7", "retention: closed more than 180 days ago", "cli"),
    ("signature.hide", "signature:7", "statement:{s}", None),
    ("signature.show", "signature:7", "statement:{s}", None),
    ("signature.edit", "signature:7", "statement:{s}: name, affiliation corrected", None),
    ("signature.delete", "signature:7", "statement:{s}", None),
    ("signature.feature", "signature:7", "statement:{s}", None),
    ("signature.unfeature", "signature:7", "statement:{s}", None),
    ("signature.move", "signature:7", "statement:{s}: 3 to 2", None),
    ("signatures.add_paper", "statement:{s}", "12 signatures, source paper", None),
    ("endorsement.submit", "statement:{s}", "Unite the Union", "visitor"),
    ("endorsement.add", "statement:{s}", "Unite the Union", None),
    ("endorsement.approve", "endorsement:3", "statement:{s}: Unite the Union", None),
    ("endorsement.remove", "endorsement:3", "statement:{s}: Unite the Union", None),
    ("endorsement.erase_contact", "endorsement:3", "on request", None),
    ("endorsements.export", "statement:{s}", "", None),
    ("statement.import", "statement:{s}", "7 demands, 18 signatories", None),
    ("statement.create", "statement:{s}", "A free and united Ukraine", None),
    ("statement.edit", "statement:{s}", "preamble, title", None),
    ("statement.edit", "statement:{s}", "demand 3 added", None),
    ("statement.edit", "statement:{s}", "demand 3 edited", None),
    ("statement.edit", "statement:{s}", "demand 3 deleted", None),
    ("statement.edit", "statement:{s}", "demand 3 moved up to 2", None),
    ("statement.publish", "statement:{s}", "", None),
    ("statement.close", "statement:{s}", "", None),
    ("statement.reopen", "statement:{s}", "", None),
    ("statement.translate", "statement:{s}", "uk", None),
    ("statement.translation_revise", "statement:{s}", "uk", None),
    ("statement.translation_delete", "statement:{s}", "uk", None),
    ("event.translate", "event:{e}", "uk", None),
    ("privacy.export", "person:0123456789abcdef0123",
     "2 signatures, 1 registrations, 3 messages", None),
    ("privacy.erase", "person:0123456789abcdef0123",
     "2 signatures, 1 registrations, 3 messages", None),
    ("post.create", "post:cease-fire-briefing", "A briefing on the cease-fire talks", None),
    ("post.import", "post:cease-fire-briefing", "A briefing on the cease-fire talks", "cli:ops"),
    ("post.update", "post:cease-fire-briefing", "A briefing on the cease-fire talks", None),
    ("post.publish", "post:cease-fire-briefing", "A briefing on the cease-fire talks", None),
    ("post.unpublish", "post:cease-fire-briefing", "A briefing on the cease-fire talks", None),
    ("post.delete", "post:cease-fire-briefing", "A briefing on the cease-fire talks", None),
    ("supporter.unsubscribe", "supporter:41", "", "supporter"),
    ("supporter.erase", "supporter:41", "erasure request", None),
    ("update.send", "update:7", "statement:{s}", None),
    ("update.test", "update:7", "statement:{s}", None),
    ("update.stop", "update:7", "event:{e}", None),
    ("privacy.anonymise", "retention",
     "5 signatures and 2 registrations anonymised (closed more than 180 days ago), 4 IP hashes "
     "dropped, 6 old messages and 1 past days' per-recipient mail counts deleted", "cli:ops"),
    ("api_key.create", "api-key:3", "write: Action Network sync", None),
    ("api_key.revoke", "api-key:3", "Action Network sync", "cli:ops"),
    ("webhook.add", "webhook:2", "https://crm.example.org/hooks", None),
    ("webhook.remove", "webhook:2", "https://crm.example.org/hooks", None),
    ("webhook.enable", "webhook:2", "https://crm.example.org/hooks", None),
    ("webhook.disable", "webhook:2", "25 failed attempts in a row", "webhooks"),
    ("webhook.resend", "webhook-delivery:9", "https://crm.example.org/hooks", None),
]


def test_every_sample_covers_an_action_and_every_action_a_sample():
    assert {action for action, *_ in SAMPLES} == set(ACTIONS)


@pytest.fixture
def named(make_statement, make_event, make_organizer):
    """Anna Koval (an owner), the statement and event the samples name, and Taras Editor."""
    anna = make_organizer(Role.owner, name="Anna Koval")
    make_organizer(Role.editor, name="Taras Editor", email="taras@example.org")
    statement = make_statement(title="A free and united Ukraine")
    event = make_event(title="Launch meeting in Parliament")
    return anna, statement, event


def _entry(action, target, detail, actor, anna, statement, event) -> AuditEntry:
    names = {"s": statement.slug, "e": event.slug}
    entry = record(action, target.format(**names), detail.format(**names), actor=actor or anna)
    db.session.commit()
    return entry


@pytest.mark.parametrize("action, target, detail, actor", SAMPLES)
def test_each_action_is_told_in_a_sentence_with_the_names_it_concerns(
    app, named, action, target, detail, actor
):
    anna, statement, event = named
    entry = _entry(action, target, detail, actor, anna, statement, event)

    [described] = describe([entry])
    said = described.sentence

    assert action not in said and "%(" not in said
    assert said.endswith("."), said
    if actor is None:
        assert said.startswith("Anna Koval "), said
    if target.startswith("statement:") or detail.startswith("statement:"):
        assert "“A free and united Ukraine”" in said and statement.slug not in said
    if "event:" in target + detail and action != "registration.check_in":
        assert "“Launch meeting in Parliament”" in said and event.slug not in said
    if target.startswith("organizer:"):
        assert "Taras Editor" in said and "taras@example.org" not in said


@pytest.mark.parametrize("sample, sentence", [
    (("abuse.hide_batch", "statement:{s}", "batch 3: 11 signatures sharing one address", None),
     "Anna Koval hid 11 signatures on “A free and united Ukraine” flagged as a surge from one "
     "network address."),
    (("signatures.export", "statement:{s}", "which=all", None),
     "Anna Koval exported the signatories of “A free and united Ukraine”, with their email "
     "addresses."),
    (("event.appeal_detach", "event:{e}", "", None),
     "Anna Koval stopped showing the appeal with “Launch meeting in Parliament”."),
    (("statement.edit", "statement:{s}", "preamble, title", None),
     "Anna Koval changed the preamble and title of “A free and united Ukraine”."),
    (("organizer.role", "organizer:taras@example.org", "viewer", None),
     "Anna Koval made Taras Editor a viewer."),
    (("registrations.export", "event:{e}", "", "cli:ops"),
     "Someone at the command line (ops) exported the registrants of “Launch meeting in "
     "Parliament”."),
    (("signature.erase", "signature:7", "withdrawn by the signatory", "signatory"),
     "A signatory withdrew their signature; its personal data was erased."),
])
def test_the_sentences_read_as_a_person_would_say_them(app, named, sample, sentence):
    entry = _entry(*sample, *named)
    assert describe([entry])[0].sentence == sentence


def test_an_organizer_no_longer_there_is_named_as_recorded(app, named):
    anna, statement, event = named
    entry = _entry("event.cancelled", "event:{e}", "", None, anna, statement, event)
    db.session.delete(anna)
    db.session.commit()
    db.session.refresh(entry)
    assert entry.organizer_id is None
    assert describe([entry])[0].sentence.startswith(f"{anna.email} cancelled “Launch meeting")


def test_an_entry_in_a_shape_no_sentence_reads_is_shown_as_recorded(app, named):
    anna, statement, event = named
    entry = _entry("statement.edit", "statement:{s}", "something else entirely", None,
                   anna, statement, event)
    said = describe([entry])[0].sentence
    assert said.startswith("Anna Koval: statement.edit") and "something else entirely" in said


def test_the_audit_page_tells_what_organizers_did_in_sentences(
    client, make_organizer, login, make_statement, make_signature
):
    anna = make_organizer(Role.owner, name="Anna Koval")
    statement = make_statement(title="A free and united Ukraine")
    now = utcnow()
    for number in range(11):
        make_signature(statement, ip_hash="a1" * 32, created_at=now - timedelta(minutes=5))
    login(anna)
    client.get(f"/dashboard/statements/{statement.id}/signatures.csv")
    page = f"/dashboard/statements/{statement.id}/abuse"
    client.submit(f"{page}/hide", {
        "signal": "address", "value": "a1" * 32, "since": (now - timedelta(hours=1)).isoformat(),
        "until": utcnow().isoformat()}, page=page)

    html = client.get("/dashboard/audit").get_data(as_text=True)

    assert ("Anna Koval hid 11 signatures on “A free and united Ukraine” flagged as a surge "
            "from one network address.") in html
    assert ("Anna Koval exported the signatories of “A free and united Ukraine”, with their "
            "email addresses.") in html
    assert "abuse.hide_batch" not in re.sub(r"<option[^>]*>", "", html)
    assert set(db.session.scalars(select(AuditEntry.action))) == {
        "signatures.export", "abuse.hide_batch"}
