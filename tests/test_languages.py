"""Ukrainian and English: choosing the page's language, statement translations, emails in
the signer's language, and one count whatever the language."""
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from campaign.common.hashing import email_index
from campaign.extensions import db
from campaign.mail.models import OutboxMessage
from campaign.mail.service import message_bodies
from campaign.organizers.models import Role
from campaign.signatures import counts
from campaign.signatures.models import Signature
from campaign.statements.models import StatementTranslation
from campaign.statements.service import DemandText, update_statement
from campaign.statements.translations import save_translation

UKRAINIAN = {
    "title": "За вільну і єдину Україну",
    "preamble": "Ми, що підписалися нижче, стоїмо разом з Україною.",
    "demands": [DemandText("Допомога", "Надіслати допомогу зараз."),
                DemandText("Мир", "Справедливий мир.")],
    "closing": "Додайте своє ім'я.",
}

UKRAINIAN_FILE = """За вільну і єдину Україну

Ми, що підписалися нижче, стоїмо разом з Україною.

1. Допомога: Надіслати допомогу зараз.
2. Мир: Справедливий мир.

Додайте своє ім'я.
"""


def translate(statement, **changes):
    values = dict(UKRAINIAN, **changes)
    return save_translation(statement, "uk", values["title"], values["preamble"],
                            values["demands"], values["closing"])


def outbox(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.to_index == email_index(to)).order_by(OutboxMessage.id)))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def language_cookie(response) -> str | None:
    """The language cookie the response sets, if any (the session cookie is another)."""
    return next((cookie for cookie in response.headers.getlist("Set-Cookie")
                 if cookie.startswith("lang=")), None)


def test_a_ukrainian_visitor_reads_signs_and_is_emailed_in_ukrainian_and_counted_with_everyone(
        client, make_statement, sign):
    statement = make_statement(requires_confirmation=True)
    translate(statement)
    sign(statement, name="John Smith", email="john@example.org")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk-UA,uk;q=0.9,en;q=0.5"

    page = text_of(client.get(f"/s/{statement.slug}"))
    assert '<html lang="uk">' in page
    assert "За вільну і єдину Україну" in page and "Справедливий мир." in page
    assert "Підписати заяву" in page and "Електронна пошта" in page
    assert re.search(r'<button[^>]*>\s*Підписати\s*</button>', page)
    assert "A free and united Ukraine" not in page

    response = sign(statement, name="Оксана Коваленко", email="oksana@example.org")
    assert response.status_code == 302
    assert "Перевірте пошту" in text_of(client.get(response.headers["Location"]))
    [email] = outbox("oksana@example.org")
    assert email.subject == "Підтвердьте свій підпис: За вільну і єдину Україну"
    text, html = message_bodies(email)
    assert "Підтвердити мій підпис" in text
    assert '<html lang="uk">' in html and "Підтвердити мій підпис" in html
    ukrainian = db.session.scalar(select(Signature).where(Signature.name == "Оксана Коваленко"))
    assert ukrainian.language == "uk"
    [english_email] = outbox("john@example.org")
    assert english_email.subject == "Confirm your signature: A free and united Ukraine"

    for address in ("oksana@example.org", "john@example.org"):
        link = re.search(r"https?://[^/\s]+(/\S*/confirm/\S+)", message_bodies(outbox(address)[0])[0])
        client.submit(link.group(1), {}, page=link.group(1))
    assert counts.totals(statement.id).counted == 2
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "2 signatures" in text_of(client.get(f"/s/{statement.slug}"))
    assert "2 підписи" in text_of(client.get(f"/s/{statement.slug}?lang=uk"))


@pytest.mark.parametrize("count, words", [(1, "1 підпис"), (2, "2 підписи"),
                                          (5, "5 підписів"), (21, "21 підпис")])
def test_the_count_takes_the_ukrainian_plural_form(client, make_statement, make_signature,
                                                   count, words):
    statement = make_statement()
    for number in range(count):
        make_signature(statement, email=f"signer{number}@example.org")
    counts.reconcile(statement.id)
    page = text_of(client.get(f"/s/{statement.slug}", headers={"Accept-Language": "uk"}))
    assert re.search(rf">\s*{words}\s*<", page), words


def test_lang_in_the_address_is_remembered_for_later_pages(client, make_statement):
    statement = make_statement()
    first = client.get(f"/s/{statement.slug}?lang=uk")
    assert language_cookie(first).startswith("lang=uk;")
    assert first.cache_control.private and not first.cache_control.public
    later = client.get("/", headers={"Accept-Language": "en"})
    assert '<html lang="uk">' in text_of(later)
    assert language_cookie(client.get("/?lang=en")).startswith("lang=en;")
    assert '<html lang="en">' in text_of(client.get("/"))


def test_an_anonymous_page_sets_no_cookie_and_varies_on_what_decides_its_language(
        client, make_statement):
    statement = make_statement()
    translate(statement)
    response = client.get(f"/s/{statement.slug}/embed", headers={"Accept-Language": "uk"})
    assert "Set-Cookie" not in response.headers
    assert {"Accept-Language", "Cookie"} <= set(response.vary)
    assert response.cache_control.public
    assert "Підписати" in text_of(response) and "За вільну і єдину Україну" in text_of(response)


def test_an_unknown_language_falls_back_to_the_browser_then_the_default(client, make_statement):
    statement = make_statement()
    response = client.get(f"/s/{statement.slug}?lang=xx%00<b>", headers={"Accept-Language": "uk"})
    assert response.status_code == 200 and language_cookie(response) is None
    assert '<html lang="uk">' in text_of(response)
    assert '<html lang="en">' in text_of(client.get("/", headers={"Accept-Language": "de-DE"}))


def test_every_public_page_offers_the_languages_and_the_statement_links_its_translations(
        client, make_statement):
    statement = make_statement()
    translate(statement)
    for path in ("/", f"/s/{statement.slug}", "/privacy", "/login"):
        page = text_of(client.get(path))
        assert re.search(r'<a href="[^"]*lang=uk"[^>]*>Українська</a>', page), path
        assert re.search(r'<a href="[^"]*lang=en"[^>]*>English</a>', page), path
    page = text_of(client.get(f"/s/{statement.slug}"))
    base = f"http://localhost/s/{statement.slug}"
    assert f'<link rel="alternate" hreflang="uk" href="{base}?lang=uk">' in page
    assert f'<link rel="alternate" hreflang="en" href="{base}?lang=en">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="{base}">' in page
    assert f'content="http://localhost/s/{statement.slug}/card.png"' in page
    ukrainian = text_of(client.get(f"/s/{statement.slug}?lang=uk"))
    assert f'content="http://localhost/s/{statement.slug}/card.png?lang=uk"' in ukrainian
    assert f'<link rel="canonical" href="{base}?lang=uk">' in ukrainian


def test_the_share_card_is_drawn_in_the_pages_language(client, make_statement):
    statement = make_statement()
    translate(statement)
    english = client.get(f"/s/{statement.slug}/card.png?lang=en")
    ukrainian = client.get(f"/s/{statement.slug}/card.png?lang=uk")
    assert english.status_code == ukrainian.status_code == 200
    assert english.mimetype == "image/png" and english.get_etag() != ukrainian.get_etag()
    assert "Set-Cookie" not in ukrainian.headers


def test_the_card_font_has_every_ukrainian_letter():
    from PIL import ImageFont

    from campaign.sharing.service import _FONT_FILE

    font = ImageFont.truetype(str(_FONT_FILE), 40)
    missing_glyph = font.getmask("\uffff").getbbox()
    for letter in "АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯабвгґдеєжзиіїйклмнопрстуфхцчшщьюя":
        assert font.getmask(letter).getbbox() != missing_glyph, letter


def test_a_translation_is_marked_out_of_date_when_the_original_is_amended_after_it(
        client, make_statement):
    statement = make_statement()
    translate(statement)
    page = text_of(client.get(f"/s/{statement.slug}?lang=uk"))
    assert "Оригінальний текст змінено" not in page
    update_statement(statement, preamble="We stand with Ukraine, now and after the war.")
    page = text_of(client.get(f"/s/{statement.slug}?lang=uk"))
    assert "Оригінальний текст змінено після того, як зроблено цей переклад." in page
    assert f'href="/s/{statement.slug}?lang=en"' in page
    translate(statement, preamble="Ми стоїмо разом з Україною зараз і після війни.")
    assert "Оригінальний текст змінено" not in text_of(client.get(f"/s/{statement.slug}?lang=uk"))


def test_each_translation_keeps_its_own_revisions(make_statement):
    statement = make_statement()
    first = translate(statement)
    assert first.revision == 1 and first.revisions == []
    second = translate(statement, title="За вільну, єдину Україну")
    assert second.id == first.id and second.revision == 2
    [kept] = second.revisions
    assert (kept.number, kept.title) == (1, "За вільну і єдину Україну")
    assert db.session.scalars(select(StatementTranslation)).all() == [second]


def test_a_translation_needs_an_offered_language_other_than_the_originals(make_statement):
    from campaign.statements.translations import TranslationError

    statement = make_statement()
    with pytest.raises(TranslationError, match="not one of the site's languages"):
        save_translation(statement, "de", "Titel", "", UKRAINIAN["demands"], "")
    with pytest.raises(TranslationError, match="already written in that language"):
        save_translation(statement, "en", "Title", "", UKRAINIAN["demands"], "")


def test_an_organizer_imports_a_translation_in_the_same_format(runner, make_statement,
                                                              tmp_path: Path):
    statement = make_statement()
    text = tmp_path / "uk.txt"
    text.write_text(UKRAINIAN_FILE + "Підписали:\nОлена Коваленко, ВПУ\n", encoding="utf-8")
    result = runner.invoke(args=["statements", "import", str(text), "--language", "uk",
                                 "--translation-of", statement.slug])
    assert result.exit_code == 0, result.output
    assert "Imported the uk translation" in result.output
    translation = db.session.scalar(select(StatementTranslation))
    assert translation.title == "За вільну і єдину Україну"
    assert [d["heading"] for d in translation.demands] == ["Допомога", "Мир"]
    assert translation.closing == "Додайте своє ім'я."


def test_the_import_refuses_a_translation_with_a_missing_demand(runner, make_statement,
                                                               tmp_path: Path):
    statement = make_statement(demands=(("Aid", "Send aid."), ("Peace", "A just peace."),
                                        ("Unions", "Free trade unions.")))
    text = tmp_path / "uk.txt"
    text.write_text(UKRAINIAN_FILE, encoding="utf-8")
    result = runner.invoke(args=["statements", "import", str(text), "--language", "uk",
                                 "--translation-of", statement.slug])
    assert result.exit_code != 0
    assert "The original has 3 demands and this translation 2: 1 demand is missing." \
        in result.output
    assert db.session.scalars(select(StatementTranslation)).all() == []


def test_the_import_names_a_language_the_site_does_not_offer(runner, make_statement,
                                                            tmp_path: Path):
    statement = make_statement()
    text = tmp_path / "uk.txt"
    text.write_text(UKRAINIAN_FILE, encoding="utf-8")
    result = runner.invoke(args=["statements", "import", str(text), "--language", "xx",
                                 "--translation-of", statement.slug])
    assert result.exit_code != 0 and "--language must be one of LANGUAGES: en, uk" in result.output
    missing = runner.invoke(args=["statements", "import", str(text), "--language", "uk",
                                  "--translation-of", "no-such-statement"])
    assert missing.exit_code != 0 and "no statement with the slug" in missing.output


def test_a_registrant_is_emailed_in_the_language_they_registered_in(client, make_event,
                                                                    register):
    event = make_event()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    register(event, email="oksana@example.org")
    [email] = outbox("oksana@example.org")
    assert email.subject.startswith("Вас зареєстровано: ")
    assert "Ваш код" in message_bodies(email)[0]


def test_the_dashboard_speaks_the_language_each_organizer_chose(client, logged_in):
    organizer = logged_in(Role.viewer)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = text_of(client.get("/dashboard/language"))
    assert '<html lang="en">' in page and 'class="language-switcher"' not in page
    response = client.submit("/dashboard/language", {"language": "uk"}, page="/dashboard/language")
    assert response.status_code == 303
    assert organizer.language == "uk"
    page = text_of(client.get("/dashboard"))
    assert '<html lang="uk">' in page and "Панель керування" in page and "Заяви" in page
    assert "Панель керування" in text_of(client.get("/dashboard/language"))
    assert '<html lang="en">' in text_of(client.get("/"))


def test_an_organizer_cannot_choose_a_language_the_site_does_not_offer(client, logged_in):
    organizer = logged_in(Role.viewer)
    response = client.submit("/dashboard/language", {"language": "xx<script>"},
                             page="/dashboard/language")
    assert response.status_code == 400
    assert "Choose a language from the list." in text_of(response)
    assert organizer.language == "en"


def test_the_demo_has_the_statement_and_its_launch_meeting_in_ukrainian(client, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    statement = text_of(client.get("/s/free-and-united-ukraine"))
    assert "ВІЛЬНА І ЄДИНА УКРАЇНА" in statement and "Чого ми вимагаємо:" in statement
    assert len(re.findall(r'<li id="demand-\d+" class="demand">', statement)) == 7
    assert "Вільна і єдина Україна: презентація хартії в парламенті" in statement
    meeting = text_of(client.get("/e/free-and-united-ukraine-launch"))
    assert "Вільна і єдина Україна: презентація хартії в парламенті" in meeting
    assert "Вхід вільний." in meeting and "Будівля парламенту" in meeting
    assert re.search(r"24 березня 20\d\d\u202fр\., 18:00", meeting)
    assert "5,00\xa0GBP" in meeting or "5,00 GBP" in meeting


def test_a_registrant_gets_the_events_ukrainian_title_in_their_email(client, runner, register):
    from campaign.events.service import event_by_slug

    runner.invoke(args=["demo"])
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    register(event_by_slug("free-and-united-ukraine-launch"), email="taras@example.org")
    [email] = outbox("taras@example.org")
    assert email.subject == "Вас зареєстровано: Вільна і єдина Україна: презентація хартії в парламенті"


def test_an_editor_adds_replaces_and_deletes_a_translation_on_the_dashboard(
        client, logged_in, make_statement):
    logged_in(Role.editor)
    statement = make_statement()
    page = f"/dashboard/statements/{statement.id}/translations"
    assert "This statement has no translation yet." in text_of(client.get(page))
    response = client.submit(page, {"language": "uk", "text": UKRAINIAN_FILE}, page=page)
    assert response.status_code == 303
    listing = text_of(client.get(page))
    assert "За вільну і єдину Україну" in listing and "Українська" in listing
    client.submit(page, {"language": "uk",
                         "text": UKRAINIAN_FILE.replace("Справедливий мир.", "Тривкий мир.")},
                  page=page)
    [translation] = db.session.scalars(select(StatementTranslation)).all()
    assert translation.revision == 2 and translation.demands[1]["body"] == "Тривкий мир."
    update_statement(statement, closing="Add your name today.")
    assert "out of date: the original was amended after it" in text_of(client.get(page))

    delete = f"{page}/uk/delete"
    assert "Delete the translation (Українська)?" in text_of(client.get(delete))
    assert client.submit(delete, {}, page=page).status_code == 303
    assert db.session.scalars(select(StatementTranslation)).all() == []


@pytest.mark.parametrize("fields, message", [
    ({"language": "uk", "text": "За мир\n\n1. Мир: так.\n"},
     "The original has 2 demands and this translation 1: 1 demand is missing."),
    ({"language": "en", "text": UKRAINIAN_FILE}, "already written in that language"),
    ({"language": "xx", "text": UKRAINIAN_FILE}, "is not one of the site&#39;s languages"),
    ({"language": "uk", "text": ""}, "Paste the translated text."),
    ({"language": "uk", "text": "Title\x00\n1. a\n"}, "control characters"),
    ({"language": "uk", "text": "x" * 1_000_001}, "Field cannot be longer"),
])
def test_a_translation_with_a_mistake_is_refused_saying_what_is_wrong(
        client, logged_in, make_statement, fields, message):
    logged_in(Role.editor)
    statement = make_statement()
    page = f"/dashboard/statements/{statement.id}/translations"
    response = client.submit(page, fields, page=page)
    assert response.status_code == 400
    assert message in text_of(response)
    assert db.session.scalars(select(StatementTranslation)).all() == []


def test_a_viewer_reads_the_translations_but_cannot_change_them(client, logged_in,
                                                               make_statement):
    logged_in(Role.viewer)
    statement = make_statement()
    translate(statement)
    page = f"/dashboard/statements/{statement.id}/translations"
    listing = text_of(client.get(page))
    assert "За вільну і єдину Україну" in listing and "Save the translation" not in listing
    assert client.submit(page, {"language": "uk", "text": UKRAINIAN_FILE},
                         page=page).status_code == 403


def test_a_persons_data_export_says_which_language_they_signed_and_registered_in(
        client, make_statement, make_event, sign, register):
    from campaign.privacy.duties import export_person

    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "uk"
    sign(make_statement(), email="oksana@example.org")
    register(make_event(), email="oksana@example.org")
    exported = export_person("oksana@example.org")
    assert [signature["language"] for signature in exported["signatures"]] == ["uk"]
    assert [registration["language"] for registration in exported["registrations"]] == ["uk"]


def test_the_home_page_lists_statements_in_the_visitors_language(client, make_statement):
    featured = make_statement()
    other = make_statement(title="Solidarity with Ukrainian miners")
    translate(featured)
    save_translation(other, "uk", "Солідарність з українськими шахтарями", "",
                     UKRAINIAN["demands"], "")
    page = text_of(client.get("/", headers={"Accept-Language": "uk"}))
    assert "Солідарність з українськими шахтарями" in page  # featured: the newest
    assert "За вільну і єдину Україну" in page
    assert "A free and united Ukraine" not in page and "Ukrainian miners" not in page


def test_the_events_card_is_drawn_in_the_pages_language(client, runner):
    runner.invoke(args=["demo"])
    english = client.get("/e/free-and-united-ukraine-launch/card.png")
    ukrainian = client.get("/e/free-and-united-ukraine-launch/card.png?lang=uk")
    assert english.status_code == ukrainian.status_code == 200
    assert english.get_etag() != ukrainian.get_etag()
    page = text_of(client.get("/e/free-and-united-ukraine-launch?lang=uk"))
    assert 'content="http://localhost/e/free-and-united-ukraine-launch/card.png?lang=uk"' in page


def test_a_browser_asking_for_ukrainian_ukraine_gets_ukrainian_and_stylesheets_vary_on_nothing(
        client):
    assert '<html lang="uk">' in text_of(client.get("/", headers={"Accept-Language": "uk-UA"}))
    stylesheet = client.get("/static/css/site.css", headers={"Accept-Language": "uk"})
    assert "Accept-Language" not in stylesheet.vary


def test_a_forms_own_message_speaks_the_pages_language(app):
    from campaign.signatures.forms import PaperSignaturesForm

    def date_error(language: str) -> list[str]:
        # A context of its own, as each request has: the page's language is kept in it.
        with app.app_context(), app.test_request_context(
                f"/?lang={language}", method="POST",
                data={"collected_on": "not a date", "text": "Olena"}):
            app.preprocess_request()
            form = PaperSignaturesForm(meta={"csrf": False})
            form.validate()
            return form.collected_on.errors

    assert date_error("uk") == ["Не дійсне значення дати."]
    assert date_error("en") == ["Not a valid date value."]
    assert date_error("uk") == ["Не дійсне значення дати."]
